"""Review poll benchmark, against the local sandbox over HTTP (no pass/fail timing in the test suite).

1. HTTP round trips of an idle poll over N Docs in review (goal: <= 1 + ceil(N / 100), i.e. <= 6 for
   500): one folder listing, then the approvals of every Doc in review in batches of 100.
2. Seconds from a reviewer's approval (which does not move the Doc's Drive `version`) to
   `status: approved` in the post: one poll.

Run: .venv/bin/python bench/review_poll.py [--docs 500]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from google.oauth2 import credentials as user_credentials
from googleapiclient.discovery import build

from sandbox_site import export_site

from workflow.reviews import sync_reviews
from workflow.sandbox import start

REVIEWER = "editor@example.com"


def reviewer_drive(sandbox):
    token = sandbox.user_token(REVIEWER)
    return build("drive", "v3", credentials=user_credentials.Credentials(token), static_discovery=True,
                 client_options={"api_endpoint": sandbox.url + "drive/v3/"}, cache_discovery=False)


def bench(docs: int) -> dict:
    sandbox = start()
    folder = tempfile.TemporaryDirectory()
    try:
        root = Path(folder.name)
        site = export_site(sandbox, root, {f"post-{n:04}.md": f"# Post {n}\n\nThe body of post {n}.\n"
                                           for n in range(docs)}, f'reviewers = ["{REVIEWER}"]\nnotify = false')
        config, store, session, report = site.config, site.store, site.session, site.report
        sync_reviews(config, store, session)  # the first poll reads every Doc once

        calls = session.caller.stats.calls
        idle = sync_reviews(config, store, session)
        idle_round_trips = session.caller.stats.calls - calls
        assert idle.read == 0 and idle.checked == docs, idle.counts()

        drive = reviewer_drive(sandbox)
        doc_id = report.posts[0].doc_id
        [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute()["items"]
        drive.approvals().approve(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()
        post = root / report.posts[0].path
        started = time.perf_counter()
        polled = sync_reviews(config, store, session)
        approval_seconds = time.perf_counter() - started
        assert "status: approved" in post.read_text(encoding="utf-8"), polled.counts()
        site.close()
    finally:
        os.chdir("/")
        sandbox.stop()
        folder.cleanup()
    goal = 1 + math.ceil(docs / 100)
    return {"docs_in_review": docs, "export_seconds": round(site.seconds, 1),
            "idle_poll_round_trips": idle_round_trips, "goal": f"<= {goal}",
            "approval_to_post_seconds": round(approval_seconds, 3), "approval_polls": 1}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=500)
    args = parser.parse_args()
    json.dump(bench(args.docs), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
