"""`workflow doctor [--live]`: each check passes on a ready site and the sandbox, and each fails in one
line, saying what to do, when the site is broken or the sandbox is told to behave otherwise."""

from __future__ import annotations

import functools
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
from sandbox_fixtures import control

from workflow.config import load_config
from workflow.doctor.live import SCRATCH_NAME, site_image

SETUP_CHECKS = ["config", "credentials", "state store", "posts folder", "drafts folder", "token", "review folder"]
LIVE_CHECKS = ["scratch Doc", "revision guard", "table geometry", "suggestions", "named ranges", "UTF-16 indexes",
               "approvals", "comment authors", "comment quotes", "image fetch", "appProperties search",
               "HTTP batch", "cleanup"]
# The smallest PNG: one transparent pixel.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def names(result) -> list[str]:
    return [line[2:].split(":", 1)[0] for line in result.out.splitlines()]


def marks(result) -> dict[str, str]:
    return {line[2:].split(":", 1)[0]: line[0] for line in result.out.splitlines()}


def not_passed(result) -> list[str]:
    """The lines of checks that failed (✗ or !), not those that passed or were not tried."""
    return [line for line in result.out.splitlines() if not line.startswith(("✔", "–"))]


def set_option(google_site, section: str, line: str) -> None:
    path = google_site.site.root / "config" / "workflow.toml"
    text = path.read_text()
    header = f"[{section}]\n"
    path.write_text(text.replace(header, header + line + "\n", 1) if header in text else text + header + line + "\n")


def quirk(google_site, name: str) -> None:
    control(google_site.sandbox, "POST", "quirks", {"name": name, "on": True})


def scratch_docs(google_site) -> list[dict]:
    """The scratch Docs doctor made, as the owner sees them in Drive (trashed ones included)."""
    drive = google_site.owner()[0]
    return drive.files().list(q=f"name = '{SCRATCH_NAME}'", fields="files(id,trashed)").execute()["files"]


@pytest.fixture
def image_url(tmp_path):
    """A small public PNG on a loopback web server (what Google fetches for insertInlineImage)."""
    folder = tmp_path / "www"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "dot.png").write_bytes(PNG)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/images/dot.png"
    server.shutdown()
    server.server_close()


# --- without --live -------------------------------------------------------------------------------

def test_a_ready_site_passes_every_setup_check(google_site, cli):
    google_site.site.post("first.md", "# First\n\nText.\n")

    result = cli("doctor")

    assert result.code == 0, result.out + result.err
    assert names(result) == SETUP_CHECKS
    assert not not_passed(result), result.out
    lines = dict(zip(SETUP_CHECKS, result.out.splitlines()))
    assert "service-account key key-workflow.json (mode 600), scopes drive.file + documents; acting as " \
           "owner@example.com" in lines["credentials"]
    assert "posts (1 post file)" in lines["posts folder"]
    assert "not created yet" in lines["review folder"]
    # Nothing was written: a token exchange and no API call.
    assert [call["method"] for call in google_site.requests()] == ["oauth2.token"]


def test_json_gives_one_object_per_check(google_site, cli):
    result = cli("doctor", "--json")

    assert result.code == 0
    assert result.json["healthy"] is True and result.json["live"] is False
    assert [check["check"] for check in result.json["checks"]] == SETUP_CHECKS
    assert all(set(check) == {"check", "status", "needed", "seen", "fix"} for check in result.json["checks"])
    assert {check["status"] for check in result.json["checks"]} == {"ok"}


def test_a_key_readable_by_others_is_one_line_saying_chmod(google_site, cli):
    os.chmod(google_site.key, 0o644)

    result = cli("doctor")

    assert result.code == 1 and "Traceback" not in result.err
    [line] = not_passed(result)
    assert line.startswith("✗ credentials: ") and f"chmod 600 {google_site.key}" in line
    assert "private_key" not in result.out + result.err
    assert "token" not in names(result)  # nothing else is tried with credentials that are refused


def test_a_refused_token_names_what_to_do(google_site, cli):
    key = json.loads(google_site.key.read_text())
    key["client_email"] = "deleted@sandbox-project.iam.gserviceaccount.com"
    google_site.key.write_text(json.dumps(key))

    result = cli("doctor", "--live")

    assert result.code == 1
    [line] = not_passed(result)
    assert line.startswith("✗ token: ") and "invalid_grant" in line and "set [google] credentials to a new key" in line
    assert "review folder" not in names(result) and "scratch Doc" not in names(result)


def test_an_endpoint_that_does_not_answer_is_one_line(google_site, cli):
    path = google_site.site.root / "config" / "workflow.toml"
    path.write_text(path.read_text().replace(google_site.sandbox.url, "http://127.0.0.1:9/"))

    result = cli("doctor", "--live")

    assert result.code == 1 and "Traceback" not in result.err
    [line] = not_passed(result)
    assert line.startswith("✗ token: the token endpoint of the sandbox at http://127.0.0.1:9/ is unreachable: ")
    assert line.endswith("— check the network, or [google] endpoint")


def test_missing_posts_folder_and_unwritable_drafts(google_site, cli):
    google_site.site.posts.rmdir()
    set_option(google_site, "content", 'drafts_dir = "posts.md"')
    (google_site.site.root / "posts.md").write_text("a file, not a folder")

    result = cli("doctor")

    assert result.code == 1
    assert not_passed(result) == [
        "✗ posts folder: posts does not exist or is not a folder — create it, or set [content] posts_dir to the "
        "folder of your posts",
        # Only `workflow assign` writes drafts, and no [[writers]] are configured: the worker copes.
        f"! drafts folder: drafts folder {google_site.site.root / 'posts.md'} is a file, not a folder "
        "([content] drafts_dir) — set [content] drafts_dir to a folder this user can write",
    ]


def test_an_unreachable_review_folder_says_why_with_drive_file(google_site, cli):
    set_option(google_site, "google", 'review_folder_id = "made-by-hand"')

    result = cli("doctor")

    assert result.code == 1
    [line] = not_passed(result)
    assert line.startswith("✗ review folder: made-by-hand is not reachable")
    assert 'with drive_scope = "drive.file" the worker only reaches folders it created' in line


def test_the_review_folder_an_export_made_is_checked(google_site, cli):
    google_site.site.post("first.md", "# First\n\nText.\n")
    assert cli("export").code == 0

    result = cli("doctor")

    assert result.code == 0
    assert "“Blog posts in review” (" in marks_line(result, "review folder")
    assert "reachable and writable" in marks_line(result, "review folder")


def marks_line(result, name: str) -> str:
    return next(line for line in result.out.splitlines() if line[2:].startswith(name + ":"))


def test_a_bad_config_is_the_only_line(google_site, cli):
    set_option(google_site, "review", "due_days = -1")

    result = cli("doctor", "--live")

    assert result.code == 1
    assert result.out.splitlines() == [
        f"✗ config: {google_site.site.root / 'config' / 'workflow.toml'}: [review] due_days must be a whole number "
        "from 0 to 3650 (got -1) — fix the key it names (config/workflow.toml documents each)"]


# --- --live ---------------------------------------------------------------------------------------

def test_the_sandbox_passes_every_live_check_and_the_scratch_doc_ends_in_the_bin(google_site, cli, image_url):
    result = cli("doctor", "--live", "--image", image_url)

    assert result.code == 0, result.out
    assert names(result) == SETUP_CHECKS + LIVE_CHECKS
    assert not not_passed(result), result.out
    assert f"Google fetched {image_url}" in marks_line(result, "image fetch")
    assert [doc["trashed"] for doc in scratch_docs(google_site)] == [True]


def test_before_the_first_export_a_shared_drive_holds_the_scratch_doc(google_site, cli):
    owner_drive = google_site.owner()[0]
    shared = owner_drive.drives().create(requestId="blog-reviews", body={"name": "Blog reviews"}).execute()
    set_option(google_site, "google", f'shared_drive_id = "{shared["id"]}"\ndrive_scope = "drive"')

    result = cli("doctor", "--live")

    assert result.code == 0, result.out
    assert "in the shared drive (no review folder yet)" in marks_line(result, "scratch Doc")
    assert not_passed(result) == []
    [doc] = owner_drive.files().list(q=f"name = '{SCRATCH_NAME}'", corpora="drive", driveId=shared["id"],
                                     includeItemsFromAllDrives=True, supportsAllDrives=True,
                                     fields="files(trashed,driveId)").execute()["files"]
    assert doc == {"trashed": True, "driveId": shared["id"]}


def test_live_json_and_the_image_check_skipped_without_site_url(google_site, cli):
    result = cli("doctor", "--live", "--json")

    assert result.code == 0
    checks = {check["check"]: check for check in result.json["checks"]}
    assert list(checks) == SETUP_CHECKS + LIVE_CHECKS
    assert checks["image fetch"]["status"] == "skipped"
    assert "[content] site_url is not set" in checks["image fetch"]["seen"]
    assert checks["cleanup"]["status"] == "ok"


@pytest.mark.parametrize("quirk_name, check, mark", [
    ("revision_ignored", "revision guard", "✗"),
    ("table_without_end_unit", "table geometry", "✗"),
    ("suggest_as_edit", "suggestions", "✗"),
    ("named_ranges_dropped", "named ranges", "✗"),
    ("utf8_indexes", "UTF-16 indexes", "✗"),
    ("approvals_unavailable", "approvals", "✗"),
    ("comment_authors_without_email", "comment authors", "✗"),
    ("comment_quotes_escaped", "comment quotes", "!"),
    ("image_fetch_refused", "image fetch", "✗"),
    ("app_properties_search_ignored", "appProperties search", "!"),
    ("batch_missing", "HTTP batch", "✗"),
])
def test_each_behaviour_the_sandbox_is_told_to_break_is_one_failing_line(google_site, cli, image_url,
                                                                         quirk_name, check, mark):
    quirk(google_site, quirk_name)

    result = cli("doctor", "--live", "--image", image_url)

    [line] = not_passed(result)
    assert line.startswith(f"{mark} {check}: ") and " — " in line, line
    assert result.code == (1 if mark == "✗" else 0)
    assert [doc["trashed"] for doc in scratch_docs(google_site)] == [True]


def test_failing_lines_say_what_was_seen_and_what_avoids_it(google_site, cli):
    for name in ("approvals_unavailable", "comment_authors_without_email", "utf8_indexes", "table_without_end_unit"):
        quirk(google_site, name)

    lines = {line[2:].split(":", 1)[0]: line for line in not_passed(cli("doctor", "--live"))}

    assert "canStartApproval is false" in lines["approvals"]
    assert "[review] start_approval = false avoids it" in lines["approvals"]
    assert "an author comes as {displayName, kind, me} (no emailAddress)" in lines["comment authors"]
    assert "the paragraph reads 'a😅Xb\\n' and ends at 9 (in UTF-16 'a😅Xb\\n' ending at 7)" in lines["UTF-16 indexes"]
    assert "added 16 units" in lines["table geometry"] and "Google: 17 units" in lines["table geometry"]


def test_approvals_unavailable_do_not_matter_when_the_worker_starts_none(google_site, cli):
    set_option(google_site, "review", "start_approval = false")
    quirk(google_site, "approvals_unavailable")

    result = cli("doctor", "--live")

    assert result.code == 0
    [line] = not_passed(result)
    assert line.startswith("! approvals: canStartApproval is false") and "this config starts no Drive approvals" in line


def test_the_scratch_doc_goes_to_the_bin_after_calls_fail(google_site, cli):
    google_site.fault(method="docs.documents.batchUpdate", kind="status", status=500, times=1000)

    result = cli("doctor", "--live")

    assert result.code == 1
    failing = not_passed(result)
    assert "✗ revision guard: a call failed: HTTP 500" in failing[0]
    assert marks(result)["cleanup"] == "✔"
    assert [doc["trashed"] for doc in scratch_docs(google_site)] == [True]


def test_ctrl_c_puts_the_scratch_doc_in_the_bin(google_site):
    # The first read of the scratch Doc hangs; Ctrl-C then, as a user would.
    google_site.fault(method="docs.documents.get", kind="delay", seconds=3)
    env = {k: v for k, v in os.environ.items() if k != "WORKFLOW_CONFIG"}
    process = subprocess.Popen([sys.executable, "-m", "workflow", "doctor", "--live"], cwd=google_site.site.root,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not any(call["method"] == "drive.files.create" for call in google_site.requests()):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    time.sleep(0.3)  # the Doc's first read is under way (and hangs)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 130, out + err
    assert "✔ cleanup: the scratch Doc is in the bin" in out
    assert err.strip().endswith("workflow: interrupted") and "Traceback" not in err
    assert [doc["trashed"] for doc in scratch_docs(google_site)] == [True]


# --- the image to fetch -------------------------------------------------------------------------

def test_the_image_comes_from_a_post_under_site_url(site):
    site.post("a.md", "# A\n\n![remote](https://elsewhere.example/x.png) and ![icon](img/icon.svg)\n")
    site.post("b.md", "# B\n\n![dot](images/dot.png)\n")
    config = load_config(None, root=site.root)

    assert site_image(config)[0] is None  # no [content] site_url

    with_site = replace(config, sections={**config.sections,
                                          "content": {**config.sections["content"], "site_url": "https://blog.example"}})
    assert site_image(with_site) == ("https://blog.example/images/dot.png", "shown by b.md")
