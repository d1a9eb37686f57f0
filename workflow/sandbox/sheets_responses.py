"""Sheets v4 calls in and out: find the spreadsheet the caller may use, run the model, shape the answer.

Registered in the same handler table as Drive and Docs (`responses.handles`), so routing, auth,
scopes, body checks against the discovery document, faults and the request log are shared. Access
follows Drive: the caller's role on the file, and the `drive.file` rule unless the token holds a
Sheets or full Drive scope. Every write bumps the file's Drive `version`.
"""

from __future__ import annotations

from .auth import DRIVE, DRIVE_READONLY, SPREADSHEETS, SPREADSHEETS_READONLY, Principal
from .drive import SPREADSHEET
from .exceptions import ApiError
from .responses import Call, handles
from .sheets import ROWS, Editor, Spreadsheet
from .sheets_exceptions import invalid_value_input_option, no_permission, not_a_spreadsheet, spreadsheet_not_found
from .sheets_requests import apply_batch
from .sheets_values import INPUT_OPTIONS


def _sheets_scope(principal: Principal) -> bool:
    """Sheets' own scopes (and full Drive) reach every spreadsheet the user can open."""
    return bool(principal.scopes & {SPREADSHEETS, SPREADSHEETS_READONLY, DRIVE, DRIVE_READONLY})


def _spreadsheet_for(state, call: Call, minimum: str) -> tuple[dict, Spreadsheet, Editor]:
    spreadsheet_id = call.path_params["spreadsheetId"]
    try:
        record = state.drive.get_record(spreadsheet_id, call.principal, minimum=minimum,
                                        docs_scope=_sheets_scope(call.principal))
    except ApiError as error:   # Sheets words these errors its own way
        raise (spreadsheet_not_found() if error.code == 404 else no_permission()) from None
    spreadsheet = state.drive.spreadsheets.get(record["id"])
    if spreadsheet is None:
        raise not_a_spreadsheet()
    return record, spreadsheet, Editor(call.principal.email, record.get("owner"))


def _render_options(params: dict, prefix: str = "") -> dict:
    value_key = f"{prefix}ValueRenderOption" if prefix else "valueRenderOption"
    date_key = f"{prefix}DateTimeRenderOption" if prefix else "dateTimeRenderOption"
    return {"value_option": params.get(value_key) or "FORMATTED_VALUE",
            "date_option": params.get(date_key) or "SERIAL_NUMBER"}


def _changed(state, record: dict, call: Call) -> None:
    state.drive.bump(record, call.principal.email, content=True)


# -- spreadsheets ----------------------------------------------------------------------------
@handles("sheets.spreadsheets.create")
def _create(state, call: Call):
    body = call.body or {}
    title = (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
    record = state.drive.create_file(call.principal, {"name": title, "mimeType": SPREADSHEET}, {})
    sheets = [dict(sheet.get("properties") or {}) for sheet in body.get("sheets") or []]
    spreadsheet = Spreadsheet.new(record["id"], title, sheets or None)
    state.drive.spreadsheets[record["id"]] = spreadsheet
    return spreadsheet.to_json(state.base_url)


@handles("sheets.spreadsheets.get")
def _get(state, call: Call):
    _record, spreadsheet, _editor = _spreadsheet_for(state, call, "reader")
    ranges = call.params.get("ranges") or []
    return spreadsheet.to_json(state.base_url, ranges=ranges,
                               include_grid_data=bool(call.params.get("includeGridData")))


@handles("sheets.spreadsheets.batchUpdate")
def _batch_update(state, call: Call):
    record, spreadsheet, editor = _spreadsheet_for(state, call, "writer")
    body = call.body or {}
    requests = body.get("requests") or []
    updated, replies = apply_batch(spreadsheet, requests, editor)
    if requests:
        state.drive.spreadsheets[record["id"]] = updated
        if updated.title != record["name"]:
            record["name"] = updated.title
        _changed(state, record, call)
    reply = {"spreadsheetId": updated.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        reply["updatedSpreadsheet"] = updated.to_json(state.base_url, ranges=body.get("responseRanges") or None,
                                                      include_grid_data=bool(body.get("responseIncludeGridData")))
    return reply


# -- values ----------------------------------------------------------------------------------
@handles("sheets.spreadsheets.values.get")
def _values_get(state, call: Call):
    _record, spreadsheet, _editor = _spreadsheet_for(state, call, "reader")
    return spreadsheet.get_values(call.path_params["range"], major=call.params.get("majorDimension") or ROWS,
                                  **_render_options(call.params))


@handles("sheets.spreadsheets.values.batchGet")
def _values_batch_get(state, call: Call):
    _record, spreadsheet, _editor = _spreadsheet_for(state, call, "reader")
    major = call.params.get("majorDimension") or ROWS
    return {"spreadsheetId": spreadsheet.spreadsheet_id,
            "valueRanges": [spreadsheet.get_values(text, major=major, **_render_options(call.params))
                            for text in call.params.get("ranges") or []]}


def _with_values(spreadsheet: Spreadsheet, reply: dict, params: dict) -> dict:
    """UpdateValuesResponse with `updatedData` when includeValuesInResponse asks for it."""
    if params.get("includeValuesInResponse"):
        reply["updatedData"] = spreadsheet.get_values(reply["updatedRange"], **_render_options(params, "response"))
    return reply


@handles("sheets.spreadsheets.values.update")
def _values_update(state, call: Call):
    record, spreadsheet, editor = _spreadsheet_for(state, call, "writer")
    body = call.body or {}
    plan = spreadsheet.plan_write(call.path_params["range"], body.get("values") or [],
                                  major=body.get("majorDimension") or ROWS,
                                  input_option=call.params.get("valueInputOption"), body_range=body.get("range"))
    reply = spreadsheet.apply_writes([plan], editor)[0]
    _changed(state, record, call)
    return _with_values(spreadsheet, reply, call.params)


@handles("sheets.spreadsheets.values.batchUpdate")
def _values_batch_update(state, call: Call):
    record, spreadsheet, editor = _spreadsheet_for(state, call, "writer")
    body = call.body or {}
    data = body.get("data") or []
    option = body.get("valueInputOption")
    if option not in INPUT_OPTIONS:
        raise invalid_value_input_option(option)
    plans = [spreadsheet.plan_write(item.get("range"), item.get("values") or [],
                                    major=item.get("majorDimension") or ROWS, input_option=option)
             for item in data]
    replies = spreadsheet.apply_writes(plans, editor) if data else []
    if data:
        _changed(state, record, call)
    reply = {"spreadsheetId": spreadsheet.spreadsheet_id}
    if replies:
        cells = {(plan[0].sheet_id, row, column) for plan in plans for row, column, _cell in plan[1]}
        reply.update(totalUpdatedRows=len({(s, r) for s, r, _c in cells}),
                     totalUpdatedColumns=len({(s, c) for s, _r, c in cells}),
                     totalUpdatedCells=len(cells), totalUpdatedSheets=len({s for s, _r, _c in cells}),
                     responses=[_with_values(spreadsheet, r, body) for r in replies])
    return reply


@handles("sheets.spreadsheets.values.append")
def _values_append(state, call: Call):
    record, spreadsheet, editor = _spreadsheet_for(state, call, "writer")
    body = call.body or {}
    reply = spreadsheet.append(call.path_params["range"], body.get("values") or [],
                               major=body.get("majorDimension") or ROWS,
                               input_option=call.params.get("valueInputOption"),
                               insert_rows=call.params.get("insertDataOption") == "INSERT_ROWS", editor=editor)
    _changed(state, record, call)
    _with_values(spreadsheet, reply["updates"], call.params)
    return reply


@handles("sheets.spreadsheets.values.clear")
def _values_clear(state, call: Call):
    record, spreadsheet, editor = _spreadsheet_for(state, call, "writer")
    reply = spreadsheet.clear(call.path_params["range"], editor)
    _changed(state, record, call)
    return reply


@handles("sheets.spreadsheets.values.batchClear")
def _values_batch_clear(state, call: Call):
    record, spreadsheet, editor = _spreadsheet_for(state, call, "writer")
    ranges = (call.body or {}).get("ranges") or []
    for text in ranges:         # check every range before clearing any
        sheet, _parsed, box = spreadsheet.locate(text)
        sheet.check_editable(box, editor)
    cleared = [spreadsheet.clear(text, editor)["clearedRange"] for text in ranges]
    if cleared:
        _changed(state, record, call)
    return {"spreadsheetId": spreadsheet.spreadsheet_id, "clearedRanges": cleared}
