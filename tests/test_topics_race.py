"""Concurrent `workflow` processes on one queue lose nothing and create no duplicates.

Real subprocesses, on SQLite and (when WORKFLOW_TEST_PG_URL is set) on a fresh PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


from workflow.queue.topics import normalize_title

RACING_TITLES = 6  # 2 processes a title, all started at once: each process start costs ~0.5-2 s of CPU

WRITERS = """
[[writers]]
name = "sam"
email = "sam@example.com"
capacity = 2

[[writers]]
name = "ana"
email = "ana@example.com"
capacity = 2
"""


def start(site, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "WORKFLOW_CONFIG"}
    return subprocess.Popen([sys.executable, "-m", "workflow", *args], cwd=site.root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def use_store(site, state_url, extra=""):
    site.write_config(f'[state]\nurl = "{state_url}"\n{extra}')


def assert_no_duplicates(topics):
    normalized = [normalize_title(t["title"]) for t in topics]
    assert len(normalized) == len(set(normalized))


def test_two_imports_of_200_overlapping_titles_race(site, cli, state_url):
    use_store(site, state_url)
    first = [f"Idea {n}: small habits" for n in range(200)]
    # The second file overlaps the first by 100 titles, spelt differently, in the opposite order.
    second = [f"IDEA {n} — small habits!" for n in range(100, 300)][::-1]
    (site.root / "first.txt").write_text("\n".join(first) + "\n", encoding="utf-8")
    (site.root / "second.txt").write_text("\n".join(second) + "\n", encoding="utf-8")

    processes = [start(site, "topics", "import", name, "--json") for name in ("first.txt", "second.txt")]
    results = [finish(p) for p in processes]
    for code, _out, err in results:
        assert code == 0, err
    reports = [json.loads(out) for _code, out, _err in results]

    added = sum(len(r["added"]) for r in reports)
    duplicates = sum(len(r["duplicates"]) for r in reports)
    assert (added, duplicates) == (300, 100)
    queue = cli("topics", "list", "--json").json
    assert len(queue) == 300
    assert_no_duplicates(queue)
    assert {normalize_title(t["title"]) for t in queue} == {normalize_title(t) for t in first + second}


def test_racing_adds_of_the_same_titles(site, cli, state_url):
    use_store(site, state_url)
    titles = [f"Evening ritual {n}" for n in range(RACING_TITLES)]
    processes = []
    for title in titles:  # each title added twice at once, spelt differently
        processes.append(start(site, "topics", "add", title))
        processes.append(start(site, "topics", "add", f"  evening RITUAL {title.split()[-1]}?"))
    results = [finish(p) for p in processes]

    assert sorted(code for code, _out, _err in results) == [0] * RACING_TITLES + [2] * RACING_TITLES
    for code, out, err in results:
        if code == 2:
            assert err.startswith("workflow: error: topic already queued as #") and err.count("\n") == 1
        else:
            assert out.startswith("queued #"), err
    queue = cli("topics", "list", "--json").json
    assert len(queue) == RACING_TITLES
    assert_no_duplicates(queue)


def test_racing_assign_runs_respect_capacity(site, cli, state_url):
    use_store(site, state_url, WRITERS)
    for n in range(8):
        assert cli("topics", "add", f"Weekend plan {n}").code == 0

    results = [finish(p) for p in [start(site, "assign", "--json"), start(site, "assign", "--json")]]
    for code, _out, err in results:
        assert code == 0, err
    assigned = [a for _code, out, _err in results for a in json.loads(out)["assigned"]]
    assert len(assigned) == 4
    assert sorted(a["writer"] for a in assigned) == ["ana", "ana", "sam", "sam"]
    assert sorted(p.name for p in site.drafts.iterdir()) == sorted(a["draft_path"].split("/")[-1] for a in assigned)
    assert len(cli("topics", "list", "--json").json) == 4


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "workflow", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "topics" in result.stdout and "assign" in result.stdout
