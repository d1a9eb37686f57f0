"""The sandbox's Sheets v4 through the real client: values in A1 notation, render and input options,
grid limits, atomic batchUpdate, protection, the drive.file rule, Drive versions, faults, the viewer."""

from __future__ import annotations

import urllib.request

import pytest
from googleapiclient.errors import HttpError
from sandbox_fixtures import OWNER, app_clients, control, editor_sheets, reviewer_clients, sheets_client
from google.oauth2 import service_account

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
SCOPE = "https://www.googleapis.com/auth/"
EDITOR = "ed@example.com"


def new_sheet(sandbox, email: str = OWNER, share_with: tuple[str, ...] = ()) -> tuple[str, object, object]:
    """A spreadsheet made in the Drive UI by `email`: (id, their drive, their sheets)."""
    drive, _docs = reviewer_clients(sandbox, email)
    file = drive.files().create(body={"name": "Plan", "mimeType": SHEET_MIME}, fields="id").execute()
    for other in share_with:
        drive.permissions().create(fileId=file["id"], body={"type": "user", "role": "writer", "emailAddress": other},
                                   sendNotificationEmail=False).execute()
    return file["id"], drive, editor_sheets(sandbox, email)


def version(drive, file_id: str) -> int:
    return int(drive.files().get(fileId=file_id, fields="version").execute()["version"])


def error_of(call) -> HttpError:
    with pytest.raises(HttpError) as caught:
        call.execute()
    return caught.value


def test_values_in_and_out_with_every_option_and_each_edit_bumps_the_drive_version(sandbox):
    sheet_id, drive, sheets = new_sheet(sandbox)
    values = sheets.spreadsheets().values()
    start = version(drive, sheet_id)
    values.update(spreadsheetId=sheet_id, range="Sheet1!A1", valueInputOption="RAW",
                  body={"values": [["=SUM(1)", 42, "2026-03-01"]]}).execute()
    values.update(spreadsheetId=sheet_id, range="Sheet1!A3:D3", valueInputOption="USER_ENTERED",
                  body={"values": [["=SUM(1)", "1,234.5", "2026-03-01", "'007"]]}).execute()
    assert version(drive, sheet_id) == start + 2

    def get(**options):
        return values.get(spreadsheetId=sheet_id, range="Sheet1!A1:D", **options).execute()

    formatted = get()
    assert formatted["range"] == "Sheet1!A1:D1000"
    # RAW keeps "=SUM(1)" and the date as text; USER_ENTERED makes a formula, a number, a date.
    # The empty row 2 comes back empty; nothing after the last row with data.
    assert formatted["values"] == [["=SUM(1)", "42", "2026-03-01"], [], ["#NAME?", "1234.5", "2026-03-01", "007"]]
    unformatted = get(valueRenderOption="UNFORMATTED_VALUE")["values"]
    assert unformatted[0] == ["=SUM(1)", 42, "2026-03-01"]
    assert unformatted[2][1:] == [1234.5, 46082, "007"]                # the date as a serial number
    assert get(valueRenderOption="FORMULA")["values"][2][0] == "=SUM(1)"
    assert get(valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="FORMATTED_STRING")["values"][2][2] \
        == "2026-03-01"
    columns = values.get(spreadsheetId=sheet_id, range="Sheet1!A1:B3", majorDimension="COLUMNS").execute()
    assert columns["values"] == [["=SUM(1)", "", "#NAME?"], ["42", "", "1234.5"]]
    both = values.batchGet(spreadsheetId=sheet_id, ranges=["Sheet1!B1", "Sheet1!D3"]).execute()
    assert [r["values"] for r in both["valueRanges"]] == [[["42"]], [["007"]]]
    assert version(drive, sheet_id) == start + 2                       # reads change nothing


def test_writes_outside_the_grid_are_refused_and_append_adds_rows(sandbox):
    sheet_id, _drive, sheets = new_sheet(sandbox)
    values = sheets.spreadsheets().values()
    error = error_of(values.update(spreadsheetId=sheet_id, range="Sheet1!A1000", valueInputOption="RAW",
                                   body={"values": [["last"], ["one too many"]]}))
    assert error.resp.status == 400 and "exceeds grid limits. Max rows: 1000, max columns: 26" in str(error)
    error = error_of(values.update(spreadsheetId=sheet_id, range="Sheet1!A1:B1", valueInputOption="RAW",
                                   body={"values": [["a", "b", "c"]]}))
    assert error.resp.status == 400                                    # more data than the range holds
    error = error_of(values.update(spreadsheetId=sheet_id, range="Nope!A1", valueInputOption="RAW",
                                   body={"values": [["x"]]}))
    assert "Unable to parse range: Nope!A1" in str(error)
    error = error_of(values.update(spreadsheetId=sheet_id, range="Sheet1!A1", body={"values": [["x"]]}))
    assert "valueInputOption" in str(error)
    values.update(spreadsheetId=sheet_id, range="Sheet1!A999", valueInputOption="RAW",
                  body={"values": [["row 999"], ["row 1000"]]}).execute()
    reply = values.append(spreadsheetId=sheet_id, range="Sheet1!A1:B", valueInputOption="USER_ENTERED",
                          body={"values": [["row 1001"], ["row 1002"]]}).execute()
    assert reply["updates"]["updatedRange"] == "Sheet1!A1001:A1002"
    grid = sheets.spreadsheets().get(spreadsheetId=sheet_id).execute()["sheets"][0]["properties"]["gridProperties"]
    assert grid["rowCount"] == 1002


def test_batch_update_is_atomic_and_checked_against_the_discovery_document(sandbox):
    sheet_id, drive, sheets = new_sheet(sandbox)
    start = version(drive, sheet_id)
    rename = {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "Topics"}, "fields": "title"}}
    error = error_of(sheets.spreadsheets().batchUpdate(spreadsheetId=sheet_id, body={"requests": [
        rename, {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 1000}}}]}))
    assert "Invalid requests[1].deleteDimension" in str(error)
    error = error_of(sheets.spreadsheets().batchUpdate(spreadsheetId=sheet_id, body={"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": 0, "titel": "x"}, "fields": "title"}}]}))
    assert 'Unknown name "titel"' in str(error)
    assert sheets.spreadsheets().get(spreadsheetId=sheet_id).execute()["sheets"][0]["properties"]["title"] == "Sheet1"
    assert version(drive, sheet_id) == start                           # nothing was applied
    sheets.spreadsheets().batchUpdate(spreadsheetId=sheet_id, body={"requests": [rename]}).execute()
    assert version(drive, sheet_id) == start + 1


def test_rows_moved_inserted_and_deleted_carry_their_cells_and_rules(sandbox):
    sheet_id, _drive, sheets = new_sheet(sandbox)
    values = sheets.spreadsheets().values()
    values.update(spreadsheetId=sheet_id, range="Sheet1!A1:B4", valueInputOption="RAW",
                  body={"values": [["h", ""], ["one", "high"], ["two", "low"], ["three", ""]]}).execute()
    sheets.spreadsheets().batchUpdate(spreadsheetId=sheet_id, body={"requests": [
        {"setDataValidation": {"range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 4, "startColumnIndex": 1,
                                         "endColumnIndex": 2},
                               "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "high"}]},
                                        "showCustomUi": True}}},
        {"moveDimension": {"source": {"sheetId": 0, "dimension": "ROWS", "startIndex": 3, "endIndex": 4},
                           "destinationIndex": 1}},
        {"deleteDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 2, "endIndex": 3}}},
        {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 2},
                             "inheritFromBefore": False}},
    ]}).execute()
    got = values.get(spreadsheetId=sheet_id, range="Sheet1!A1:B").execute()["values"]
    assert got == [["h"], [], ["three"], ["two", "low"]]
    grid = sheets.spreadsheets().get(spreadsheetId=sheet_id, ranges=["Sheet1!B2:B4"], includeGridData=True).execute()
    rows = grid["sheets"][0]["data"][0]["rowData"]
    assert all(row["values"][0]["dataValidation"]["condition"]["type"] == "ONE_OF_LIST" for row in rows)


def test_protected_ranges_refuse_other_editors_unless_warning_only(sandbox):
    sheet_id, _drive, owner_sheets = new_sheet(sandbox, share_with=(EDITOR,))
    owner_sheets.spreadsheets().batchUpdate(spreadsheetId=sheet_id, body={"requests": [
        {"addProtectedRange": {"protectedRange": {"range": {"sheetId": 0, "startColumnIndex": 0, "endColumnIndex": 1},
                                                  "description": "locked"}}},
        {"addProtectedRange": {"protectedRange": {"range": {"sheetId": 0, "startColumnIndex": 1, "endColumnIndex": 2},
                                                  "description": "careful", "warningOnly": True}}},
    ]}).execute()
    editor = editor_sheets(sandbox, EDITOR).spreadsheets().values()
    error = error_of(editor.update(spreadsheetId=sheet_id, range="Sheet1!A2", valueInputOption="RAW",
                                   body={"values": [["x"]]}))
    assert "protected cell" in str(error)
    editor.update(spreadsheetId=sheet_id, range="Sheet1!B2", valueInputOption="RAW", body={"values": [["ok"]]}).execute()
    owner_sheets.spreadsheets().values().update(spreadsheetId=sheet_id, range="Sheet1!A2", valueInputOption="RAW",
                                                body={"values": [["mine"]]}).execute()
    protected = owner_sheets.spreadsheets().get(spreadsheetId=sheet_id).execute()["sheets"][0]["protectedRanges"]
    assert [(p["description"], p.get("warningOnly", False)) for p in protected] == [("locked", False), ("careful", True)]


def test_drive_file_reaches_only_the_apps_own_spreadsheets(sandbox, tmp_path):
    theirs, _drive, _sheets = new_sheet(sandbox)
    app_drive, _docs = app_clients(sandbox, tmp_path)
    mine = app_drive.files().create(body={"name": "Queue", "mimeType": SHEET_MIME}, fields="id").execute()["id"]
    key = next(tmp_path.glob("key-*.json"))

    def app_sheets(scopes):
        creds = service_account.Credentials.from_service_account_file(str(key), scopes=scopes).with_subject(OWNER)
        return sheets_client(sandbox, creds).spreadsheets()

    narrow = app_sheets([SCOPE + "drive.file"])
    assert narrow.get(spreadsheetId=mine).execute()["spreadsheetId"] == mine
    assert error_of(narrow.get(spreadsheetId=theirs)).resp.status == 404
    assert error_of(narrow.values().get(spreadsheetId=theirs, range="A1")).resp.status == 404
    broad = app_sheets([SCOPE + "spreadsheets"])
    assert broad.get(spreadsheetId=theirs).execute()["spreadsheetId"] == theirs
    readonly = app_sheets([SCOPE + "spreadsheets.readonly"])
    error = error_of(readonly.values().update(spreadsheetId=theirs, range="A1", valueInputOption="RAW",
                                              body={"values": [["x"]]}))
    assert error.resp.status == 403                                     # insufficient scopes
    stranger = editor_sheets(sandbox, "stranger@example.com").spreadsheets()
    assert error_of(stranger.get(spreadsheetId=theirs)).resp.status == 404


def test_faults_and_the_request_log_cover_sheets_calls(sandbox):
    sheet_id, _drive, sheets = new_sheet(sandbox)
    control(sandbox, "POST", "faults", {"method": "sheets.spreadsheets.values.batchUpdate",
                                        "kind": "commit_then_fail", "status": 503})
    body = {"valueInputOption": "RAW", "data": [{"range": "Sheet1!A1", "values": [["landed"]]}]}
    assert error_of(sheets.spreadsheets().values().batchUpdate(spreadsheetId=sheet_id, body=body)).resp.status == 503
    assert sheets.spreadsheets().values().get(spreadsheetId=sheet_id, range="A1").execute()["values"] == [["landed"]]
    logged = [r for r in control(sandbox, "GET", "requests") if r["method"].startswith("sheets.")]
    assert [(r["method"], r["status"]) for r in logged][-2:] == [
        ("sheets.spreadsheets.values.batchUpdate", 503), ("sheets.spreadsheets.values.get", 200)]


def test_the_html_view_shows_the_grid_escaped(sandbox):
    sheet_id, _drive, sheets = new_sheet(sandbox)
    sheets.spreadsheets().values().update(spreadsheetId=sheet_id, range="Sheet1!A1:B1", valueInputOption="RAW",
                                          body={"values": [["Title", "<script>alert(1)</script>"]]}).execute()
    with urllib.request.urlopen(f"{sandbox.url}spreadsheets/d/{sheet_id}/edit", timeout=10) as reply:
        page = reply.read().decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
    assert "<h2>Sheet1</h2>" in page


def test_spreadsheets_create_makes_a_drive_file_and_clear_empties_ranges(sandbox):
    sheets = editor_sheets(sandbox, OWNER).spreadsheets()
    made = sheets.create(body={"properties": {"title": "Made In Sheets"},
                               "sheets": [{"properties": {"title": "Topics"}}]}).execute()
    sheet_id = made["spreadsheetId"]
    assert made["spreadsheetUrl"].endswith(f"/spreadsheets/d/{sheet_id}/edit")
    drive, _docs = reviewer_clients(sandbox, OWNER)
    meta = drive.files().get(fileId=sheet_id, fields="name,mimeType").execute()
    assert meta == {"name": "Made In Sheets", "mimeType": SHEET_MIME}
    values = sheets.values()
    values.update(spreadsheetId=sheet_id, range="Topics!A1:B3", valueInputOption="RAW",
                  body={"values": [["a", "b"], ["c", "d"], ["e", "f"]]}).execute()
    start = version(drive, sheet_id)
    assert values.clear(spreadsheetId=sheet_id, range="Topics!A1:A2", body={}).execute()["clearedRange"] \
        == "Topics!A1:A2"
    cleared = values.batchClear(spreadsheetId=sheet_id, body={"ranges": ["Topics!B3", "Topics!B1"]}).execute()
    assert cleared["clearedRanges"] == ["Topics!B3", "Topics!B1"]
    assert values.get(spreadsheetId=sheet_id, range="Topics!A1:B3").execute()["values"] == [[], ["", "d"], ["e"]]
    assert version(drive, sheet_id) == start + 2
