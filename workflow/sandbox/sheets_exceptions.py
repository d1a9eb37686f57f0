"""Errors of the Sheets API, one constructor per kind, worded as Sheets words them."""

from __future__ import annotations

from .exceptions import ApiError


def unable_to_parse_range(text: str) -> ApiError:
    return ApiError(400, f"Unable to parse range: {text}")


def exceeds_grid_limits(shown_range: str, rows: int, columns: int) -> ApiError:
    return ApiError(400, f"Range ({shown_range}) exceeds grid limits. Max rows: {rows}, max columns: {columns}")


def protected_cell() -> ApiError:
    return ApiError(400, "You are trying to edit a protected cell or object. Please contact the spreadsheet "
                         "owner to remove protection if you need to edit.")


def invalid_request(number: int, kind: str, detail: str) -> ApiError:
    """A batchUpdate request refused: `Invalid requests[0].addSheet: ...`."""
    where = f"requests[{number}]" + (f".{kind}" if kind else "")
    return ApiError(400, f"Invalid {where}: {detail}")


def invalid_value_input_option(value) -> ApiError:
    return ApiError(400, f"Invalid valueInputOption: {value or 'INPUT_VALUE_OPTION_UNSPECIFIED'}")


def too_much_data(shown_range: str, row: int) -> ApiError:
    return ApiError(400, f"Requested writing within range [{shown_range}], but tried writing to row [{row}]")


def range_mismatch(url_range: str, body_range: str) -> ApiError:
    return ApiError(400, f"Requested writing within range [{url_range}], but the request body has range "
                         f"[{body_range}]. Request range must be within the URL's range.")


def spreadsheet_not_found() -> ApiError:
    return ApiError(404, "Requested entity was not found.")


def no_permission() -> ApiError:
    return ApiError(403, "The caller does not have permission")


def not_a_spreadsheet() -> ApiError:
    return ApiError(400, "This operation is not supported for this document", status="FAILED_PRECONDITION")
