"""What a new user meets, following the README from a fresh clone: each through the CLI as it is run.

Doc links that open (8765 taken or not), `make run`'s output, export's warnings, duplicates across
the queue, drafts and posts, one-line errors, the demo matching the README, the wording, a skipped
scheduler tick, export's progress on a terminal, and `workflow open`. (JSON shapes: test_json_shapes.)
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from workflow.cli import build_parser
from workflow.service import jobs
from workflow.service.jobs import Job, JobResult

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "examples" / "site"
LINK = re.compile(r"http://127\.0\.0\.1:\d+/document/d/[\w-]+/edit")
WRITER = '[[writers]]\nname = "sam"\nemail = "sam@example.com"\ncapacity = 2\n'


@pytest.fixture
def demo(tmp_path, monkeypatch) -> Path:
    """A fresh copy of the demo site (what `make run` runs in), as the current folder."""
    root = tmp_path / "site"
    shutil.copytree(DEMO, root, ignore=shutil.ignore_patterns(".workflow"))
    monkeypatch.chdir(root)
    monkeypatch.delenv("WORKFLOW_CONFIG", raising=False)
    return root


class Serve:
    """`workflow sandbox serve` in a folder, as a user starts it; `url` is where it says it serves."""

    def __init__(self, root: Path, *args: str) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "workflow", "sandbox", "serve", *args], cwd=root,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert " at " in line, line + self.process.stderr.read()
        self.url = line.split(" at ", 1)[1].split(" ", 1)[0]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=20) == 0


def page(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.status == 200
        return answer.read().decode("utf-8")


def hold_port(port: int) -> socket.socket | None:
    """Take `port` on loopback, as another program would; None when one already has it."""
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", port))
    except OSError:
        holder.close()
        return None
    holder.listen()
    return holder


# --- 1 and 2: `make run` with 8765 taken; every link `status` prints opens the Doc ---

def test_with_8765_taken_make_run_prints_each_job_once_and_every_link_status_prints_opens(demo, cli):
    holder = hold_port(8765)
    try:
        run = cli("run", "--once")  # `make run`: cd examples/site && workflow run --once
        assert run.code == 0, run.err
        # Each job once: the command's line; the service's log line of the same run is not repeated.
        for job in ("export", "assign", "reviews"):
            assert run.out.count(f"{job}: ok") == 1 and f"job {job} " not in run.err
        printed = LINK.findall(run.out.split("Docs in review:", 1)[1])
        assert len(printed) == 2 and ":8765/" not in printed[0]  # 8765 was taken: another port
        assert "workflow sandbox serve" in run.out  # how to open them, now that the run's sandbox stopped

        serve = Serve(demo)  # as the README says: `workflow sandbox serve` in examples/site
        try:
            status = cli("status")
            links = LINK.findall(status.out)
            assert sorted(links) == sorted(printed)  # served where the links of `make run` point
            titles = {"5 Small Habits That Rebuild Trust After a Fight", "Listening Without Fixing: A Field Guide"}
            for link in links:
                assert any(title in page(link) for title in titles)
            assert sorted(LINK.findall(cli("reviews").out)) == sorted(links)
        finally:
            serve.stop()
    finally:
        if holder:
            holder.close()


def test_served_on_another_port_status_links_follow_it(demo, cli):
    assert cli("export").code == 0            # in this process: the Docs are made at one address
    serve = Serve(demo, "--port", "0")        # and served at another one (`sandbox serve --port 18841`)
    try:
        links = LINK.findall(cli("status").out)
        assert len(links) == 2 and all(link.startswith(serve.url) for link in links)
        assert "Listening Without Fixing" in page(links[0]) + page(links[1])
    finally:
        serve.stop()


# --- 3: export says what preview says ---

def test_export_reports_each_posts_warnings_by_line_and_that_nobody_reviews(google_site, cli):
    site = google_site.site
    google_site.configure(reviewers=())
    site.post("html.md", "# Raw\n\n<div>kept as text</div>\n")
    site.post("image.md", "# Picture\n\nSee ![a bench](images/bench.png) here.\n")
    (site.posts / "bytes.md").write_bytes(b"# Bytes\n\nCaf\xe9 au lait.\n")

    result = cli("export")

    assert result.code == 0, result.err
    assert "posts/html.md:3: warning: raw HTML block kept as text" in result.out
    assert re.search(r"posts/image\.md:3: warning: .*site_url", result.out)
    assert "posts/bytes.md:3: warning: invalid UTF-8" in result.out
    assert re.search(r"workflow: warning: nobody will review posts/\S+\.md, .*\[review\] reviewers is empty",
                     result.err)
    # A second run sends nothing and has nothing new to say.
    again = cli("export")
    assert "warning" not in again.out + again.err


# --- 4: one title, one piece of work ---

def test_a_title_that_is_an_open_draft_or_a_post_is_a_duplicate(demo, cli):
    draft_title = "How to Build Emotional Intimacy Without Saying a Word"  # drafts/draft-in-progress.md
    refused = cli("topics", "add", draft_title.upper() + "!")
    assert refused.error_line == (f'workflow: error: topic already an open draft: drafts/draft-in-progress.md '
                                  f'("{draft_title}")')
    assert cli("export").code == 0
    post = cli("topics", "add", "5 small habits that rebuild trust after a fight")
    assert "a post with a review Doc: posts/pasted-with-mojibake.md" in post.error_line
    (demo / "ideas.txt").write_text(f"{draft_title}\nA new idea\n", encoding="utf-8")
    imported = cli("topics", "import", "ideas.txt")
    assert imported.code == 0 and "queued 1 topic from" in imported.out
    assert "ideas.txt line 1: topic already an open draft" in imported.err


def test_assign_does_not_write_a_second_draft_of_a_topic_someone_drafted_by_hand(demo, cli):
    assert cli("topics", "add", "Slow Sundays").code == 0  # queued before anyone drafted it
    (demo / "drafts" / "sundays.md").write_text("---\ntitle: Slow Sundays\nstatus: draft\n---\n\nNotes.\n",
                                                encoding="utf-8")
    result = cli("assign")
    assert result.code == 1
    assert '#1 "Slow Sundays" left queued: already an open draft: drafts/sundays.md' in result.err
    assert sorted(p.name for p in (demo / "drafts").glob("*.md")) == ["draft-in-progress.md", "sundays.md"]


# --- 6 and 7: mistakes are one line, and nothing starts or is created before it ---

def test_exporting_a_missing_file_is_one_line_before_anything_starts(demo, cli):
    result = cli("export", "posts/nope.md")
    assert result.error_line == "workflow: error: posts/nope.md: no such file"
    assert not (demo / ".workflow").exists()  # no sandbox started, no state, no run recorded


def test_a_folder_that_is_not_a_site_is_said_so_and_left_alone(tmp_path, monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKFLOW_CONFIG", raising=False)
    for command in (["status"], ["topics", "list"], ["export"], ["run", "--once"]):
        result = cli(*command)
        assert result.code == 2 and "does not look like a site" in result.error_line
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "post.md").write_text("# Anywhere\n\nText.\n", encoding="utf-8")
    assert cli("preview", "post.md").code == 0  # keeps no state: works on any file
    (tmp_path / "posts").mkdir()  # a site without a config: the defaults
    assert cli("status").code == 0 and (tmp_path / ".workflow").is_dir()


@pytest.mark.parametrize("option", ["--job", "--json"])
def test_run_options_of_once_without_once_are_an_error(demo, cli, option):
    result = cli("run", *([option, "export"] if option == "--job" else [option]))
    assert result.error_line.startswith(f"workflow: error: {option} goes with --once")
    assert not (demo / ".workflow" / "sandbox").exists()


# --- 8: the README's tour runs in the demo site ---

def test_every_post_the_readme_tour_names_is_in_the_demo_and_previews(demo, cli):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tour = readme.split("## A tour of the CLI", 1)[1].split("### JSON for scripts", 1)[0]
    named = set(re.findall(r"\bposts/[\w.-]+\.md\b", tour))
    assert named and all((demo / name).is_file() for name in named), named
    [command] = [line.split("#", 1)[0].split() for line in tour.splitlines() if line.startswith("workflow preview")][:1]
    result = cli(*command[1:])
    assert result.code == 0 and "Suggested topic" in result.out


# --- 9: the words ---

def test_counts_read_in_the_singular_and_imports_skip_comment_lines(demo, cli):
    (demo / "ideas.txt").write_text("# December ideas\n  # (maybe)\nQuiet mornings\n", encoding="utf-8")
    imported = cli("topics", "import", "ideas.txt")
    assert "queued 1 topic from ideas.txt; 0 duplicates skipped; 2 comment lines (#) skipped" in imported.out
    assert cli("topics", "list", "--json").json[0]["title"] == "Quiet mornings"
    assert "would assign 1 topic;" in cli("assign", "--dry-run").out


def test_verbose_logs_are_ours_not_the_markdown_librarys(demo, cli):
    result = cli("-v", "preview", "posts/pasted-with-mojibake.md")
    assert result.code == 0 and "extension" not in result.err


def test_assign_dry_run_refuses_a_drafts_folder_it_could_not_write(site, cli):
    site.write_config(WRITER + '\n[content]\ndrafts_dir = "blocker/drafts"\n')
    (site.root / "blocker").write_text("", encoding="utf-8")
    cli("topics", "add", "Stuck topic")
    result = cli("assign", "--dry-run")
    assert "cannot create the drafts folder" in result.error_line and "would assign" not in result.out


def test_every_command_has_help_text(site, cli):
    commands = []

    def walk(parser, path):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    commands.append(path + [name])
                    walk(sub, path + [name])

    walk(build_parser(), [])
    for command in commands:
        shown = cli(*command, "--help").out
        usage, _, rest = shown.partition("\n\n")
        assert rest.strip() and not rest.lstrip().startswith(("positional arguments", "options")), command


def test_a_post_just_exported_shows_when_its_review_is_due(google_site, cli):
    google_site.site.post("a.md", "# A\n\nText.\n")
    assert cli("export").code == 0
    board = cli("reviews").out
    assert re.search(r"due 20\d\d-\d\d-\d\dT", board) and "editor@example.com no response" in board


# --- 10: a tick skipped while the job still runs ---

def test_a_skipped_tick_is_said_once_in_our_words(site, cli, caplog, monkeypatch):
    site.write_config('[schedule]\nexport = "every 1s"\nassign = ""\nreviews = ""\n')
    release = threading.Event()

    def slow_export(ctx):
        release.wait(20)
        return JobResult()

    monkeypatch.setitem(jobs.JOBS, "export", Job("export", slow_export, exclusive=False))
    caplog.set_level(logging.DEBUG, logger="workflow.service")

    def skipped(text: str) -> int:
        return sum(text in record.getMessage() for record in caplog.records)

    def stop_after_two_skipped_ticks() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not skipped("another tick skipped"):
            time.sleep(0.05)
        release.set()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_after_two_skipped_ticks, daemon=True).start()
    result = cli("run")

    assert result.code == 0
    assert skipped("another tick skipped") >= 1
    [said] = [r.getMessage() for r in caplog.records if "is skipped" in r.getMessage()]
    assert said.startswith("export: the run due ") and "still going" in said
    assert "maximum number of running instances" not in result.err + caplog.text


# --- the progress of a long export, and `workflow open` ---

class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_export_shows_its_progress_on_a_terminal_only(google_site, cli, monkeypatch):
    for n in range(3):
        google_site.site.post(f"p{n}.md", f"# Post {n}\n\nText {n}.\n")
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli("export").code == 0
    shown = terminal.getvalue()
    assert "export 0/3 · posts/p0.md" in shown and "export 2/3 · " in shown and "posts/p2.md" in shown
    assert re.search(r"export [12]/3 · \d+\.\d posts/s · posts/p[12]\.md", shown)
    assert shown.endswith("\r\x1b[K")  # the line is gone when the export is done

    for n in range(3):
        google_site.site.post(f"p{n}.md", f"# Post {n}\n\nChanged {n}.\n")
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert cli("export", "--json").code == 0 and "export " not in quiet.getvalue()


def test_open_prints_the_link_and_opens_it_in_the_browser(google_site, cli, tmp_path):
    google_site.site.post("a.md", "# A\n\nText.\n")
    doc_id = cli("export", "--json").json["posts"][0]["doc_id"]
    link = f"{google_site.sandbox.url}document/d/{doc_id}/edit"
    assert cli("open", "posts/a.md").out == link + "\n"
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    browser.chmod(0o755)
    env = {**os.environ, "BROWSER": str(browser)}
    env.pop("WORKFLOW_CONFIG", None)
    done = subprocess.run([sys.executable, "-m", "workflow", "open", "posts/a.md", "--browser"],
                          cwd=google_site.site.root, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert opened.read_text(encoding="utf-8").strip() == link
    assert cli("open", "posts/nope.md").error_line == "workflow: error: posts/nope.md: no such post file or post id"
