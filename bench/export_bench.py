"""Export benchmarks, reported as ratios and counts (no pass/fail timing in the test suite).

1. API calls per exported post (goal: 1 Docs write, <= 3 Drive calls plus one batched permission call),
   and exported posts per second, against the local sandbox over HTTP.
2. The cost of an export run over 10,000 unchanged posts relative to reading them all once
   (goal: <= 0.2x, by skipping unchanged files on size and mtime before hashing). "Reading them"
   is what export does to a post it cannot skip: read, decode, split front matter, clean up, hash
   (`load_post`). The ratio against bare bytes + sha256 is printed too, as a floor.

Run: .venv/bin/python bench/export_bench.py [--posts 50] [--unchanged 10000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from sandbox_site import export_site

from workflow.config import load_config
from workflow.content import discover_posts, load_post
from workflow.export import export_posts
from workflow.sandbox import start
from workflow.store import open_store
from workflow.store import export_queries as q


def post_text(number: int) -> str:
    return (f"---\ntitle: Post {number}\nauthor: bench\n---\n\n# Post {number}\n\nA paragraph with *emphasis* 😅 "
            f"and a [link](https://example.com/{number}).\n\n- one\n- two\n  - nested\n\n"
            f"| a | b |\n|---|---|\n| {number} | x |\n\nThe end of post {number}.\n")


def write_site(root: Path, posts: int, config_text: str) -> None:
    (root / "posts").mkdir(parents=True)
    (root / "config").mkdir()
    (root / "config" / "workflow.toml").write_text(config_text, encoding="utf-8")
    for number in range(posts):
        (root / "posts" / f"post-{number:05}.md").write_text(post_text(number), encoding="utf-8")


def bench_api_calls(posts: int) -> dict:
    sandbox = start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            site = export_site(sandbox, Path(folder), {f"post-{n:05}.md": post_text(n) for n in range(posts)},
                               'reviewers = ["editor@example.com"]')
            elapsed = site.seconds
            with urllib.request.urlopen(sandbox.url + "_sandbox/requests") as reply:
                log = json.loads(reply.read())
            site.close()
            os.chdir("/")
    finally:
        sandbox.stop()
    calls = Counter(entry["method"] for entry in log if not entry["method"].startswith("oauth"))
    drive = sum(n for method, n in calls.items() if method.startswith("drive.") and method != "drive.permissions.create")
    return {
        "posts": posts,
        "posts_per_second": round(posts / elapsed, 1),
        "docs_writes_per_post": round(calls["docs.documents.batchUpdate"] / posts, 2),
        "docs_reads_per_post": round(calls["docs.documents.get"] / posts, 2),
        "drive_calls_per_post": round(drive / posts, 2),
        "permission_batches_per_post": round(calls["batch"] / posts, 2),
        "calls": dict(sorted(calls.items())),
    }


def bench_unchanged(count: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_site(root, count, "")
        config = load_config(root / "config" / "workflow.toml", root=root)
        store = open_store(config.state_url)
        # The store as after an export of every post (recorded through the same queries export uses).
        with store.write() as conn:
            for path in discover_posts(config.posts_dir):
                post = load_post(path, root=config.posts_dir)
                rel = path.relative_to(root).as_posix()
                q.record_post(conn, post_id=post.post_id, path=rel, size=post.size, mtime_ns=post.mtime_ns,
                              content_hash=post.content_hash, title=post.title)
                q.create_export(conn, post.post_id)
                q.update_export(conn, post.post_id, state="in_review", exported_hash=post.content_hash,
                                doc_id=f"doc-{post.post_id}")

        def read_all() -> None:
            for path in discover_posts(config.posts_dir):
                load_post(path, root=config.posts_dir)

        def read_bytes_only() -> None:
            for path in discover_posts(config.posts_dir):
                hashlib.sha256(path.read_bytes()).hexdigest()

        def export_run() -> None:
            report = export_posts(config, store, None)
            assert report.counts["unchanged"] == count, report.counts

        def best_of(function, runs: int = 5) -> float:
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                function()
                timings.append(time.perf_counter() - started)
            return min(timings)

        reading = best_of(read_all, runs=1)
        bytes_only = best_of(read_bytes_only)
        exporting = best_of(export_run)
        store.close()
    return {"posts": count, "read_all_once_s": round(reading, 3), "export_run_s": round(exporting, 3),
            "ratio": round(exporting / reading, 3), "goal": "<= 0.2",
            "read_bytes_and_sha256_s": round(bytes_only, 3), "ratio_to_bytes_only": round(exporting / bytes_only, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=50)
    parser.add_argument("--unchanged", type=int, default=10000)
    args = parser.parse_args()
    results = {"api": bench_api_calls(args.posts), "unchanged": bench_unchanged(args.unchanged)}
    json.dump(results, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
