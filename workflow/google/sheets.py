"""The Sheets v4 calls the worker makes. Nothing here knows about topics.

Values are read unformatted (numbers as numbers, dates as serial numbers: the same whatever the
spreadsheet's locale) and written RAW (text stays text: a title starting with "=" never becomes a
formula). Files are created and shared with Drive (`GoogleOps`), not with `spreadsheets.create`,
so the Sheet lands in its folder with a reserved id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from googleapiclient.errors import HttpError

from workflow.google.clients import GoogleSession
from workflow.google.operations import GoogleCallFailed
from workflow.google.pacing import describe

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
SHEET_FIELDS = ("sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount,frozenRowCount)),"
                "protectedRanges(protectedRangeId,description,warningOnly))")


class GridTooSmall(GoogleCallFailed):
    """A write reached past the sheet's grid (rows were deleted by hand): grow the grid, write again."""


class RangeNotFound(GoogleCallFailed):
    """The range names no sheet any more (the sheet was renamed or deleted by hand)."""


@dataclass
class SheetsOps:
    session: GoogleSession

    def _run(self, request: Any, api: str) -> Any:
        try:
            return self.session.caller.execute(request, api=api)
        except HttpError as exc:
            message = describe(exc)
            if exc.resp.status == 400 and "exceeds grid limits" in message:
                raise GridTooSmall(message) from exc
            if exc.resp.status == 400 and "Unable to parse range" in message:
                raise RangeNotFound(message) from exc
            raise GoogleCallFailed(message) from exc

    @property
    def _spreadsheets(self) -> Any:
        return self.session.sheets.spreadsheets()      # built once per thread (clients._built_once)

    @property
    def _values(self) -> Any:
        return self._spreadsheets.values()

    def sheets_of(self, spreadsheet_id: str) -> list[dict]:
        """Each sheet's properties (id, title, grid size, frozen rows) and protected ranges."""
        reply = self._run(self._spreadsheets.get(spreadsheetId=spreadsheet_id, fields=SHEET_FIELDS),
                          "sheets_read")
        return reply.get("sheets", [])

    def read(self, spreadsheet_id: str, a1_range: str) -> list[list]:
        """The rows of a range (trailing empty rows and cells left out, as Sheets answers)."""
        reply = self._run(self._values.get(
            spreadsheetId=spreadsheet_id, range=a1_range, majorDimension="ROWS",
            valueRenderOption="UNFORMATTED_VALUE", dateTimeRenderOption="SERIAL_NUMBER"), "sheets_read")
        return reply.get("values", [])

    def write(self, spreadsheet_id: str, data: list[dict]) -> None:
        """Every range in ONE values.batchUpdate (all or nothing), values RAW."""
        if data:
            self._run(self._values.batchUpdate(
                spreadsheetId=spreadsheet_id, body={"valueInputOption": "RAW", "data": data}), "sheets_write")

    def update(self, spreadsheet_id: str, requests: list[dict]) -> dict:
        """ONE spreadsheets.batchUpdate (layout, grid size, validation, protection)."""
        return self._run(self._spreadsheets.batchUpdate(
            spreadsheetId=spreadsheet_id, body={"requests": requests}), "sheets_write")
