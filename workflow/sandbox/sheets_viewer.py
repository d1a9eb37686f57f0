"""A read-only HTML view of a spreadsheet at `/spreadsheets/d/ID/edit`: each sheet's grid with its
frozen rows, dropdowns, protected (shaded) and hidden columns, as the editor would show it.
Every text is escaped. Like the Docs viewer, no token is needed (a local tool on loopback)."""

from __future__ import annotations

from html import escape

from .sheets import Sheet
from .sheets_a1 import column_letters
from .sheets_values import formatted
from .state import SandboxState
from .viewer import _page as page
from .viewer import file_meta

_STYLE = """
table.sheet{border-collapse:collapse;font-size:.9em}
table.sheet td,table.sheet th{border:1px solid #dadce0;padding:.2em .4em;max-width:28em;vertical-align:top}
table.sheet th{background:#f1f3f4;color:#5f6368;font-weight:normal}
tr.frozen td{background:#e8f0fe;font-weight:bold;position:sticky;top:0}
td.protected{background:#f8f9fa;color:#5f6368}td.number{text-align:right}
span.dropdown{color:#1a73e8}h2{font-size:1.1em}body{max-width:none}
"""


def _page(title: str, content: str) -> str:
    return page(title, f"<style>{_STYLE}</style>{content}")


def _protected_columns(sheet: Sheet) -> set[int]:
    columns: set[int] = set()
    for protected in sheet.protected_ranges:
        top, left, bottom, right = sheet.grid_box(protected.get("range") or {})
        if top <= 1 and bottom >= sheet.rows:        # whole columns (the header row may be left out)
            columns.update(range(left, right))
    return columns


def _grid(sheet: Sheet) -> str:
    used_rows = [r for (r, _c), cell in sheet.cells.items() if cell.get("v") not in (None, "")]
    last_row = min(sheet.rows, max(used_rows, default=-1) + 2)
    visible = [c for c in range(sheet.columns) if not sheet.column_metadata.get(c, {}).get("hiddenByUser")]
    used_columns = [c for (_r, c), cell in sheet.cells.items() if cell.get("v") not in (None, "")]
    visible = [c for c in visible if c <= max(used_columns, default=0) + 1]
    protected = _protected_columns(sheet)
    frozen = sheet.grid.get("frozenRowCount", 0)
    head = "<tr><th></th>" + "".join(f"<th>{column_letters(c)}</th>" for c in visible) + "</tr>"
    rows = []
    for row in range(last_row):
        cells = []
        for column in visible:
            cell = sheet.cells.get((row, column)) or {}
            text = formatted(cell.get("v"), (cell.get("fmt") or {}).get("numberFormat"))
            classes = []
            if column in protected:
                classes.append("protected")
            if isinstance(cell.get("v"), (int, float)) and not isinstance(cell.get("v"), bool):
                classes.append("number")
            condition = (cell.get("dv") or {}).get("condition") or {}
            marker = " <span class='dropdown'>▾</span>" if condition.get("type") == "ONE_OF_LIST" else ""
            css = f" class='{' '.join(classes)}'" if classes else ""
            cells.append(f"<td{css}>{escape(text)}{marker}</td>")
        css = " class='frozen'" if row < frozen else ""
        rows.append(f"<tr{css}><th>{row + 1}</th>{''.join(cells)}</tr>")
    return f"<table class='sheet'>{head}{''.join(rows)}</table>"


def spreadsheet_page(state: SandboxState, file_id: str) -> tuple[int, str]:
    with state.lock:
        record = state.drive.files.get(file_id)
        spreadsheet = state.drive.spreadsheets.get(file_id)
        if record is None or spreadsheet is None:
            return 404, _page("Not found", f"<h1>No spreadsheet {escape(file_id)}</h1>")
        meta = file_meta(record, " · in the trash" if record["trashed"] else "")
        parts = [f"<h1>{escape(record['name'])}</h1>{meta}"]
        for sheet in sorted(spreadsheet.sheets, key=lambda s: s.properties.get("index", 0)):
            parts.append(f"<h2>{escape(sheet.title)}</h2>{_grid(sheet)}")
    return 200, _page(record["name"], "".join(parts))
