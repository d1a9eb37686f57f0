"""Cell values of the Sheets sandbox: what a write stores, what a read shows.

A cell is a dict: `v` its value (str, int, float or bool), `f` a formula (`=…`; the sandbox
evaluates none, so its value is the error `#NAME?`), `fmt` its userEnteredFormat and `dv` its data
validation rule. `valueInputOption` RAW stores JSON values as they are; USER_ENTERED parses text as
the editor would (numbers, TRUE/FALSE, dates in ISO or en_US form, `'` forcing text, `=` a formula),
except in cells formatted as plain text (numberFormat TEXT), which keep what is typed.
Dates are serial numbers (days since 1899-12-30) shown through the cell's number format.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from .exceptions import ApiError

EPOCH = date(1899, 12, 30)
FORMULA_ERROR = "#NAME?"
INPUT_OPTIONS = ("RAW", "USER_ENTERED")
RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_TIME_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
DATE_TYPES = ("DATE", "TIME", "DATE_TIME")
MAX_CELL_CHARACTERS = 50_000
_DEFAULT_DATE_PATTERNS = {"DATE": "M/d/yyyy", "TIME": "h:mm:ss", "DATE_TIME": "M/d/yyyy H:mm:ss"}   # en_US

_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_DATE_TOKENS = re.compile(r'yyyy|yy|mmmm|mmm|mm|m|MMMM|MMM|MM|M|dddd|ddd|dd|d|hh|h|HH|H|ss|s|"[^"]*"|.',
                          re.IGNORECASE)


def serial(day: date) -> int:
    return (day - EPOCH).days


def from_serial(number: float) -> datetime:
    return datetime.combine(EPOCH, datetime.min.time()) + timedelta(days=number)


def _number_value(number: float) -> int | float:
    return int(number) if float(number).is_integer() and abs(number) < 2 ** 53 else float(number)


# --- writing ---

def raw_cell(value) -> dict | None:
    """The cell a RAW value makes; None clears it."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return {"v": value}
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ApiError(400, f"Invalid values: {value} is not a finite number.")
        return {"v": _number_value(value)}
    if isinstance(value, str):
        return {"v": _checked_text(value)}
    raise ApiError(400, f"Invalid values: {value!r} is not a string, number or boolean.")


def _checked_text(text: str) -> str:
    if len(text) > MAX_CELL_CHARACTERS:
        raise ApiError(400, f"Your input contains more than the maximum of {MAX_CELL_CHARACTERS} characters "
                            "in a single cell.")
    return text


def user_entered_cell(value, number_format: dict | None) -> dict | None:
    """The cell text typed into the editor makes (with the format it picks for dates and percents)."""
    if not isinstance(value, str):
        return raw_cell(value)
    text = _checked_text(value)
    if text == "":
        return None
    if (number_format or {}).get("type") == "TEXT":
        return {"v": text}      # a plain-text cell keeps what is typed: no number, date or formula
    if text.startswith("'"):
        return {"v": text[1:]} if len(text) > 1 else None
    if text.startswith("=") and len(text) > 1:
        return {"v": FORMULA_ERROR, "f": text}
    if text.strip().upper() in ("TRUE", "FALSE"):
        return {"v": text.strip().upper() == "TRUE"}
    stripped = text.strip()
    percent = stripped.endswith("%")
    candidate = stripped[:-1].strip() if percent else stripped
    if _NUMBER.match(candidate) and any(ch.isdigit() for ch in candidate):
        number = float(candidate.replace(",", ""))
        cell = {"v": _number_value(number / 100 if percent else number)}
        if percent and not number_format:
            cell["auto"] = {"type": "PERCENT", "pattern": "0%"}
        return cell
    day, pattern = _typed_date(stripped)
    if day is not None:
        cell = {"v": serial(day)}
        if not number_format:       # a cell's own number format wins over the one a typed date suggests
            cell["auto"] = {"type": "DATE", "pattern": pattern}
        return cell
    return {"v": text}


def _typed_date(text: str) -> tuple[date | None, str]:
    found = _ISO_DATE.match(text)
    try:
        if found:
            year, month, day = (int(part) for part in found.groups())
            return date(year, month, day), "yyyy-mm-dd"
        found = _US_DATE.match(text)
        if found:
            month, day, year = (int(part) for part in found.groups())
            if year < 100:
                year += 2000 if year < 30 else 1900
            return date(year, month, day), "M/d/yyyy"
    except ValueError:      # 2025-13-45: not a date, so it stays text
        pass
    return None, ""


# --- reading ---

def render(cell: dict | None, fmt: dict | None, value_option: str, date_option: str):
    """A cell as values.get returns it under valueRenderOption / dateTimeRenderOption (None if empty)."""
    if cell is None:
        return None
    value = cell.get("v")
    if value_option == "FORMULA" and cell.get("f"):
        return cell["f"]
    number_format = (fmt or {}).get("numberFormat")
    if value_option == "FORMATTED_VALUE":
        return formatted(value, number_format)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and date_option == "FORMATTED_STRING" \
            and number_format and number_format.get("type") in DATE_TYPES:
        return formatted(value, number_format)
    return value


def formatted(value, number_format: dict | None) -> str:
    """The text the editor shows for a value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return value
    kind = (number_format or {}).get("type")
    pattern = (number_format or {}).get("pattern") or ""
    if kind in DATE_TYPES:
        return _format_date(value, pattern or _DEFAULT_DATE_PATTERNS[kind])
    if kind == "PERCENT":
        return f"{value * 100:.{_decimals(pattern)}f}%"
    if kind in ("NUMBER", "CURRENCY") and pattern:
        decimals = _decimals(pattern)
        return f"{value:,.{decimals}f}" if "," in pattern else f"{value:.{decimals}f}"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"


def _decimals(pattern: str) -> int:
    _, dot, rest = pattern.partition(".")
    return len(re.match(r"[0#]*", rest).group(0)) if dot else 0


# Date pattern tokens (lower-cased) -> the text of a moment; "m"/"mm" after an hour are minutes.
_DATE_PARTS = {
    "yyyy": lambda t: f"{t.year:04d}", "yy": lambda t: f"{t.year % 100:02d}",
    "mmmm": lambda t: t.strftime("%B"), "mmm": lambda t: t.strftime("%b"),
    "mm": lambda t: f"{t.month:02d}", "m": lambda t: str(t.month),
    "dddd": lambda t: t.strftime("%A"), "ddd": lambda t: t.strftime("%a"),
    "dd": lambda t: f"{t.day:02d}", "d": lambda t: str(t.day),
    "hh": lambda t: f"{t.hour:02d}", "h": lambda t: str(t.hour),
    "ss": lambda t: f"{t.second:02d}", "s": lambda t: str(t.second),
}
_MINUTES = {"mm": lambda t: f"{t.minute:02d}", "m": lambda t: str(t.minute)}


def _format_date(number: float, pattern: str) -> str:
    moment = from_serial(number)
    out = []
    after_hour = False
    for token in _DATE_TOKENS.findall(pattern):
        lower = token.lower()
        if token.startswith('"'):
            out.append(token[1:-1])
            continue
        part = (_MINUTES if after_hour else {}).get(lower) or _DATE_PARTS.get(lower)
        out.append(part(moment) if part else token)
        after_hour = after_hour or lower.startswith("h")
    return "".join(out)


def extended_value(cell: dict | None) -> dict | None:
    """The ExtendedValue of a cell (CellData.userEnteredValue / effectiveValue)."""
    if cell is None:
        return None
    value = cell.get("v")
    if cell.get("f"):
        return {"formulaValue": cell["f"]}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    return {"stringValue": value}


def cell_from_extended(extended: dict) -> dict | None:
    """A cell from an ExtendedValue (updateCells, repeatCell)."""
    if not isinstance(extended, dict) or not extended:
        return None
    if "formulaValue" in extended:
        return user_entered_cell(str(extended["formulaValue"]), None)
    if "numberValue" in extended:
        return raw_cell(float(extended["numberValue"]))
    if "boolValue" in extended:
        return raw_cell(bool(extended["boolValue"]))
    if "stringValue" in extended:
        return raw_cell(str(extended["stringValue"]))
    raise ApiError(400, "Invalid ExtendedValue: set one of stringValue, numberValue, boolValue, formulaValue.")
