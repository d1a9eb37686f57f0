"""The topic Sheet's layout: its columns, how a topic becomes a row and a row's cells become text,
and the formatting requests (frozen header, Priority dropdown, Due dates, protected worker columns).

Pure: no API calls, no store. Cells are handled as text (`cell_text`): an ID read back as a number,
a Due date read back as a serial number, are turned into "12" and "2026-03-01", so what the worker
wrote and what it reads compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

SHEET_TITLE = "Topics"
HEADER = ("ID", "Title", "Priority", "Due", "Notes", "Requested by", "Status", "Writer", "Draft", "Review",
          "Message")
WIDTH = len(HEADER)                      # A..K
STAMP_COLUMN = WIDTH                     # L1 holds a token of the worker's last write (column L is hidden)
GRID_COLUMNS = WIDTH + 1
ID, TITLE, PRIORITY, DUE, NOTES, REQUESTED_BY, STATUS, WRITER, DRAFT, REVIEW, MESSAGE = range(WIDTH)
# The columns editors fill in, by the name the queue uses for them.
EDITOR_FIELDS = {"title": TITLE, "priority": PRIORITY, "due": DUE, "notes": NOTES, "requested_by": REQUESTED_BY}
FIELD_LABELS = {"title": "Title", "priority": "Priority", "due": "Due", "notes": "Notes",
                "requested_by": "Requested by"}
WORKER_COLUMNS = (ID, STATUS, WRITER, DRAFT, REVIEW, MESSAGE)
REMOVE = "remove"                        # typed in Status: take the topic off the queue
MIN_GRID_ROWS = 1000
GRID_HEADROOM = 500                      # rows added beyond what is needed when the grid grows
_EPOCH = date(1899, 12, 30)              # day 0 of Sheets' serial dates


class RowStatus(str, Enum):
    """What the Status column says of a topic."""

    QUEUED = "queued"
    ASSIGNED = "assigned"
    IN_REVIEW = "in review"
    APPROVED = "approved"
    DECLINED = "declined"


def column_letter(index: int) -> str:
    return chr(ord("A") + index)


def a1(title: str, first_row: int, last_row: int | None = None, *, first_column: int = 0,
       last_column: int = WIDTH - 1) -> str:
    """`'Topics'!A2:K9` (rows 1-based; last_row None = to the end of the sheet)."""
    quoted = "'" + title.replace("'", "''") + "'"
    end = f"{column_letter(last_column)}{last_row if last_row is not None else ''}"
    return f"{quoted}!{column_letter(first_column)}{first_row}:{end}"


# --- cells as text ---

def date_from_serial(number: float) -> str:
    return (_EPOCH + timedelta(days=int(number))).isoformat()


def serial_from_date(iso: str) -> int | None:
    try:
        return (date.fromisoformat(iso) - _EPOCH).days
    except ValueError:
        return None


def cell_text(value, column: int) -> str:
    """A value as values.get returns it unformatted, as the text the sync compares."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if column == DUE and 0 < value < 2_958_466:   # a real date: day 1 .. 9999-12-31
            return date_from_serial(value)
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    return str(value)


def api_value(text: str, column: int):
    """A cell's text as the worker writes it (RAW): an ID as a number, a valid Due date as a date."""
    if column == ID and text.isdigit():
        return int(text)
    if column == DUE and text:
        serial = serial_from_date(text)
        if serial is not None:
            return serial
    return text


@dataclass(frozen=True)
class SheetRow:
    """One data row as read: its 1-based row number in the sheet and its WIDTH cells as text."""

    number: int
    cells: tuple[str, ...]

    @classmethod
    def of(cls, number: int, values: list) -> "SheetRow":
        cells = [cell_text(values[i] if i < len(values) else None, i) for i in range(WIDTH)]
        return cls(number, tuple(cells))

    @property
    def topic_id(self) -> int | None:
        text = self.cells[ID].strip().lstrip("#")
        return int(text) if text.isdigit() and len(text) < 10 else None

    def field(self, name: str) -> str:
        return self.cells[EDITOR_FIELDS[name]]

    @property
    def status(self) -> str:
        return self.cells[STATUS].strip().lower()

    @property
    def message(self) -> str:
        return self.cells[MESSAGE]

    @property
    def editor_blank(self) -> bool:
        return not any(self.cells[column].strip() for column in EDITOR_FIELDS.values())


def canonical(name: str, text: str) -> str:
    """A field's text as compared: spaces collapsed (notes keep their lines), priority lower-cased."""
    if name == "notes":
        return "\n".join(line.rstrip() for line in text.strip().splitlines())
    if name == "priority":
        return " ".join(text.split()).lower()
    return " ".join(text.split())


def parse_grid(values: list[list]) -> tuple[list[str], str, list[SheetRow]]:
    """(header cells, stamp, data rows) of a values.get answer over A1:L; blank rows are left out."""
    header_values = values[0] if values else []
    header = [cell_text(header_values[i] if i < len(header_values) else None, i) for i in range(WIDTH)]
    stamp = cell_text(header_values[STAMP_COLUMN], STAMP_COLUMN) if len(header_values) > STAMP_COLUMN else ""
    rows = [SheetRow.of(number, line) for number, line in enumerate(values[1:], start=2)]
    return header, stamp, [row for row in rows if any(cell.strip() for cell in row.cells)]


# --- formatting requests ---

TEXT_COLUMNS = ((TITLE, DUE), (NOTES, WIDTH))     # [start, end): plain text, so "2026" or "=x" stay text


def column_rules(sheet_id: int, first_row: int, end_row: int) -> list[dict]:
    """For rows [first_row, end_row) (0-based): the Priority dropdown, the Due date check and format,
    IDs as whole numbers, plain text elsewhere (a title typed as "2026-01-05" stays a title, not a date)."""
    def cells(column: int, end_column: int | None = None) -> dict:
        return {"sheetId": sheet_id, "startRowIndex": first_row, "endRowIndex": end_row,
                "startColumnIndex": column, "endColumnIndex": end_column or column + 1}
    text = [{"repeatCell": {"range": cells(start, end), "cell": {"userEnteredFormat": {"numberFormat": {
        "type": "TEXT"}}}, "fields": "userEnteredFormat.numberFormat"}} for start, end in TEXT_COLUMNS]
    return [
        *text,
        # IDs as whole numbers: a date typed over one stays a number, and so do the IDs written after it.
        {"repeatCell": {"range": cells(ID), "cell": {"userEnteredFormat": {"numberFormat": {
            "type": "NUMBER", "pattern": "0"}}}, "fields": "userEnteredFormat.numberFormat"}},
        {"setDataValidation": {"range": cells(PRIORITY), "rule": {
            "condition": {"type": "ONE_OF_LIST",
                          "values": [{"userEnteredValue": p} for p in ("high", "normal", "low")]},
            "inputMessage": "high, normal or low", "strict": True, "showCustomUi": True}}},
        {"setDataValidation": {"range": cells(DUE), "rule": {
            "condition": {"type": "DATE_IS_VALID"}, "inputMessage": "A date, e.g. 2026-03-01", "strict": True}}},
        {"repeatCell": {"range": cells(DUE), "cell": {"userEnteredFormat": {"numberFormat": {
            "type": "DATE", "pattern": "yyyy-mm-dd"}}}, "fields": "userEnteredFormat.numberFormat"}},
    ]


PROTECTIONS = {   # description -> the columns (and rows) the worker keeps
    "docs-workflow: the header": {"startRowIndex": 0, "endRowIndex": 1},
    "docs-workflow: topic IDs": {"startColumnIndex": ID, "endColumnIndex": ID + 1},
    "docs-workflow: Status, Writer, Draft, Review and Message": {"startColumnIndex": STATUS,
                                                                 "endColumnIndex": GRID_COLUMNS},
}


def layout_requests(sheet_id: int, *, title: str, rows: int, columns: int,
                    existing_protections: set[str]) -> list[dict]:
    """One batchUpdate that lays the sheet out: name, size, frozen header in bold, column rules, the
    hidden stamp column, warning-only protection of what the worker writes."""
    requests: list[dict] = [
        {"updateSheetProperties": {"properties": {"sheetId": sheet_id, "title": title, "gridProperties": {
            "rowCount": rows, "columnCount": columns, "frozenRowCount": 1}},
            "fields": "title,gridProperties.rowCount,gridProperties.columnCount,gridProperties.frozenRowCount"}},
        {"repeatCell": {"range": {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0,
                                  "endColumnIndex": GRID_COLUMNS},
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold"}},
        {"updateDimensionProperties": {"range": {"sheetId": sheet_id, "dimension": "COLUMNS",
                                                 "startIndex": STAMP_COLUMN, "endIndex": STAMP_COLUMN + 1},
                                       "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}},
        *column_rules(sheet_id, 1, rows),
    ]
    for description, bounds in PROTECTIONS.items():
        if description not in existing_protections:
            requests.append({"addProtectedRange": {"protectedRange": {
                "range": {"sheetId": sheet_id, **bounds}, "description": description, "warningOnly": True}}})
    return requests


def grow_requests(sheet_id: int, rows: int, new_rows: int) -> list[dict]:
    """Rows added at the end of the grid, with the column rules."""
    return [{"appendDimension": {"sheetId": sheet_id, "dimension": "ROWS", "length": new_rows - rows}},
            *column_rules(sheet_id, rows, new_rows)]
