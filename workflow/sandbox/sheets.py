"""The Google Sheets model of the sandbox: spreadsheets, their sheets (grids of cells), values in
and out in A1 notation, protected ranges. Pure Python, no HTTP (sheets_responses.py is the HTTP
side, sheets_requests.py the batchUpdate requests).

As in Sheets: a write outside the grid is refused ("exceeds grid limits"; only `append` adds
rows), reads leave out trailing empty rows and cells, data validation does not stop API writes,
a protected range that is not warning-only refuses everyone but its editors and the owner, and
every write is all or nothing.
"""

from __future__ import annotations

import copy
import json
import secrets
from dataclasses import dataclass

from . import sheets_a1 as a1
from . import sheets_values as values
from .exceptions import ApiError
from .sheets_exceptions import (exceeds_grid_limits, invalid_value_input_option, protected_cell, range_mismatch,
                                too_much_data)

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
MAX_CELLS = 10_000_000
ROWS, COLUMNS = "ROWS", "COLUMNS"


def new_sheet_id() -> int:
    return secrets.randbelow(2 ** 31 - 1) + 1


@dataclass(frozen=True)
class Editor:
    """Who writes: their email, and the owner's (the owner may edit any protected range)."""

    email: str
    owner: str | None


class Sheet:
    """One grid: properties (title, sheetId, gridProperties), cells {(row, column): cell},
    protected ranges, column metadata (hidden columns)."""

    def __init__(self, state: dict) -> None:
        self.properties = state["properties"]
        self.cells: dict[tuple[int, int], dict] = {
            tuple(int(i) for i in key.split(",")): cell for key, cell in state.get("cells", {}).items()}
        self.protected_ranges: list[dict] = state.get("protectedRanges", [])
        self.column_metadata: dict[int, dict] = {int(k): v for k, v in state.get("columnMetadata", {}).items()}

    @classmethod
    def new(cls, sheet_id: int, title: str, index: int, rows: int = DEFAULT_ROWS,
            columns: int = DEFAULT_COLUMNS) -> "Sheet":
        return cls({"properties": {"sheetId": sheet_id, "title": title, "index": index, "sheetType": "GRID",
                                   "gridProperties": {"rowCount": rows, "columnCount": columns}}})

    def to_state(self) -> dict:
        return {"properties": self.properties,
                "cells": {f"{r},{c}": cell for (r, c), cell in self.cells.items()},
                "protectedRanges": self.protected_ranges,
                "columnMetadata": {str(k): v for k, v in self.column_metadata.items()}}

    # --- identity and size ---

    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def grid(self) -> dict:
        return self.properties.setdefault("gridProperties", {})

    @property
    def rows(self) -> int:
        return self.grid.get("rowCount", 0)

    @property
    def columns(self) -> int:
        return self.grid.get("columnCount", 0)

    def size(self, dimension: str) -> int:
        return self.rows if dimension == ROWS else self.columns

    # --- cells ---

    def format_of(self, row: int, column: int) -> dict | None:
        cell = self.cells.get((row, column))
        return cell.get("fmt") if cell else None

    def put(self, row: int, column: int, cell: dict | None) -> None:
        """Set a cell's value (None clears it), keeping its format and validation."""
        current = self.cells.get((row, column), {})
        kept = {key: current[key] for key in ("fmt", "dv") if key in current}
        if cell is not None:
            auto = cell.pop("auto", None)
            if auto is not None and not (kept.get("fmt") or {}).get("numberFormat"):
                kept["fmt"] = dict(kept.get("fmt") or {}, numberFormat=auto)
            kept.update(cell)
        if kept:
            self.cells[(row, column)] = kept
        else:
            self.cells.pop((row, column), None)

    def read(self, box: tuple[int, int, int, int], value_option: str, date_option: str,
             major: str) -> list[list]:
        """The values of a box, trailing empty rows and cells left out (the API's shape)."""
        start_row, start_column, end_row, end_column = box
        grid: dict[int, dict[int, object]] = {}
        for (row, column), cell in self.cells.items():
            if start_row <= row < end_row and start_column <= column < end_column and "v" in cell:
                shown = values.render(cell, cell.get("fmt"), value_option, date_option)
                if shown is not None and shown != "":
                    outer, inner = (row - start_row, column - start_column) if major == ROWS else \
                        (column - start_column, row - start_row)
                    grid.setdefault(outer, {})[inner] = shown
        if not grid:
            return []
        out = []
        for outer in range(max(grid) + 1):
            line = grid.get(outer, {})
            out.append([line.get(inner, "") for inner in range(max(line) + 1)] if line else [])
        return out

    # --- protection ---

    def check_editable(self, box: tuple[int, int, int, int], editor: Editor) -> None:
        for protected in self.protected_ranges:
            if protected.get("warningOnly"):
                continue
            if editor.email in (protected.get("editors") or {}).get("users", []) or editor.email == editor.owner:
                continue
            if _overlaps(self.grid_box(protected.get("range") or {}), box):
                raise protected_cell()

    def grid_box(self, grid_range: dict) -> tuple[int, int, int, int]:
        return (grid_range.get("startRowIndex", 0), grid_range.get("startColumnIndex", 0),
                grid_range.get("endRowIndex", self.rows), grid_range.get("endColumnIndex", self.columns))

    # --- dimensions ---

    def insert(self, dimension: str, start: int, count: int, inherit_from: int | None) -> None:
        """`count` new rows (or columns) at `start`; they copy format and validation from `inherit_from`."""
        axis = 0 if dimension == ROWS else 1
        moved = {}
        for key, cell in self.cells.items():
            if key[axis] >= start:
                key = (key[0] + count, key[1]) if axis == 0 else (key[0], key[1] + count)
            moved[key] = cell
        if inherit_from is not None:
            source = inherit_from if inherit_from < start else inherit_from + count
            for key, cell in list(moved.items()):
                if key[axis] == source and ("fmt" in cell or "dv" in cell):
                    for offset in range(count):
                        target = (start + offset, key[1]) if axis == 0 else (key[0], start + offset)
                        moved[target] = {k: copy.deepcopy(v) for k, v in cell.items() if k in ("fmt", "dv")}
        self.cells = moved
        self.grid["rowCount" if axis == 0 else "columnCount"] = self.size(dimension) + count
        self._shift_ranges(axis, start, count)
        if axis == 1:
            self.column_metadata = {(c + count if c >= start else c): m for c, m in self.column_metadata.items()}

    def delete(self, dimension: str, start: int, end: int) -> None:
        axis = 0 if dimension == ROWS else 1
        count = end - start
        kept = {}
        for key, cell in self.cells.items():
            if start <= key[axis] < end:
                continue
            if key[axis] >= end:
                key = (key[0] - count, key[1]) if axis == 0 else (key[0], key[1] - count)
            kept[key] = cell
        self.cells = kept
        self.grid["rowCount" if axis == 0 else "columnCount"] = self.size(dimension) - count
        self._shift_ranges(axis, start, -count)
        if axis == 1:
            self.column_metadata = {(c - count if c >= end else c): m for c, m in self.column_metadata.items()
                                    if not start <= c < end}

    def move(self, dimension: str, start: int, end: int, destination: int) -> None:
        """moveDimension: [start, end) goes to `destination`, an index counted before the move."""
        axis = 0 if dimension == ROWS else 1
        order = list(range(self.size(dimension)))
        block = order[start:end]
        rest = order[:start] + order[end:]
        at = destination if destination <= start else destination - (end - start)
        new_order = rest[:at] + block + rest[at:]
        new_index = {old: new for new, old in enumerate(new_order)}
        self.cells = {((new_index[r], c) if axis == 0 else (r, new_index[c])): cell
                      for (r, c), cell in self.cells.items()}
        if axis == 1:
            self.column_metadata = {new_index[c]: m for c, m in self.column_metadata.items()}

    def _shift_ranges(self, axis: int, at: int, count: int) -> None:
        start_key, end_key = ("startRowIndex", "endRowIndex") if axis == 0 else ("startColumnIndex", "endColumnIndex")
        kept = []
        for protected in self.protected_ranges:
            grid_range = protected.get("range") or {}
            start, end = grid_range.get(start_key), grid_range.get(end_key)
            if count < 0:   # deleted [at, at - count)
                gone_end = at - count
                if start is not None and end is not None and at <= start and end <= gone_end:
                    continue        # the whole protected range was deleted
                if start is not None:
                    grid_range[start_key] = start if start < at else max(at, start + count)
                if end is not None:
                    grid_range[end_key] = end if end <= at else max(at, end + count)
            else:
                if start is not None and start >= at:
                    grid_range[start_key] = start + count
                if end is not None and end > at:
                    grid_range[end_key] = end + count
            kept.append(protected)
        self.protected_ranges = kept


def _copied(state: dict) -> dict:
    return json.loads(json.dumps(state))


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _to_rows(data: list, major: str) -> list[list]:
    """Values given by column turned into rows."""
    if major != COLUMNS:
        return data
    height = max((len(column) for column in data), default=0)
    return [[column[i] if i < len(column) else None for column in data] for i in range(height)]


class Spreadsheet:
    """One spreadsheet: properties and sheets. All state is JSON-able (see `to_state`)."""

    def __init__(self, state: dict) -> None:
        self.spreadsheet_id = state["spreadsheetId"]
        self.properties = state["properties"]
        self.sheets = [Sheet(sheet) for sheet in state["sheets"]]
        self.next_protected_range_id = state.get("nextProtectedRangeId", 1)

    @classmethod
    def new(cls, spreadsheet_id: str, title: str, sheets: list[dict] | None = None) -> "Spreadsheet":
        """A new spreadsheet: the sheets given, else one "Sheet1" (sheetId 0) of 1000 x 26."""
        spreadsheet = cls({"spreadsheetId": spreadsheet_id, "sheets": [],
                           "properties": {"title": title, "locale": "en_US", "autoRecalc": "ON_CHANGE",
                                          "timeZone": "Etc/GMT"}})
        for index, properties in enumerate(sheets or [{"sheetId": 0, "title": "Sheet1"}]):
            grid = properties.get("gridProperties") or {}
            sheet_id = properties.get("sheetId", 0 if index == 0 else new_sheet_id())
            sheet = Sheet.new(sheet_id, properties.get("title") or f"Sheet{index + 1}", index,
                              grid.get("rowCount", DEFAULT_ROWS), grid.get("columnCount", DEFAULT_COLUMNS))
            spreadsheet.sheets.append(sheet)
        return spreadsheet

    @classmethod
    def from_state(cls, state: dict) -> "Spreadsheet":
        return cls(_copied(state))

    def to_state(self) -> dict:
        """A copy of the whole state, JSON-able (a JSON round trip: far quicker than deepcopy here)."""
        return _copied({"spreadsheetId": self.spreadsheet_id, "properties": self.properties,
                        "sheets": [sheet.to_state() for sheet in self.sheets],
                        "nextProtectedRangeId": self.next_protected_range_id})

    def copy(self) -> "Spreadsheet":
        return Spreadsheet(self.to_state())

    @property
    def title(self) -> str:
        return self.properties["title"]

    @title.setter
    def title(self, value: str) -> None:
        self.properties["title"] = value

    # --- finding sheets and ranges ---

    def sheet(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_named(self, title: str | None) -> Sheet:
        if title is None:
            visible = [s for s in self.sheets if not s.properties.get("hidden")] or self.sheets
            return min(visible, key=lambda s: s.properties.get("index", 0))
        return next(s for s in self.sheets if s.title == title)

    def locate(self, text: str) -> tuple[Sheet, a1.A1Range, tuple[int, int, int, int]]:
        parsed = a1.parse(text, [s.title for s in self.sheets])
        sheet = self.sheet_named(parsed.sheet)
        return sheet, parsed, parsed.bounded(sheet.rows, sheet.columns, title=sheet.title)

    def total_cells(self) -> int:
        return sum(s.rows * s.columns for s in self.sheets)

    # --- values ---

    def get_values(self, text: str, *, major: str = ROWS, value_option: str = "FORMATTED_VALUE",
                   date_option: str = "SERIAL_NUMBER") -> dict:
        sheet, _parsed, box = self.locate(text)
        shown = a1.format_range(sheet.title, *box)
        reply = {"range": shown, "majorDimension": major}
        rows = sheet.read(box, value_option, date_option, major)
        if rows:
            reply["values"] = rows
        return reply

    def plan_write(self, text: str, data: list, *, major: str, input_option: str,
                   body_range: str | None = None) -> tuple[Sheet, list[tuple[int, int, dict | None]], str, tuple]:
        """The cells a write would set, checked (range, size, grid, input option) but not applied."""
        if input_option not in values.INPUT_OPTIONS:
            raise invalid_value_input_option(input_option)
        if not isinstance(data, list) or any(not isinstance(line, list) for line in data):
            raise ApiError(400, "Invalid values: expected a list of lists.")
        sheet, parsed, box = self.locate(text)
        if body_range and body_range != text:
            other = a1.parse(body_range, [s.title for s in self.sheets])
            if self.sheet_named(other.sheet) is not sheet or \
                    (other.start_row, other.start_column) != (parsed.start_row, parsed.start_column):
                raise range_mismatch(text, body_range)
        rows = _to_rows(data, major)
        start_row, start_column, end_row, end_column = box
        single_cell = (parsed.end_row == (parsed.start_row or 0) + 1
                       and parsed.end_column == (parsed.start_column or 0) + 1)
        height = len(rows)
        width = max((len(line) for line in rows), default=0)
        if not single_cell:     # a single cell is where the data starts; a range must hold it
            if parsed.end_row is not None and height > end_row - start_row:
                raise too_much_data(a1.format_range(sheet.title, *box), start_row + height)
            if parsed.end_column is not None and width > end_column - start_column:
                raise too_much_data(a1.format_range(sheet.title, *box), start_row + 1)
        written_box = (start_row, start_column, start_row + max(height, 1), start_column + max(width, 1))
        if written_box[2] > sheet.rows or written_box[3] > sheet.columns:
            raise exceeds_grid_limits(a1.format_range(sheet.title, *written_box), sheet.rows, sheet.columns)
        changes = []
        for r, line in enumerate(rows):
            for c, value in enumerate(line):
                if value is None:
                    continue        # null skips the cell, as in Sheets
                row, column = start_row + r, start_column + c
                fmt = (sheet.format_of(row, column) or {}).get("numberFormat")
                cell = values.raw_cell(value) if input_option == "RAW" else values.user_entered_cell(value, fmt)
                changes.append((row, column, cell))
        return sheet, changes, a1.format_range(sheet.title, *written_box), written_box

    def apply_writes(self, plans: list[tuple], editor: Editor) -> list[dict]:
        """Apply checked writes (all or none); one UpdateValuesResponse each."""
        for sheet, changes, _shown, box in plans:
            if changes:
                sheet.check_editable(box, editor)
        replies = []
        for sheet, changes, shown, _box in plans:
            for row, column, cell in changes:
                sheet.put(row, column, cell)
            rows = {row for row, _, _ in changes}
            columns = {column for _, column, _ in changes}
            replies.append({"spreadsheetId": self.spreadsheet_id, "updatedRange": shown,
                            "updatedRows": len(rows), "updatedColumns": len(columns),
                            "updatedCells": len(changes)})
        return replies

    def append(self, text: str, data: list, *, major: str, input_option: str, insert_rows: bool,
               editor: Editor) -> dict:
        """values.append: after the last row holding data in the range's columns (rows added as needed)."""
        sheet, parsed, box = self.locate(text)
        start_row, start_column, _end_row, end_column = box
        used = [r for (r, c), cell in sheet.cells.items()
                if r >= start_row and start_column <= c < end_column and cell.get("v") not in (None, "")]
        table_end = max(used) + 1 if used else start_row
        rows = _to_rows(data, major)
        height = len(rows)
        table_range = a1.format_range(sheet.title, start_row, start_column, table_end, end_column) if used else None
        if insert_rows:
            sheet.check_editable((table_end, 0, sheet.rows, sheet.columns), editor)
            sheet.insert(ROWS, table_end, height, None)
        elif table_end + height > sheet.rows:
            sheet.insert(ROWS, sheet.rows, table_end + height - sheet.rows, None)
        target = a1.format_range(sheet.title, table_end, start_column, table_end + 1, start_column + 1)
        plan = self.plan_write(target, rows, major=ROWS, input_option=input_option)
        reply = {"spreadsheetId": self.spreadsheet_id, "updates": self.apply_writes([plan], editor)[0]}
        if table_range:
            reply["tableRange"] = table_range
        return reply

    def clear(self, text: str, editor: Editor) -> dict:
        sheet, _parsed, box = self.locate(text)
        sheet.check_editable(box, editor)
        for key in [k for k in sheet.cells if _overlaps((k[0], k[1], k[0] + 1, k[1] + 1), box)]:
            sheet.put(key[0], key[1], None)
        return {"spreadsheetId": self.spreadsheet_id, "clearedRange": a1.format_range(sheet.title, *box)}

    # --- spreadsheets.get ---

    def to_json(self, base_url: str, *, ranges: list[str] | None = None, include_grid_data: bool = False) -> dict:
        wanted: dict[int, list[tuple[int, int, int, int]]] = {}
        for text in ranges or []:
            sheet, _parsed, box = self.locate(text)
            wanted.setdefault(sheet.sheet_id, []).append(box)
        sheets = []
        for sheet in sorted(self.sheets, key=lambda s: s.properties.get("index", 0)):
            if ranges and sheet.sheet_id not in wanted:
                continue
            entry: dict = {"properties": copy.deepcopy(sheet.properties)}
            if sheet.protected_ranges:
                entry["protectedRanges"] = copy.deepcopy(sheet.protected_ranges)
            if include_grid_data:
                boxes = wanted.get(sheet.sheet_id) or [(0, 0, sheet.rows, sheet.columns)]
                entry["data"] = [_grid_data(sheet, box) for box in boxes]
            sheets.append(entry)
        return {"spreadsheetId": self.spreadsheet_id, "properties": copy.deepcopy(self.properties),
                "sheets": sheets, "spreadsheetUrl": f"{base_url}spreadsheets/d/{self.spreadsheet_id}/edit"}


def _grid_data(sheet: Sheet, box: tuple[int, int, int, int]) -> dict:
    start_row, start_column, end_row, end_column = box
    used_rows = [r for (r, c) in sheet.cells if start_row <= r < end_row and start_column <= c < end_column]
    last = max(used_rows) + 1 if used_rows else start_row
    row_data = []
    for row in range(start_row, last):
        cells = []
        for column in range(start_column, end_column):
            cell = sheet.cells.get((row, column))
            data: dict = {}
            if cell:
                if "v" in cell:
                    data["userEnteredValue"] = values.extended_value(cell)
                    data["effectiveValue"] = values.extended_value({"v": cell["v"]})
                    data["formattedValue"] = values.formatted(cell["v"], (cell.get("fmt") or {}).get("numberFormat"))
                if cell.get("fmt"):
                    data["userEnteredFormat"] = copy.deepcopy(cell["fmt"])
                if cell.get("dv"):
                    data["dataValidation"] = copy.deepcopy(cell["dv"])
            cells.append(data)
        while cells and not cells[-1]:
            cells.pop()
        row_data.append({"values": cells} if cells else {})
    return {"startRow": start_row, "startColumn": start_column, "rowData": row_data,
            "columnMetadata": [dict({"pixelSize": 100}, **sheet.column_metadata.get(c, {}))
                               for c in range(start_column, end_column)]}
