"""A site whose worker talks to the test sandbox over HTTP with a service-account key, as in production."""

from __future__ import annotations

import os

import pytest
from sandbox_fixtures import OWNER, control, reviewer_clients, write_key_file

REVIEWER = "editor@example.com"


class GoogleSite:
    """The `site` fixture plus a sandbox: writes the config that points the worker at it."""

    def __init__(self, site, sandbox) -> None:
        self.site = site
        self.sandbox = sandbox
        key = write_key_file(sandbox, site.root)
        os.chmod(key, 0o600)
        self.key = key
        self.configure()

    def configure(self, extra: str = "", *, reviewers: tuple[str, ...] = (REVIEWER,), role: str = "commenter",
                  timeout: float = 5.0, google: str = "") -> None:
        reviewers_toml = ", ".join(f'"{r}"' for r in reviewers)
        self.site.write_config(f"""
            [google]
            endpoint = "{self.sandbox.url}"
            credentials = "{self.key.name}"
            subject = "{OWNER}"
            retry_base_seconds = 0.01
            request_timeout_seconds = {timeout}
            docs_writes_per_minute = 100000
            drive_requests_per_minute = 100000
            sheets_requests_per_minute = 100000
            {google}

            [review]
            reviewers = [{reviewers_toml}]
            role = "{role}"
            {extra}
        """)

    def requests(self) -> list[dict]:
        return control(self.sandbox, "GET", "requests")

    def api_calls(self) -> list[dict]:
        """API calls made so far (not the token exchanges)."""
        return [r for r in self.requests() if not r["method"].startswith("oauth")]

    def fault(self, **fault) -> None:
        control(self.sandbox, "POST", "faults", fault)

    def clear_faults(self) -> None:
        control(self.sandbox, "DELETE", "faults")

    def export_killed_at(self, method: str) -> None:
        """`workflow export` in another process, killed while Google applies its first call of `method`
        (held by a delay fault); returns once that call has landed."""
        import signal
        import subprocess
        import sys
        import time

        landed = [r["method"] for r in self.api_calls()].count(method)
        self.fault(method=method, kind="delay", seconds=1.0, times=1)
        run = subprocess.Popen([sys.executable, "-m", "workflow", "export"], cwd=self.site.root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while control(self.sandbox, "GET", "faults") and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # the armed fault leaves the list when the call it holds arrives
        run.send_signal(signal.SIGKILL)
        run.wait()
        while [r["method"] for r in self.api_calls()].count(method) == landed:
            assert time.monotonic() < deadline, f"the held {method} never landed"
            time.sleep(0.02)

    def reviewer(self, email: str = REVIEWER) -> tuple:
        return reviewer_clients(self.sandbox, email)

    def owner(self) -> tuple:
        """What the Doc owner sees in Google's own editor: every file, as the owner."""
        return reviewer_clients(self.sandbox, OWNER)

    def exported_with_comment(self, cli, name: str, text: str, comment: str, quote: str | None = None) -> str:
        """Post `name`, export it with `workflow export`, and have the reviewer comment on its Doc; the Doc id."""
        self.site.post(name, text)
        exported = cli("export", "--json")
        assert exported.code == 0, exported.err
        [doc_id] = [p["doc_id"] for p in exported.json["posts"] if p["path"] == f"posts/{name}"]
        body: dict = {"content": comment}
        if quote:
            body["quotedFileContent"] = {"mimeType": "text/html", "value": quote}
        self.reviewer()[0].comments().create(fileId=doc_id, fields="id", body=body).execute()
        return doc_id


@pytest.fixture
def google_site(site, sandbox) -> GoogleSite:
    return GoogleSite(site, sandbox)
