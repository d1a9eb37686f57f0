"""Topic Sheet sync benchmark: API calls per sync for a queue of 1,000 topics (goal: <= 3), against the
local sandbox over HTTP through the real client, with an editor working in the Sheet meanwhile.

Reported per kind of sync: the first (which creates, lays out and shares the Sheet, then writes
every row), one with changes from both sides (an editor adds, edits and drags rows; the command
line adds and moves topics), the one right after it, an idle one, and an idle one right after a
review poll (whose folder listing gives the Sheet's Drive version). Seconds are printed for
information only; the goal is the call count.

Run: .venv/bin/python bench/sheet_sync.py [--topics 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from google.oauth2 import credentials as user_credentials
from googleapiclient.discovery import build

from workflow.config import load_config
from workflow.google.clients import connect
from workflow.queue import topics
from workflow.queue.sheet import sync_topic_sheet
from workflow.queue.topics import normalize_title
from workflow.reviews import sync_reviews
from workflow.sandbox import start
from workflow.store import open_store
from workflow.store import topic_queries as q

GOAL_CALLS = 3
OWNER = "you@example.com"
EDITOR = "ana@example.com"


def control(url: str, name: str, body=None):
    request = urllib.request.Request(url + "_sandbox/" + name, method="POST" if body is not None else "GET",
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=1000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sheet-bench-"))
    sandbox = start()
    try:
        key = root / "key.json"
        key.write_text(json.dumps(sandbox.service_account_key(email="bench@sandbox.iam.gserviceaccount.com")))
        os.chmod(key, 0o600)
        (root / "config").mkdir()
        (root / "config" / "workflow.toml").write_text(f"""
[google]
endpoint = "{sandbox.url}"
credentials = "{key}"
subject = "{OWNER}"
drive_requests_per_minute = 100000
sheets_requests_per_minute = 100000
[topics]
sheet = true
editors = ["{EDITOR}"]
[review]
notify = false
""", encoding="utf-8")
        config = load_config(root / "config" / "workflow.toml", root=root)
        store = open_store(config.state_url)
        with store.write() as conn:
            for n in range(args.topics):
                title = f"Topic {n:04d}: small habits that rebuild trust"
                q.insert_topic(conn, title=title, normalized=normalize_title(title), priority=n % 3, notes="",
                               due=None, added_by="bench", source="bench")
        session = connect(config)
        token = control(sandbox.url, "users", {"email": EDITOR})["token"]
        editor = build("sheets", "v4", credentials=user_credentials.Credentials(token), static_discovery=True,
                       client_options={"api_endpoint": sandbox.url}, cache_discovery=False).spreadsheets()
        results = []

        def measure(label: str) -> dict:
            before = len(control(sandbox.url, "requests"))
            started = time.perf_counter()
            report = sync_topic_sheet(config, store, session, holder="bench")
            seconds = time.perf_counter() - started
            calls = [r["method"] for r in control(sandbox.url, "requests")[before:] if not r["method"].startswith("oauth")]
            assert report.error is None, report.error
            results.append({"sync": label, "api_calls": len(calls), "calls": calls, "seconds": round(seconds, 2),
                            "written_rows": report.written, **{k: v for k, v in report.counts.to_json().items() if v}})
            return report.to_json()

        first = measure("first (create, lay out, share, write all)")
        sheet_id = first["url"].split("/spreadsheets/d/")[1].split("/")[0]
        measure("after the first (reads back)")
        measure("idle")
        values = editor.values()
        values.append(spreadsheetId=sheet_id, range="Topics!A1:K", valueInputOption="USER_ENTERED",
                      body={"values": [["", f"Editor idea {n}", "high"] for n in range(5)]}).execute()
        for row in (3, 10, 50, 200, 400):
            values.update(spreadsheetId=sheet_id, range=f"Topics!E{row}", valueInputOption="USER_ENTERED",
                          body={"values": [["a note from Ana"]]}).execute()
        gid = editor.get(spreadsheetId=sheet_id).execute()["sheets"][0]["properties"]["sheetId"]
        editor.batchUpdate(spreadsheetId=sheet_id, body={"requests": [{"moveDimension": {
            "source": {"sheetId": gid, "dimension": "ROWS", "startIndex": 20, "endIndex": 21},
            "destinationIndex": 5}}]}).execute()
        for n in range(5):
            topics.add_topic(store, topics.new_topic(f"Command line idea {n}"))
        queued = [t.id for t in topics.list_topics(store)]
        topics.move_topic(store, queued[-1], to="top")
        topics.move_topic(store, queued[30], before=queued[2])
        measure("changes from both sides")
        measure("right after it")
        measure("idle")
        sync_reviews(config, store, session)
        measure("idle, after a review poll")
        for result in results:
            extra = ", ".join(f"{k} {v}" for k, v in result.items()
                              if k not in ("sync", "api_calls", "calls", "seconds"))
            print(f"{result['sync']:<44} {result['api_calls']:>2} API calls  {result['seconds']:>6.2f} s  {extra}")
            print(f"{'':<44} {', '.join(result['calls'])}")
        steady = [r for r in results if not r["sync"].startswith("first")]
        worst = max(r["api_calls"] for r in steady)
        print(f"\n{args.topics} topics: at most {worst} API calls per sync after the first "
              f"(goal <= {GOAL_CALLS}: {'met' if worst <= GOAL_CALLS else 'NOT met'}); "
              f"idle: {results[-2]['api_calls']} ({results[-1]['api_calls']} after a review poll)")
        store.close()
        session.close()
        return 0 if worst <= GOAL_CALLS else 1
    finally:
        sandbox.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
