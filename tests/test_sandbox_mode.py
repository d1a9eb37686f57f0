"""`[google] endpoint = "sandbox"`: the worker runs against a local sandbox whose state lives in the site."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request


def test_in_process_sandbox_keeps_docs_between_runs_and_says_so(site, cli):
    site.post("a.md", "# Hello 😅\n\nA paragraph.\n")

    first = cli("export")

    assert first.code == 0, first.err
    assert "local sandbox" in first.out and "created    posts/a.md" in first.out
    assert "http://127.0.0.1:" in first.out
    second = cli("export", "--json")
    assert second.json["unchanged"] == 1 and second.json["created"] == 0
    key = site.root / ".workflow" / "sandbox" / "worker-key.json"
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_worker_uses_a_running_sandbox_serve_and_a_second_serve_prints_where_to_look(site, cli):
    site.post("a.md", "# Served\n\nText.\n")
    data = site.root / ".workflow" / "sandbox"
    serve = subprocess.Popen([sys.executable, "-m", "workflow", "sandbox", "serve", "--port", "0", "--data", str(data)],
                             cwd=site.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = serve.stdout.readline()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]

        result = cli("export", "--json")
        assert result.code == 0, result.err
        doc_url = result.json["posts"][0]["url"]
        assert doc_url.startswith(url)
        with urllib.request.urlopen(doc_url, timeout=10) as page:  # the viewer shows the Doc
            assert "Served" in page.read().decode("utf-8")
        # `status` links to the port the sandbox is served on now, not to where the Doc was made.
        status = cli("status", "--json")
        assert [d["url"] for d in status.json["docs"]] == [doc_url]
        assert cli("open", "posts/a.md").out == doc_url + "\n"
        # A second server would overwrite the first one's data: it just says where to look.
        second = subprocess.run([sys.executable, "-m", "workflow", "sandbox", "serve", "--port", "0",
                                 "--data", str(data)], cwd=site.root, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert f"already served at {url}" in second.stdout and f"open {url}" in second.stdout
        assert second.stderr == ""
    finally:
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=20) == 0
    assert not (data / "server.json").exists()
    requests = json.loads((data / "core.json").read_text(encoding="utf-8"))
    assert requests, "state persisted"
