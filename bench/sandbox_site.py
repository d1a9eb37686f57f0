"""A blog site whose worker talks to a sandbox over HTTP with a service-account key, exported once:
what the API benchmarks start from."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.config import Config, load_config
from workflow.export import ExportReport, export_posts
from workflow.google.clients import GoogleSession, connect
from workflow.store import Store, open_store


@dataclass
class ExportedSite:
    config: Config
    store: Store
    session: GoogleSession
    report: ExportReport
    seconds: float  # the export's wall time

    def close(self) -> None:
        self.session.close()
        self.store.close()


def export_site(sandbox: Any, root: Path, posts: dict[str, str], review: str) -> ExportedSite:
    """Write `posts` (name -> text) and the config under `root`, then export them all once."""
    (root / "posts").mkdir(parents=True)
    (root / "config").mkdir()
    key = root / "key.json"
    key.write_text(json.dumps(sandbox.service_account_key(email="bench@x.iam.gserviceaccount.com")))
    os.chmod(key, 0o600)
    (root / "config" / "workflow.toml").write_text(
        f'[google]\nendpoint = "{sandbox.url}"\ncredentials = "{key}"\nsubject = "owner@example.com"\n'
        f'docs_writes_per_minute = 1000000\ndrive_requests_per_minute = 1000000\n[review]\n{review}\n',
        encoding="utf-8")
    for name, text in posts.items():
        (root / "posts" / name).write_text(text, encoding="utf-8")
    os.chdir(root)
    config = load_config(root / "config" / "workflow.toml", root=root)
    store = open_store(config.state_url)
    session = connect(config)
    started = time.perf_counter()
    report = export_posts(config, store, session)
    seconds = time.perf_counter() - started
    assert report.counts["created"] == len(posts), report.counts
    return ExportedSite(config, store, session, report, seconds)
