"""A1 notation as the Sheets API reads it: `Topics!A1:K9`, `'Topic queue'!A:A`, `A2:K`, `3:5`, `Topics`.

Indexes are 0-based, ends exclusive (like a GridRange); a side left open (`A2:K` has no end row)
is None and reaches the edge of the grid. A name alone is a whole sheet; a range without a sheet
name is on the first visible sheet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sheets_exceptions import exceeds_grid_limits, unable_to_parse_range

MAX_ROWS = 10_000_000
MAX_COLUMNS = 18_278           # ZZZ
_CELL = re.compile(r"^([A-Za-z]{0,3})(\d{0,8})$")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def quote_sheet_name(title: str) -> str:
    """A sheet name as A1 notation writes it: quoted unless letters, digits and underscores only."""
    if _PLAIN_NAME.match(title) and not _CELL.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class A1Range:
    text: str                 # as given, for error messages
    sheet: str | None         # None: the first visible sheet
    start_row: int | None
    start_column: int | None
    end_row: int | None       # exclusive
    end_column: int | None    # exclusive

    def bounded(self, rows: int, columns: int, *, title: str) -> tuple[int, int, int, int]:
        """(start_row, start_column, end_row, end_column) inside a grid of rows x columns;
        400 "exceeds grid limits" when the range names a cell beyond it."""
        start_row = self.start_row or 0
        start_column = self.start_column or 0
        end_row = rows if self.end_row is None else self.end_row
        end_column = columns if self.end_column is None else self.end_column
        if start_row >= rows or start_column >= columns or end_row > rows or end_column > columns:
            raise exceeds_grid_limits(format_range(title, start_row, start_column, end_row, end_column),
                                      rows, columns)
        return start_row, start_column, end_row, end_column


def format_range(title: str, start_row: int, start_column: int, end_row: int, end_column: int) -> str:
    """`Topics!A1:K9` (a single cell as `Topics!A1`)."""
    first = f"{column_letters(start_column)}{start_row + 1}"
    last = f"{column_letters(end_column - 1)}{end_row}"
    cells = first if (end_row - start_row, end_column - start_column) == (1, 1) else f"{first}:{last}"
    return f"{quote_sheet_name(title)}!{cells}"


def _split_sheet(text: str) -> tuple[str | None, str]:
    if text.startswith("'"):
        position, name = 1, []
        while position < len(text):
            char = text[position]
            if char == "'":
                if text[position + 1:position + 2] == "'":
                    name.append("'")
                    position += 2
                    continue
                rest = text[position + 1:]
                if rest and not rest.startswith("!"):
                    raise unable_to_parse_range(text)
                return "".join(name), rest[1:]
            name.append(char)
            position += 1
        raise unable_to_parse_range(text)
    if "!" in text:
        sheet, _, cells = text.rpartition("!")
        return sheet, cells
    return None, text


def _cell(part: str, text: str) -> tuple[int | None, int | None]:
    """(row, column) of one side: `B7`, `B` (a column) or `7` (a row); None where not given."""
    found = _CELL.match(part)
    if not found or not part:
        raise unable_to_parse_range(text)
    letters, digits = found.groups()
    column = column_index(letters) if letters else None
    row = int(digits) - 1 if digits else None
    if (row is not None and not 0 <= row < MAX_ROWS) or (column is not None and column >= MAX_COLUMNS):
        raise unable_to_parse_range(text)
    return row, column


def parse(text: str, sheet_titles: list[str]) -> A1Range:
    """The range `text` names; 400 "Unable to parse range" for bad notation or an unknown sheet."""
    if not isinstance(text, str) or not text.strip():
        raise unable_to_parse_range(str(text))
    sheet, cells = _split_sheet(text.strip())
    if sheet is None and cells in sheet_titles:
        return A1Range(text, cells, None, None, None, None)
    if sheet is not None and sheet not in sheet_titles:
        raise unable_to_parse_range(text)
    if sheet is not None and not cells:
        return A1Range(text, sheet, None, None, None, None)
    first, colon, second = cells.partition(":")
    start_row, start_column = _cell(first, text)
    if not colon:
        if start_row is None or start_column is None:
            raise unable_to_parse_range(text)
        return A1Range(text, sheet, start_row, start_column, start_row + 1, start_column + 1)
    end_row, end_column = _cell(second, text)
    # Columns given on both sides (rows may be open: `A2:K`), or rows only on both sides (`3:5`).
    if (start_column is None) != (end_column is None) or (start_column is None and None in (start_row, end_row)):
        raise unable_to_parse_range(text)
    if start_row is not None and end_row is not None and end_row < start_row:
        start_row, end_row = end_row, start_row
    if start_column is not None and end_column is not None and end_column < start_column:
        start_column, end_column = end_column, start_column
    return A1Range(text, sheet, start_row, start_column,
                   None if end_row is None else end_row + 1,
                   None if end_column is None else end_column + 1)
