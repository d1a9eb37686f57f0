"""Smart chips: a person, a rich link or a date a reviewer drops into a Doc (insertPerson,
insertRichLink, insertDate), each one unit of the body, as `person`, `richLink` and `dateElement`
paragraph elements.

A chip atom is {"chip": "person" | "richLink" | "date", "id", "properties"} (plus "ts", "ins",
"del" as any atom, see docs_structure).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .docs_ids import kix_id
from .exceptions import ApiError

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DATE_FORMATS = ("DATE_FORMAT_UNSPECIFIED", "DATE_FORMAT_CUSTOM", "DATE_FORMAT_MONTH_DAY_ABBREVIATED",
                "DATE_FORMAT_MONTH_DAY_FULL", "DATE_FORMAT_MONTH_DAY_YEAR_ABBREVIATED", "DATE_FORMAT_ISO8601")
TIME_FORMATS = ("TIME_FORMAT_UNSPECIFIED", "TIME_FORMAT_DISABLED", "TIME_FORMAT_HOUR_MINUTE",
                "TIME_FORMAT_HOUR_MINUTE_TIMEZONE")
_ELEMENT = {"person": ("person", "personId", "personProperties"),
            "richLink": ("richLink", "richLinkId", "richLinkProperties"),
            "date": ("dateElement", "dateId", "dateElementProperties")}


def person(request: dict, where: str, names: dict[str, str] | None) -> dict:
    """The atom of insertPerson: `personProperties.email` is required; the name shown is the one
    given, else the name Google knows for that account."""
    properties = request.get("personProperties")
    email = properties.get("email") if isinstance(properties, dict) else None
    if not isinstance(email, str) or not _EMAIL.fullmatch(email):
        raise ApiError(400, f"Invalid {where}: personProperties.email must be an email address.")
    shown = {"email": email}
    name = properties.get("name") or (names or {}).get(email.lower())
    if name:
        shown["name"] = name
    return {"chip": "person", "id": kix_id(), "properties": shown}


def rich_link(request: dict, where: str) -> dict:
    """The atom of insertRichLink: an http(s) `richLinkProperties.uri`, shown by its title."""
    properties = request.get("richLinkProperties")
    uri = properties.get("uri") if isinstance(properties, dict) else None
    if not isinstance(uri, str) or not re.match(r"https?://[^\s/]+", uri):
        raise ApiError(400, f"Invalid {where}: richLinkProperties.uri must be an http or https URL.")
    shown = {"uri": uri, "title": properties.get("title") or uri}
    if properties.get("mimeType"):
        shown["mimeType"] = properties["mimeType"]
    return {"chip": "richLink", "id": kix_id(), "properties": shown}


def date(request: dict, where: str) -> dict:
    """The atom of insertDate, with the `displayText` Docs shows (English)."""
    properties = request.get("dateElementProperties")
    properties = dict(properties) if isinstance(properties, dict) else {}
    properties.pop("displayText", None)   # output only
    date_format = properties.get("dateFormat") or "DATE_FORMAT_MONTH_DAY_YEAR_ABBREVIATED"
    time_format = properties.get("timeFormat") or "TIME_FORMAT_DISABLED"
    if date_format not in DATE_FORMATS or time_format not in TIME_FORMATS:
        raise ApiError(400, f"Invalid {where}: unknown dateFormat or timeFormat.")
    try:
        moment = datetime.fromisoformat(str(properties.get("timestamp") or "").replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, f"Invalid {where}: dateElementProperties.timestamp must be a timestamp "
                            "such as 2026-01-05T09:30:00Z.") from None
    zone_name = properties.get("timeZoneId") or "etc/UTC"
    try:
        zone = timezone.utc if zone_name.lower() == "etc/utc" else ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ApiError(400, f"Invalid {where}: unknown timeZoneId {zone_name!r}.") from None
    local = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(zone)
    properties["displayText"] = _date_text(local, date_format, time_format)
    return {"chip": "date", "id": kix_id(), "properties": properties}


def _date_text(moment: datetime, date_format: str, time_format: str) -> str:
    day = {"DATE_FORMAT_MONTH_DAY_ABBREVIATED": f"{moment:%b} {moment.day}",
           "DATE_FORMAT_MONTH_DAY_FULL": f"{moment:%B} {moment.day}",
           "DATE_FORMAT_ISO8601": f"{moment:%Y-%m-%d}"}.get(date_format, f"{moment:%b} {moment.day}, {moment.year}")
    if time_format in ("TIME_FORMAT_HOUR_MINUTE", "TIME_FORMAT_HOUR_MINUTE_TIMEZONE"):
        day += f" {moment.hour % 12 or 12}:{moment:%M %p}"
        if time_format == "TIME_FORMAT_HOUR_MINUTE_TIMEZONE":
            day += f" {moment.tzname()}"
    return day


def chip_element(atom: dict) -> tuple[str, dict]:
    """(ParagraphElement key, its value without textStyle and suggestion marks) of a chip atom."""
    key, id_key, properties_key = _ELEMENT[atom["chip"]]
    return key, {id_key: atom["id"], properties_key: dict(atom["properties"])}


def chip_text(atom: dict) -> str:
    """What a chip shows in the Doc (and in exports): a name or email, a title, a date."""
    properties = atom["properties"]
    if atom["chip"] == "person":
        return properties.get("name") or properties["email"]
    if atom["chip"] == "richLink":
        return properties["title"]
    return properties["displayText"]


def chip_link(atom: dict) -> str | None:
    """Where a chip leads: a mailto link for a person, the link's URI; a date leads nowhere."""
    if atom["chip"] == "person":
        return "mailto:" + atom["properties"]["email"]
    return atom["properties"].get("uri")

