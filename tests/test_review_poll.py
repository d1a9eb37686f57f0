"""The review poll (`workflow reviews --sync`) in the sandbox: which Docs it follows, and approved
text brought home exactly once."""

from __future__ import annotations

from sandbox_fixtures import OWNER, build_clients
from site_fixtures import REVIEWER

POST = "---\ntitle: Hello\n---\n# Hello\n\nFirst paragraph.\n\nLast paragraph.\n"


def exported(google_site, cli, name: str = "hello.md", text: str = POST) -> dict:
    google_site.site.post(name, text)
    result = cli("export", "--json")
    assert result.code == 0, result.err
    [post] = [p for p in result.json["posts"] if p["path"] == f"posts/{name}"]
    return post


def approve(google_site, doc_id: str) -> str:
    """The reviewer approves the Doc's approval in progress; returns when Drive says it was approved."""
    drive, _ = google_site.reviewer(REVIEWER)
    [approval] = drive.approvals().list(fileId=doc_id, fields="items(approvalId)").execute()["items"]
    drive.approvals().approve(fileId=doc_id, approvalId=approval["approvalId"], body={}).execute()
    return drive.approvals().get(fileId=doc_id, approvalId=approval["approvalId"],
                                 fields="completeTime").execute()["completeTime"]


def sync(cli) -> dict:
    result = cli("reviews", "--sync", "--json")
    assert result.code == 0, result.err
    return result.json["sync"]


def approved_post(approved_at: str, url: str, body: str = "# Hello\n\nFirst paragraph.\n\nLast paragraph.\n") -> str:
    return (f'---\ntitle: Hello\nstatus: approved\napproved_by: ["{REVIEWER}"]\napproved_at: "{approved_at}"\n'
            f'doc: "{url}"\n---\n{body}')


def test_the_configured_review_folder_is_followed(google_site, cli):
    from google.oauth2 import service_account

    from workflow.google.operations import FOLDER_MIME

    scopes = ["https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/documents"]
    creds = service_account.Credentials.from_service_account_file(str(google_site.key), scopes=scopes)
    drive, _ = build_clients(google_site.sandbox, creds.with_subject(OWNER))
    folder = drive.files().create(body={"name": "Our reviews", "mimeType": FOLDER_MIME}, fields="id").execute()["id"]
    config = google_site.site.root / "config" / "workflow.toml"
    config.write_text(config.read_text().replace("[google]\n", f'[google]\nreview_folder_id = "{folder}"\n'))
    post = exported(google_site, cli)
    assert drive.files().get(fileId=post["doc_id"], fields="parents").execute()["parents"] == [folder]
    approved_at = approve(google_site, post["doc_id"])

    report = sync(cli)

    assert (report["listed"], report["checked"], report["approved_posts"]) == (1, 1, [post["post_id"]])
    assert (google_site.site.posts / "hello.md").read_text(encoding="utf-8") == approved_post(approved_at, post["url"])


def test_approved_text_comes_home_once_even_when_the_doc_changes_afterwards(google_site, cli):
    google_site.configure(role="writer")
    post = exported(google_site, cli)
    approved_at = approve(google_site, post["doc_id"])
    assert sync(cli)["approved_posts"] == [post["post_id"]]
    path = google_site.site.posts / "hello.md"
    written = path.read_text(encoding="utf-8")
    assert written == approved_post(approved_at, post["url"])
    _, docs = google_site.reviewer(REVIEWER)  # a reviewer types into the approved Doc
    docs.documents().batchUpdate(documentId=post["doc_id"], body={"requests": [
        {"insertText": {"location": {"index": 1}, "text": "Late words. "}}]}).execute()

    report = sync(cli)

    assert (report["read"], report["approved_posts"], report["conflict_posts"]) == (1, [], [])
    assert path.read_text(encoding="utf-8") == written
    assert sorted(p.name for p in google_site.site.posts.iterdir()) == ["hello.md"]


def test_a_sync_with_nothing_exported_reports_nothing(google_site, cli):
    assert sync(cli) == {"listed": 0, "checked": 0, "read": 0, "approved": 0, "conflicts": 0, "declined": 0,
                         "overdue": 0, "errors": 0, "notices_sent": 0, "notices_failed": 0, "approved_posts": [],
                         "conflict_posts": [], "declined_posts": [], "overdue_posts": [], "error_messages": [],
                         "warnings": []}


def test_the_approval_the_worker_started_is_followed_not_a_newer_one_someone_else_started(google_site, cli):
    google_site.configure(role="writer")
    post = exported(google_site, cli)  # Drive answers approvals.start without the new approval's id
    assert sync(cli)["checked"] == 1   # the poll finds it and records it
    drive, _ = google_site.reviewer(REVIEWER)
    [ours] = drive.approvals().list(fileId=post["doc_id"], fields="items(approvalId)").execute()["items"]
    drive.approvals().decline(fileId=post["doc_id"], approvalId=ours["approvalId"], body={}).execute()
    drive.approvals().start(fileId=post["doc_id"], fields="approvalId",
                            body={"reviewerEmails": [REVIEWER], "message": "my own round"}).execute()

    report = sync(cli)

    assert report["declined_posts"] == [post["post_id"]]
    [row] = cli("reviews", "--json").json["board"]
    assert (row["state"], row["reviewers"], row["decline_message"]) == (
        "declined", {REVIEWER: "DECLINED"}, f"declined by {REVIEWER}")


def test_a_doc_whose_export_failed_before_the_review_is_not_followed(google_site, cli):
    google_site.site.post("hello.md", POST)
    google_site.fault(method="drive.permissions.create", kind="status", status=500, times=9)
    [failed] = cli("export", "--json").json["posts"]
    assert failed["state"] == "failed" and failed["doc_id"]  # the Doc exists, nobody was invited

    report = sync(cli)

    assert (report["listed"], report["checked"], report["read"]) == (1, 0, 0)
    assert cli("reviews", "--json").json == {"board": [], "sync": None}


def test_a_doc_google_cannot_read_is_one_error_line_and_the_other_docs_are_read(google_site, cli):
    first = exported(google_site, cli, "a.md", POST)
    second = exported(google_site, cli, "b.md", POST.replace("Hello", "Second"))
    assert sync(cli)["read"] == 2
    for post in (first, second):  # a reviewer comments on both
        drive, _ = google_site.reviewer(REVIEWER)
        drive.comments().create(fileId=post["doc_id"], fields="id", body={"content": "Nice."}).execute()
    google_site.fault(method="drive.comments.list", kind="status", status=500, times=9)

    result = cli("reviews", "--sync", "--json")

    assert (result.code, result.json["sync"]["read"], result.json["sync"]["error_messages"]) == (
        1, 1, [f"{first['post_id']}: HTTP 500 backendError: Internal error encountered."])
    google_site.fault(method="drive.comments.list", kind="drop", times=30)
    google_site.site.post("b.md", POST.replace("Hello", "Second, again"))  # nothing for the poll
    drive.comments().create(fileId=first["doc_id"], fields="id", body={"content": "Still nice."}).execute()
    dropped = cli("reviews", "--sync", "--json").json["sync"]
    [error] = dropped["error_messages"]
    assert dropped["read"] == 0 and error == (
        f"{first['post_id']}: RemoteDisconnected: Remote end closed connection without response")


def test_a_doc_that_changed_is_read_though_an_unchanged_one_comes_before_it(google_site, cli):
    exported(google_site, cli, "a.md", POST)
    second = exported(google_site, cli, "b.md", POST.replace("Hello", "Second"))
    sync(cli)
    drive, _ = google_site.reviewer(REVIEWER)
    drive.comments().create(fileId=second["doc_id"], fields="id", body={"content": "Nice."}).execute()

    report = sync(cli)

    assert (report["listed"], report["read"]) == (2, 1)
    rows = {row["path"]: row["comments_open"] for row in cli("reviews", "--json").json["board"]}
    assert rows == {"posts/a.md": 0, "posts/b.md": 1}


def test_approved_text_comes_home_with_its_images_relative_to_the_site_url(google_site, cli):
    from sandbox_fixtures import publish_images

    publish_images(google_site.sandbox, "https://blog.example.com/")
    google_site.configure('[content]\nsite_url = "https://blog.example.com/posts"')
    body = "# Hello\n\nFirst paragraph.\n\n![A bench](images/bench.png)\n"
    post = exported(google_site, cli, "hello.md", "---\ntitle: Hello\n---\n" + body)
    approved_at = approve(google_site, post["doc_id"])

    assert sync(cli)["approved_posts"] == [post["post_id"]]

    written = (google_site.site.posts / "hello.md").read_text(encoding="utf-8")
    assert written == approved_post(approved_at, post["url"], body)


def test_a_doc_moved_into_the_approved_folder_is_approved_and_its_text_comes_home(google_site, cli):
    drive, _ = google_site.owner()
    folder = drive.files().create(body={"name": "Approved posts", "mimeType": "application/vnd.google-apps.folder"},
                                  fields="id").execute()["id"]
    google_site.configure(f'approved_folder_id = "{folder}"', role="writer", google='drive_scope = "drive"')
    post = exported(google_site, cli)
    assert sync(cli)["listed"] == 1
    _, docs = google_site.reviewer(REVIEWER)  # an editor fixes a word, then files the Doc as approved
    docs.documents().batchUpdate(documentId=post["doc_id"], body={"requests": [{"replaceAllText": {
        "containsText": {"text": "Last paragraph.", "matchCase": True}, "replaceText": "Last words."}}]}).execute()
    parents = drive.files().get(fileId=post["doc_id"], fields="parents").execute()["parents"]
    drive.files().update(fileId=post["doc_id"], addParents=folder, removeParents=",".join(parents),
                         fields="id").execute()

    report = sync(cli)

    assert (report["listed"], report["approved_posts"]) == (1, [post["post_id"]])
    [row] = cli("reviews", "--json").json["board"]
    assert row["state"] == "approved"
    written = (google_site.site.posts / "hello.md").read_text(encoding="utf-8")
    assert written.endswith("---\n# Hello\n\nFirst paragraph.\n\nLast words.\n") and "status: approved" in written
