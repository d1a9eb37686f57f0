"""`spreadsheets.batchUpdate`: one small handler per request kind, in the `RULES` table.

The batch is atomic, as in Sheets: every request is applied to a copy, and the copy replaces the
spreadsheet only when all succeed. A kind the sandbox does not model is refused with 400, never
silently accepted.
"""

from __future__ import annotations

import copy
from typing import Callable

from . import fieldmask
from . import sheets_values as values
from .sheets import COLUMNS, MAX_CELLS, ROWS, Editor, Sheet, Spreadsheet, new_sheet_id
from .sheets_exceptions import invalid_request

CONDITION_TYPES = {"ONE_OF_LIST": (1, None), "DATE_IS_VALID": (0, 0), "BOOLEAN": (0, 2),
                   "NUMBER_BETWEEN": (2, 2), "NUMBER_GREATER": (1, 1), "NUMBER_LESS": (1, 1),
                   "TEXT_CONTAINS": (1, 1), "TEXT_IS_EMAIL": (0, 0), "TEXT_IS_URL": (0, 0),
                   "DATE_AFTER": (1, 1), "DATE_BEFORE": (1, 1), "ONE_OF_RANGE": (1, 1), "CUSTOM_FORMULA": (1, 1)}


class Batch:
    """The state one batchUpdate works on: the spreadsheet copy, who writes, the request's number."""

    def __init__(self, spreadsheet: Spreadsheet, editor: Editor) -> None:
        self.spreadsheet = spreadsheet
        self.editor = editor
        self.number = 0
        self.kind = ""

    def fail(self, detail: str):
        return invalid_request(self.number, self.kind, detail)

    def sheet(self, sheet_id) -> Sheet:
        sheet = self.spreadsheet.sheet(sheet_id if sheet_id is not None else 0)
        if sheet is None:
            raise self.fail(f"No grid with id: {sheet_id}")
        return sheet

    def box(self, grid_range: dict) -> tuple[Sheet, tuple[int, int, int, int]]:
        """A GridRange as a checked (sheet, box)."""
        if not isinstance(grid_range, dict):
            raise self.fail("range is required")
        sheet = self.sheet(grid_range.get("sheetId"))
        box = sheet.grid_box(grid_range)
        if not (0 <= box[0] <= box[2] <= sheet.rows and 0 <= box[1] <= box[3] <= sheet.columns):
            raise self.fail(f"Range ({sheet.title}) exceeds grid limits. Max rows: {sheet.rows}, "
                            f"max columns: {sheet.columns}")
        return sheet, box

    def dimension(self, dimension_range: dict) -> tuple[Sheet, str, int, int]:
        if not isinstance(dimension_range, dict) or dimension_range.get("dimension") not in (ROWS, COLUMNS):
            raise self.fail("range.dimension must be ROWS or COLUMNS")
        sheet = self.sheet(dimension_range.get("sheetId"))
        dimension = dimension_range["dimension"]
        start = dimension_range.get("startIndex", 0)
        end = dimension_range.get("endIndex", sheet.size(dimension))
        if not 0 <= start < end <= sheet.size(dimension):
            raise self.fail(f"Invalid dimension range {start}-{end} (the sheet has {sheet.size(dimension)} "
                            f"{dimension.lower()})")
        return sheet, dimension, start, end


def apply_batch(spreadsheet: Spreadsheet, requests: list, editor: Editor) -> tuple[Spreadsheet, list[dict]]:
    """Apply `requests` to a copy; returns (the new spreadsheet, the replies)."""
    working = spreadsheet.copy()
    batch = Batch(working, editor)
    replies = []
    for number, request in enumerate(requests):
        batch.number, batch.kind = number, ""
        kinds = [k for k, v in (request or {}).items() if v is not None] if isinstance(request, dict) else []
        if len(kinds) != 1:
            raise batch.fail("Request must have exactly one kind of request set.")
        batch.kind = kinds[0]
        rule = RULES.get(batch.kind)
        if rule is None:
            raise batch.fail(f"{batch.kind} is not supported by the sandbox.")
        replies.append(rule(batch, request[batch.kind]) or {})
    if working.total_cells() > MAX_CELLS:
        raise invalid_request(len(requests) - 1, "", f"This action would increase the number of cells in the "
                                                     f"workbook above the limit of {MAX_CELLS} cells.")
    return working, replies


def _tree(fields: str | None, batch: Batch):
    """A FieldMask (`title,gridProperties.frozenRowCount`, `userEnteredFormat(textFormat)`) as a tree."""
    if not fields:
        raise batch.fail("At least one field must be specified in 'fields'.")
    return fieldmask.parse(fields.replace(".", "/"))


def _masked(target: dict, source: dict, fields: str | None, batch: Batch) -> None:
    """Copy the `fields` of `source` onto `target` (a field named but unset is reset)."""
    _copy_tree(target, source, _tree(fields, batch))


def _copy_tree(target: dict, source: dict, tree) -> None:
    if tree is None:
        target.clear()
        target.update(copy.deepcopy(source))
        return
    for name, sub in tree.items():
        if name == "*":
            _copy_tree(target, source, None)
        elif sub is None:
            if name in source:
                target[name] = copy.deepcopy(source[name])
            else:
                target.pop(name, None)
        else:
            child = target.setdefault(name, {})
            _copy_tree(child, source.get(name) or {}, sub)
            if not child:
                target.pop(name)


# --- sheets ---

def _add_sheet(batch: Batch, body: dict) -> dict:
    properties = copy.deepcopy(body.get("properties") or {})
    spreadsheet = batch.spreadsheet
    title = properties.get("title") or f"Sheet{len(spreadsheet.sheets) + 1}"
    if any(s.title == title for s in spreadsheet.sheets):
        raise batch.fail(f'A sheet with the name "{title}" already exists. Please enter another name.')
    sheet_id = properties.get("sheetId", new_sheet_id())
    if spreadsheet.sheet(sheet_id) is not None:
        raise batch.fail(f"A sheet with the id {sheet_id} already exists.")
    grid = properties.get("gridProperties") or {}
    index = min(properties.get("index", len(spreadsheet.sheets)), len(spreadsheet.sheets))
    for other in spreadsheet.sheets:
        if other.properties.get("index", 0) >= index:
            other.properties["index"] = other.properties.get("index", 0) + 1
    sheet = Sheet.new(sheet_id, title, index, grid.get("rowCount", 1000), grid.get("columnCount", 26))
    if grid.get("frozenRowCount"):
        sheet.grid["frozenRowCount"] = grid["frozenRowCount"]
    spreadsheet.sheets.append(sheet)
    return {"addSheet": {"properties": copy.deepcopy(sheet.properties)}}


def _delete_sheet(batch: Batch, body: dict) -> None:
    sheet = batch.sheet(body.get("sheetId"))
    if len(batch.spreadsheet.sheets) == 1:
        raise batch.fail("You can't remove all the sheets in a document.")
    sheet.check_editable((0, 0, sheet.rows, sheet.columns), batch.editor)
    batch.spreadsheet.sheets.remove(sheet)


def _update_sheet_properties(batch: Batch, body: dict) -> None:
    properties = body.get("properties") or {}
    sheet = batch.sheet(properties.get("sheetId"))
    updated = copy.deepcopy(sheet.properties)
    _masked(updated, properties, body.get("fields"), batch)
    updated["sheetId"] = sheet.sheet_id
    title = updated.get("title") or sheet.title
    if any(s.title == title and s is not sheet for s in batch.spreadsheet.sheets):
        raise batch.fail(f'A sheet with the name "{title}" already exists. Please enter another name.')
    updated["title"] = title
    grid = updated.setdefault("gridProperties", {})
    rows, columns = grid.get("rowCount", sheet.rows), grid.get("columnCount", sheet.columns)
    if rows < 1 or columns < 1:
        raise batch.fail("A sheet needs at least one row and one column.")
    if grid.get("frozenRowCount", 0) >= rows or grid.get("frozenColumnCount", 0) >= columns:
        raise batch.fail("You can't freeze all visible rows on the sheet.")
    if rows < sheet.rows:
        sheet.delete(ROWS, rows, sheet.rows)
    if columns < sheet.columns:
        sheet.delete(COLUMNS, columns, sheet.columns)
    sheet.properties.clear()
    sheet.properties.update(updated)
    grid.update(rowCount=rows, columnCount=columns)


def _update_spreadsheet_properties(batch: Batch, body: dict) -> None:
    _masked(batch.spreadsheet.properties, body.get("properties") or {}, body.get("fields"), batch)
    if not batch.spreadsheet.properties.get("title"):
        raise batch.fail("The spreadsheet title must not be empty.")


# --- dimensions ---

def _append_dimension(batch: Batch, body: dict) -> None:
    sheet = batch.sheet(body.get("sheetId"))
    length = body.get("length")
    if body.get("dimension") not in (ROWS, COLUMNS) or not isinstance(length, int) or length < 1:
        raise batch.fail("dimension must be ROWS or COLUMNS and length at least 1")
    sheet.insert(body["dimension"], sheet.size(body["dimension"]), length, None)


def _insert_dimension(batch: Batch, body: dict) -> None:
    dimension_range = body.get("range") or {}
    sheet = batch.sheet(dimension_range.get("sheetId"))
    dimension = dimension_range.get("dimension")
    start, end = dimension_range.get("startIndex", 0), dimension_range.get("endIndex", 0)
    if dimension not in (ROWS, COLUMNS) or not 0 <= start < end or start > sheet.size(dimension):
        raise batch.fail("range must name where to insert (startIndex < endIndex, inside the sheet)")
    if body.get("inheritFromBefore") and start == 0:
        raise batch.fail("Cannot inherit properties from before the first row or column.")
    inherit = start - 1 if body.get("inheritFromBefore") else (start if start < sheet.size(dimension) else None)
    sheet.insert(dimension, start, end - start, inherit)


def _delete_dimension(batch: Batch, body: dict) -> None:
    sheet, dimension, start, end = batch.dimension(body.get("range"))
    if end - start >= sheet.size(dimension):
        raise batch.fail(f"You can't delete all the {dimension.lower()} on the sheet.")
    box = (start, 0, end, sheet.columns) if dimension == ROWS else (0, start, sheet.rows, end)
    sheet.check_editable(box, batch.editor)
    sheet.delete(dimension, start, end)


def _move_dimension(batch: Batch, body: dict) -> None:
    sheet, dimension, start, end = batch.dimension(body.get("source"))
    destination = body.get("destinationIndex")
    if not isinstance(destination, int) or not 0 <= destination <= sheet.size(dimension):
        raise batch.fail("destinationIndex must be inside the sheet")
    sheet.move(dimension, start, end, destination)


def _update_dimension_properties(batch: Batch, body: dict) -> None:
    sheet, dimension, start, end = batch.dimension(body.get("range"))
    if dimension != COLUMNS:
        return      # row heights and hidden rows are not modelled; nothing a read shows changes
    for column in range(start, end):
        metadata = sheet.column_metadata.setdefault(column, {})
        _masked(metadata, body.get("properties") or {}, body.get("fields"), batch)


# --- cells ---

def _check_rule(batch: Batch, rule: dict | None) -> None:
    if rule is None:
        return
    condition = rule.get("condition") or {}
    kind = condition.get("type")
    if kind not in CONDITION_TYPES:
        raise batch.fail(f"Invalid ConditionType: {kind}")
    low, high = CONDITION_TYPES[kind]
    count = len(condition.get("values") or [])
    if count < low or (high is not None and count > high):
        raise batch.fail(f"{kind} takes {low}{'' if high == low else ' or more' if high is None else f' to {high}'} "
                         f"values (got {count})")


def _set_data_validation(batch: Batch, body: dict) -> None:
    sheet, box = batch.box(body.get("range"))
    rule = body.get("rule")
    _check_rule(batch, rule)
    sheet.check_editable(box, batch.editor)
    for row in range(box[0], box[2]):
        for column in range(box[1], box[3]):
            cell = sheet.cells.setdefault((row, column), {})
            if rule is None:
                cell.pop("dv", None)
            else:
                cell["dv"] = copy.deepcopy(rule)
            if not cell:
                del sheet.cells[(row, column)]


def _cell_data(cell: dict) -> dict:
    data = {}
    if "v" in cell:
        data["userEnteredValue"] = values.extended_value(cell)
    if cell.get("fmt"):
        data["userEnteredFormat"] = cell["fmt"]
    if cell.get("dv"):
        data["dataValidation"] = cell["dv"]
    return data


def _set_cell_data(sheet: Sheet, row: int, column: int, data: dict) -> None:
    cell = values.cell_from_extended(data["userEnteredValue"]) if data.get("userEnteredValue") else None
    new = dict(cell or {})
    if data.get("userEnteredFormat"):
        new["fmt"] = data["userEnteredFormat"]
    if data.get("dataValidation"):
        new["dv"] = data["dataValidation"]
    if new:
        sheet.cells[(row, column)] = new
    else:
        sheet.cells.pop((row, column), None)


def _repeat_cell(batch: Batch, body: dict) -> None:
    sheet, box = batch.box(body.get("range"))
    source = body.get("cell") or {}
    tree = _tree(body.get("fields"), batch)
    sheet.check_editable(box, batch.editor)
    for row in range(box[0], box[2]):
        for column in range(box[1], box[3]):
            data = copy.deepcopy(_cell_data(sheet.cells.get((row, column), {})))
            _copy_tree(data, source, tree)
            _set_cell_data(sheet, row, column, data)


def _update_cells(batch: Batch, body: dict) -> None:
    rows = body.get("rows") or []
    if body.get("start") is not None:
        start = body["start"]
        sheet = batch.sheet(start.get("sheetId"))
        top, left = start.get("rowIndex", 0), start.get("columnIndex", 0)
        height = len(rows)
        width = max((len(r.get("values") or []) for r in rows), default=0)
        sheet, box = batch.box({"sheetId": sheet.sheet_id, "startRowIndex": top, "endRowIndex": top + height,
                                "startColumnIndex": left, "endColumnIndex": left + width})
    else:
        sheet, box = batch.box(body.get("range"))
    tree = _tree(body.get("fields"), batch)
    sheet.check_editable(box, batch.editor)
    for r in range(box[0], box[2]):
        given = rows[r - box[0]].get("values") or [] if r - box[0] < len(rows) else []
        for c in range(box[1], box[3]):
            source = given[c - box[1]] if c - box[1] < len(given) else {}
            data = copy.deepcopy(_cell_data(sheet.cells.get((r, c), {})))
            _copy_tree(data, source, tree)
            _set_cell_data(sheet, r, c, data)


# --- protected ranges ---

def _add_protected_range(batch: Batch, body: dict) -> dict:
    protected = copy.deepcopy(body.get("protectedRange") or {})
    sheet, _box = batch.box(protected.get("range"))
    protected["range"]["sheetId"] = sheet.sheet_id
    if protected.get("warningOnly") and protected.get("editors"):
        raise batch.fail("Cannot set editors on a warning-only protected range.")
    if not protected.get("warningOnly"):
        users = set((protected.get("editors") or {}).get("users") or []) | {batch.editor.email}
        protected["editors"] = {"users": sorted(users)}
    protected["protectedRangeId"] = batch.spreadsheet.next_protected_range_id
    batch.spreadsheet.next_protected_range_id += 1
    protected.pop("requestingUserCanEdit", None)
    sheet.protected_ranges.append(protected)
    return {"addProtectedRange": {"protectedRange": dict(copy.deepcopy(protected), requestingUserCanEdit=True)}}


def _find_protected(batch: Batch, protected_range_id) -> tuple[Sheet, dict]:
    for sheet in batch.spreadsheet.sheets:
        for protected in sheet.protected_ranges:
            if protected["protectedRangeId"] == protected_range_id:
                return sheet, protected
    raise batch.fail(f"No protected range with id: {protected_range_id}")


def _update_protected_range(batch: Batch, body: dict) -> None:
    given = body.get("protectedRange") or {}
    sheet, protected = _find_protected(batch, given.get("protectedRangeId"))
    _masked(protected, given, body.get("fields"), batch)
    protected["protectedRangeId"] = given.get("protectedRangeId")


def _delete_protected_range(batch: Batch, body: dict) -> None:
    sheet, protected = _find_protected(batch, body.get("protectedRangeId"))
    sheet.protected_ranges.remove(protected)


RULES: dict[str, Callable[[Batch, dict], dict | None]] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "appendDimension": _append_dimension,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "moveDimension": _move_dimension,
    "updateDimensionProperties": _update_dimension_properties,
    "setDataValidation": _set_data_validation,
    "repeatCell": _repeat_cell,
    "updateCells": _update_cells,
    "addProtectedRange": _add_protected_range,
    "updateProtectedRange": _update_protected_range,
    "deleteProtectedRange": _delete_protected_range,
}
