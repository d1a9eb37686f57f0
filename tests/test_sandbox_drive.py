"""Drive v3 in the sandbox, through the real client: files, q, paging, fields, permissions,
the drive.file rule, shared drives, approvals, batches, long GETs."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from googleapiclient.errors import HttpError

from sandbox_fixtures import OWNER, SCOPE, app_clients, batch_for, control, reviewer_clients

FOLDER = "application/vnd.google-apps.folder"
PLAIN = "text/plain"


def _folder(drive, name="Reviews", **extra):
    return drive.files().create(body={"name": name, "mimeType": FOLDER, **extra},
                                fields="id,name,version,modifiedTime").execute()


def _file(drive, name, parent=None, **extra):
    body = {"name": name, "mimeType": PLAIN, **extra}
    if parent:
        body["parents"] = [parent]
    return drive.files().create(body=body, fields="id,name,version,modifiedTime,parents").execute()


def test_default_fields_and_masks(drive):
    created = drive.files().create(body={"name": "a", "mimeType": FOLDER}).execute()
    assert set(created) == {"kind", "id", "name", "mimeType"}
    masked = drive.files().get(fileId=created["id"], fields="id,capabilities/canEdit,owners(emailAddress)").execute()
    assert masked == {"id": created["id"], "capabilities": {"canEdit": True}, "owners": [{"emailAddress": OWNER}]}
    with pytest.raises(HttpError) as caught:
        drive.files().get(fileId=created["id"], fields="id,nmae").execute()
    assert caught.value.status_code == 400 and "nmae" in caught.value.reason


def test_generated_id_is_accepted_once_and_unknown_ids_are_refused(drive):
    file_id = drive.files().generateIds(count=1).execute()["ids"][0]
    assert _file(drive, "post.txt", id=file_id)["id"] == file_id
    with pytest.raises(HttpError) as caught:
        _file(drive, "again.txt", id=file_id)
    assert caught.value.status_code == 409
    with pytest.raises(HttpError) as caught:
        _file(drive, "made-up.txt", id="1madeUpIdThatWasNeverGenerated000")
    assert caught.value.status_code == 400


def test_queries_the_worker_uses(drive):
    folder = _folder(drive)
    post = _file(drive, "It's here", folder["id"], appProperties={"postId": "p-1"}, properties={"lang": "en"})
    _file(drive, "Other", folder["id"], appProperties={"postId": "p-2"})
    outside = _file(drive, "Outside")
    drive.files().update(fileId=outside["id"], body={"trashed": True}).execute()

    def names(q):
        return sorted(f["name"] for f in drive.files().list(q=q, fields="files(name)").execute()["files"])

    assert names(f"'{folder['id']}' in parents and trashed = false") == ["It's here", "Other"]
    assert names("appProperties has { key='postId' and value='p-1' } and trashed=false") == ["It's here"]
    assert names("properties has { key='lang' and value='en' }") == ["It's here"]
    assert names("name = 'It\\'s here'") == ["It's here"]
    assert names("name contains 'oth' or (mimeType = 'application/vnd.google-apps.folder')") == ["Other", "Reviews"]
    assert names("not name contains 'e' and trashed = true") == []
    assert names("trashed = true") == ["Outside"]
    assert post["id"]


def test_unparsable_query_is_a_clear_400(drive):
    with pytest.raises(HttpError) as caught:
        drive.files().list(q="name = 'unterminated").execute()
    assert caught.value.status_code == 400
    assert "cannot parse q" in caught.value.reason


def test_paging(drive):
    for number in range(5):
        _file(drive, f"f{number}")
    seen, token = [], None
    while True:
        page = drive.files().list(pageSize=2, pageToken=token, orderBy="name",
                                  fields="nextPageToken,files(name)").execute()
        seen += [f["name"] for f in page["files"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert seen == ["f0", "f1", "f2", "f3", "f4"]


def test_update_bumps_version_and_moves_between_parents(drive):
    first, second = _folder(drive, "one"), _folder(drive, "two")
    item = _file(drive, "x", first["id"])
    moved = drive.files().update(fileId=item["id"], addParents=second["id"], removeParents=first["id"],
                                 body={"name": "y", "appProperties": {"k": "v"}},
                                 fields="name,parents,version,appProperties,modifiedTime").execute()
    assert moved["parents"] == [second["id"]] and moved["name"] == "y"
    assert int(moved["version"]) > int(item["version"])
    assert moved["modifiedTime"] >= item["modifiedTime"]
    removed = drive.files().update(fileId=item["id"], body={"appProperties": {"k": None}},
                                   fields="appProperties").execute()
    assert removed["appProperties"] == {}
    with pytest.raises(HttpError) as caught:
        drive.files().update(fileId=item["id"], body={"parents": [first["id"]]}).execute()
    assert caught.value.status_code == 403


def test_app_properties_limits(drive):
    with pytest.raises(HttpError) as caught:
        _file(drive, "big", appProperties={"k": "v" * 124})
    assert caught.value.status_code == 400
    many = {f"k{n}": "v" for n in range(31)}
    with pytest.raises(HttpError):
        _file(drive, "many", appProperties=many)
    assert _file(drive, "ok", appProperties={f"k{n}": "v" for n in range(30)})["id"]


def test_app_properties_are_private_to_the_app(sandbox, drive, tmp_path):
    item = _file(drive, "x", appProperties={"postId": "1"})
    other_app, _docs = app_clients(sandbox, tmp_path, email="other@sandbox-project.iam.gserviceaccount.com",
                                   scopes=[SCOPE + "drive"])
    seen = other_app.files().get(fileId=item["id"], fields="appProperties").execute()
    assert seen.get("appProperties", {}) == {}


def test_drive_file_app_cannot_use_a_folder_made_by_hand(sandbox, drive, tmp_path):
    owner_ui, _docs = reviewer_clients(sandbox, OWNER)
    by_hand = _folder(owner_ui, "made in the Drive UI")
    with pytest.raises(HttpError) as caught:
        _file(drive, "post", by_hand["id"])
    assert caught.value.status_code == 404
    assert drive.files().list(q=f"'{by_hand['id']}' in parents").execute()["files"] == []
    # The full drive scope may use it.
    full, _docs = app_clients(sandbox, tmp_path, scopes=[SCOPE + "drive"])
    assert _file(full, "post", by_hand["id"])["parents"] == [by_hand["id"]]


def test_file_opened_with_the_app_becomes_usable(sandbox, drive):
    owner_ui, _docs = reviewer_clients(sandbox, OWNER)
    by_hand = _folder(owner_ui, "picked")
    app_id = sandbox.state.auth.service_accounts["workflow@sandbox-project.iam.gserviceaccount.com"]["client_id"]
    control(sandbox, "POST", f"files/{by_hand['id']}/open-with", {"app": app_id})
    assert _file(drive, "post", by_hand["id"])["parents"] == [by_hand["id"]]


def test_roles_of_reviewers(sandbox, drive):
    item = _file(drive, "shared")
    for email, role in (("reader@example.com", "reader"), ("writer@example.com", "writer")):
        drive.permissions().create(fileId=item["id"], body={"type": "user", "role": role, "emailAddress": email},
                                   sendNotificationEmail=False).execute()
    stranger, _docs = reviewer_clients(sandbox, "stranger@example.com")
    with pytest.raises(HttpError) as caught:
        stranger.files().get(fileId=item["id"]).execute()
    assert caught.value.status_code == 404
    reader, _docs = reviewer_clients(sandbox, "reader@example.com")
    assert reader.files().get(fileId=item["id"], fields="capabilities/canEdit").execute() == {
        "capabilities": {"canEdit": False}}
    with pytest.raises(HttpError) as caught:
        reader.files().update(fileId=item["id"], body={"name": "nope"}).execute()
    assert caught.value.status_code == 403
    writer, _docs = reviewer_clients(sandbox, "writer@example.com")
    assert writer.files().update(fileId=item["id"], body={"name": "renamed"}).execute()["name"] == "renamed"
    shared_with_me = writer.files().list(q="sharedWithMe = true", fields="files(id)").execute()["files"]
    assert [f["id"] for f in shared_with_me] == [item["id"]]


def test_permissions_create_list_get_delete_and_notifications(sandbox, drive):
    item = _file(drive, "shared")
    created = drive.permissions().create(
        fileId=item["id"], body={"type": "user", "role": "commenter", "emailAddress": "rev@example.com"},
        emailMessage="Please review", fields="id,role,emailAddress,type").execute()
    assert created["role"] == "commenter" and created["emailAddress"] == "rev@example.com"
    listed = drive.permissions().list(fileId=item["id"], fields="permissions(id,role,emailAddress)").execute()
    assert {p["role"] for p in listed["permissions"]} == {"owner", "commenter"}
    assert drive.permissions().get(fileId=item["id"], permissionId=created["id"]).execute()["role"] == "commenter"
    notes = control(sandbox, "GET", "notifications")
    assert notes[-1]["to"] == "rev@example.com" and notes[-1]["message"] == "Please review"
    drive.permissions().delete(fileId=item["id"], permissionId=created["id"]).execute()
    reviewer, _docs = reviewer_clients(sandbox, "rev@example.com")
    with pytest.raises(HttpError):
        reviewer.files().get(fileId=item["id"]).execute()
    owner_id = [p["id"] for p in listed["permissions"] if p["role"] == "owner"][0]
    with pytest.raises(HttpError) as caught:
        drive.permissions().delete(fileId=item["id"], permissionId=owner_id).execute()
    assert caught.value.status_code == 403


def test_anyone_permission_is_allowed_but_recorded(sandbox, drive):
    item = _file(drive, "public")
    drive.permissions().create(fileId=item["id"], body={"type": "anyone", "role": "reader"}).execute()
    assert [n for n in control(sandbox, "GET", "notifications") if n["kind"] == "public_share"]
    anybody, _docs = reviewer_clients(sandbox, "anybody@elsewhere.org")
    assert anybody.files().get(fileId=item["id"]).execute()["id"] == item["id"]


def test_permission_rules(drive):
    item = _file(drive, "x")
    bad = [({"type": "user", "role": "owner", "emailAddress": "a@example.com"}, 403),
           ({"type": "user", "role": "organizer", "emailAddress": "a@example.com"}, 403),
           ({"type": "user", "role": "writer"}, 400),
           ({"type": "robot", "role": "writer"}, 400)]
    for body, status in bad:
        with pytest.raises(HttpError) as caught:
            drive.permissions().create(fileId=item["id"], body=body).execute()
        assert caught.value.status_code == status, body


def test_folder_permission_is_inherited(sandbox, drive):
    folder = _folder(drive)
    item = _file(drive, "inside", folder["id"])
    drive.permissions().create(fileId=folder["id"], sendNotificationEmail=False,
                               body={"type": "user", "role": "reader", "emailAddress": "team@example.com"}).execute()
    team, _docs = reviewer_clients(sandbox, "team@example.com")
    assert team.files().get(fileId=item["id"]).execute()["id"] == item["id"]


def test_shared_drive_needs_supports_all_drives(sandbox, tmp_path):
    drive, _docs = app_clients(sandbox, tmp_path, scopes=[SCOPE + "drive"])
    shared = drive.drives().create(requestId="req-1", body={"name": "Blog"}).execute()
    folder = drive.files().create(body={"name": "in drive", "mimeType": FOLDER, "parents": [shared["id"]]},
                                  supportsAllDrives=True, fields="id,driveId").execute()
    assert folder["driveId"] == shared["id"]
    with pytest.raises(HttpError) as caught:
        drive.files().get(fileId=folder["id"]).execute()
    assert caught.value.status_code == 404
    listed = drive.files().list(corpora="drive", driveId=shared["id"], includeItemsFromAllDrives=True,
                                supportsAllDrives=True, fields="files(id)").execute()
    assert [f["id"] for f in listed["files"]] == [folder["id"]]
    assert drive.files().list(fields="files(id)").execute()["files"] == []


def test_delete_removes_a_folder_and_its_content(drive):
    folder = _folder(drive)
    item = _file(drive, "inside", folder["id"])
    drive.files().delete(fileId=folder["id"]).execute()
    with pytest.raises(HttpError) as caught:
        drive.files().get(fileId=item["id"]).execute()
    assert caught.value.status_code == 404


APPROVAL = "approvalId,status,reviewerResponses(response),approvedRevisionId,completeTime"


def approval_id(drive, file_id: str) -> str:
    """The newest approval's id (approvals.start may answer without one, as at Google)."""
    items = drive.approvals().list(fileId=file_id, fields="items(approvalId,createTime)").execute()["items"]
    return max(items, key=lambda a: a["createTime"])["approvalId"]


def test_approvals_flow(sandbox, drive):
    item = _file(drive, "for approval")
    for email in ("a@example.com", "b@example.com"):
        drive.permissions().create(fileId=item["id"], sendNotificationEmail=False,
                                   body={"type": "user", "role": "commenter", "emailAddress": email}).execute()
    started = drive.approvals().start(fileId=item["id"], fields=APPROVAL, body={
        "reviewerEmails": ["a@example.com", "b@example.com"], "dueTime": "2030-01-01T00:00:00Z",
        "message": "ok?", "fileContentChangeBehavior": "RESET_APPROVAL"}).execute()
    assert started["status"] == "IN_PROGRESS" and "approvalId" not in started  # as live Drive may answer
    assert {r["response"] for r in started["reviewerResponses"]} == {"NO_RESPONSE"}
    assert set(started) <= set(sandbox_schema("Approval"))
    first = approval_id(drive, item["id"])
    with pytest.raises(HttpError):
        drive.approvals().approve(fileId=item["id"], approvalId=first, body={}).execute()
    reviewer_a, _docs = reviewer_clients(sandbox, "a@example.com")
    reviewer_b, _docs = reviewer_clients(sandbox, "b@example.com")
    half = reviewer_a.approvals().approve(fileId=item["id"], approvalId=first, body={}, fields=APPROVAL).execute()
    assert half["status"] == "IN_PROGRESS"
    done = reviewer_b.approvals().approve(fileId=item["id"], approvalId=first, fields=APPROVAL,
                                          body={"message": "fine"}).execute()
    assert done["status"] == "APPROVED" and done["approvedRevisionId"] and done["completeTime"]
    # Without `fields`, approvals answers carry only their kind (as live Drive may answer).
    assert drive.approvals().get(fileId=item["id"], approvalId=first).execute() == {"kind": "drive#approval"}
    assert drive.approvals().list(fileId=item["id"]).execute() == {
        "kind": "drive#approvalList", "items": [{"kind": "drive#approval"}]}
    listed = drive.approvals().list(fileId=item["id"], fields="items(status)").execute()
    assert [a["status"] for a in listed["items"]] == ["APPROVED"]
    drive.approvals().start(fileId=item["id"], body={"reviewerEmails": ["a@example.com"]}).execute()
    declined = reviewer_a.approvals().decline(fileId=item["id"], approvalId=approval_id(drive, item["id"]),
                                              body={}, fields="status").execute()
    assert declined["status"] == "DECLINED"
    drive.approvals().start(fileId=item["id"], body={"reviewerEmails": ["b@example.com"]}).execute()
    third = approval_id(drive, item["id"])
    cancelled = drive.approvals().cancel(fileId=item["id"], approvalId=third, body={}, fields="status").execute()
    assert cancelled["status"] == "CANCELLED"
    assert drive.approvals().get(fileId=item["id"], approvalId=third, fields="status").execute()["status"] \
        == "CANCELLED"
    assert [n["to"] for n in control(sandbox, "GET", "notifications") if n["kind"] == "approval"][:2] == [
        "a@example.com", "b@example.com"]


def sandbox_schema(name):
    from workflow.sandbox.discovery import service
    return service("drive").schemas[name]["properties"]


def test_batch_of_permissions(sandbox, drive):
    item = _file(drive, "batch")
    answers = {}

    def collect(request_id, response, exception):
        answers[request_id] = exception or response

    batch = batch_for(sandbox, collect)
    for number in range(3):
        batch.add(drive.permissions().create(
            fileId=item["id"], sendNotificationEmail=False,
            body={"type": "user", "role": "reader", "emailAddress": f"r{number}@example.com"}))
    batch.add(drive.permissions().create(fileId=item["id"], body={"type": "user", "role": "nope",
                                                                  "emailAddress": "x@example.com"}))
    batch.execute()
    assert sorted(a["role"] for a in answers.values() if isinstance(a, dict)) == ["reader"] * 3
    assert sum(isinstance(a, HttpError) for a in answers.values()) == 1
    listed = drive.permissions().list(fileId=item["id"], fields="permissions(emailAddress)").execute()
    assert len(listed["permissions"]) == 4


def test_long_get_sent_as_post_with_method_override(drive):
    folder = _folder(drive)
    long_query = " or ".join(f"name = 'n{number:04d}'" for number in range(150)) + f" or '{folder['id']}' in parents"
    _file(drive, "n0001", folder["id"])
    found = drive.files().list(q=long_query, fields="files(name)").execute()
    assert found["files"] == [{"name": "n0001"}]


def test_unknown_body_field_and_query_parameter_are_400(sandbox, drive):
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"name": "x", "nmae": "typo"}).execute()
    assert caught.value.status_code == 400
    assert 'Unknown name "nmae"' in caught.value.reason
    token = sandbox.user_token(OWNER)
    request = urllib.request.Request(sandbox.url + "drive/v3/files?bogus=1",
                                     headers={"Authorization": f"Bearer {token}"})
    with pytest.raises(urllib.error.HTTPError) as raw:
        urllib.request.urlopen(request, timeout=10)
    assert raw.value.code == 400
    assert "Cannot bind query parameter" in json.loads(raw.value.read())["error"]["message"]



def test_refused_update_changes_nothing(drive):
    item = _file(drive, "before", appProperties={"k": "v"})
    with pytest.raises(HttpError) as caught:
        drive.files().update(fileId=item["id"], body={"name": "after", "appProperties": {"big": "x" * 200}}).execute()
    assert caught.value.status_code == 400
    unchanged = drive.files().get(fileId=item["id"], fields="name,version,appProperties").execute()
    assert unchanged == {"name": "before", "version": item["version"], "appProperties": {"k": "v"}}
