"""Load and validate `config/workflow.toml` into one `Config` object passed down.

Every key is declared once in `SCHEMA` with its type and default; unknown keys, wrong types and
bad values are refused at load time with a message naming the key and what is allowed. Relative
paths resolve against the current directory (the site root).
"""

from __future__ import annotations

import math
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from workflow.errors import ConfigError

DEFAULT_CONFIG = Path("config/workflow.toml")
ROLES = ("reader", "commenter", "writer")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
INTERVAL_RE = re.compile(r"^every\s+(\d+)\s*(s|m|h)$")
_INTERVAL_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


# --- value checks: each returns the cleaned value or raises ValueError("what is allowed") ---

Check = Callable[[Any], Any]


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _whole(low: int, high: int) -> Check:
    """A whole number from low to high (anything beyond is a typo, and would overflow later)."""
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high} (got {value!r})")
        return value
    return check


def _seconds(high: float) -> Check:
    """A finite number of seconds above 0 and at most `high` (inf and nan are TOML floats too)."""
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not 0 < value <= high:
            raise ValueError(f"must be a number of seconds above 0 and at most {high:g} (got {value!r})")
        return float(value)
    return check


def _path(value: Any) -> Path:
    text = _str(value)
    if not text.strip():
        raise ValueError("must not be empty")
    return Path(text)


def _optional_path(value: Any) -> Path | None:
    text = _str(value)
    return Path(text) if text.strip() else None


def _email(value: Any) -> str:
    text = _str(value).strip()
    if not EMAIL_RE.match(text):
        raise ValueError(f"must be an email address (got {text!r})")
    return text


def _emails(value: Any) -> list[str]:
    if not isinstance(value, list):
        raise ValueError("must be a list of email addresses")
    return [_email(item) for item in value]


def _one_of(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)} (got {value!r})")
        return value
    return check


def url_origin(url: str) -> str:
    """`scheme://host[:port]` of a URL, for messages: the rest (path, query, user) may hold a secret."""
    try:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    except ValueError:  # a port that is not a number: show what stands before the path
        origin = "/".join(url.split("/", 3)[:3])
    return "".join(char if char.isprintable() and not char.isspace() else "?" for char in origin)


def _is_http_url(text: str) -> bool:
    """An http(s) URL with a host, a valid port, and no whitespace or control character anywhere."""
    if any(char.isspace() or unicodedata.category(char) == "Cc" for char in text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _endpoint(value: Any) -> str:
    text = _str(value).strip()
    if text in ("sandbox", "google") or _is_http_url(text):
        return text
    raise ValueError(f'must be "sandbox", "google", or an http(s) URL (got {text!r})')


def _webhook_url(value: Any) -> str:
    """Empty, or an http(s) URL; an error shows only its scheme and host (a Slack URL's path is its secret)."""
    text = _str(value).strip()
    if text and not _is_http_url(text):
        raise ValueError(f"must be an http:// or https:// URL with a host and no spaces or control characters "
                         f"(got {url_origin(text)}/…; the rest is not shown)")
    return text


def _site_url(value: Any) -> str:
    """The blog's public base URL ("" = none), ending in "/" so relative paths resolve under it."""
    text = _str(value).strip()
    if not text:
        return ""
    if not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", text):
        raise ValueError(f"must be the blog's public http(s) base URL, such as https://blog.example.com/ (got {text!r})")
    return text if text.endswith("/") else text + "/"


def _state_url(value: Any) -> str:
    text = _str(value).strip()
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", text):
        raise ValueError("must be an SQLAlchemy URL starting with sqlite:/// or postgresql://")
    return text


def _timezone(value: Any) -> str:
    text = _str(value)
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"must be an IANA time zone such as UTC or Europe/Warsaw (got {text!r})") from None
    return text


def _schedule(value: Any) -> str:
    """A crontab string ("*/5 * * * *") or an interval ("every 30s", "every 10m", "every 2h"); "" turns the job off."""
    text = _str(value).strip()
    if not text or INTERVAL_RE.match(text):
        return text
    fields_ = text.split()
    if len(fields_) != 5:
        raise ValueError(
            f'must be a crontab string of 5 fields such as "*/5 * * * *", or "every 30s" / "every 10m" (got {text!r})'
        )
    from apscheduler.triggers.cron import CronTrigger  # imported here: only schedules need it

    try:
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        raise ValueError(f"is not a valid crontab string ({exc}) (got {text!r})") from None
    return text


def interval_seconds(schedule: str) -> int | None:
    """Seconds of an "every N{s,m,h}" schedule, or None for a crontab string."""
    match = INTERVAL_RE.match(schedule.strip())
    if not match:
        return None
    return int(match.group(1)) * _INTERVAL_UNIT_SECONDS[match.group(2)]


# --- the schema: section -> key -> (check, default) ---

SCHEMA: dict[str, dict[str, tuple[Check, Any]]] = {
    "content": {
        "posts_dir": (_path, "posts"),
        "drafts_dir": (_path, "drafts"),
        "clean_up": (_bool, True),
        "site_url": (_site_url, ""),
    },
    "state": {
        "url": (_state_url, "sqlite:///.workflow/state.db"),
    },
    "google": {
        "endpoint": (_endpoint, "sandbox"),
        "credentials": (_optional_path, ""),
        "subject": (_str, ""),
        "drive_scope": (_one_of("drive.file", "drive"), "drive.file"),
        "review_folder_id": (_str, ""),
        "review_folder_name": (_str, "Blog posts in review"),
        "shared_drive_id": (_str, ""),
        "sandbox_data": (_path, ".workflow/sandbox"),
        "drive_requests_per_minute": (_whole(1, 1_000_000), 600),
        "docs_writes_per_minute": (_whole(1, 1_000_000), 60),
        "max_retries": (_whole(0, 20), 5),
        "retry_base_seconds": (_seconds(600), 1.0),
        "request_timeout_seconds": (_seconds(3600), 60.0),
    },
    "review": {
        "reviewers": (_emails, []),
        "role": (_one_of(*ROLES), "commenter"),
        "notify": (_bool, True),
        "start_approval": (_bool, True),
        "due_days": (_whole(0, 3650), 3),
        "approved_folder_id": (_str, ""),
        "restart_approval_on_change": (_bool, True),
        "webhook_url": (_webhook_url, ""),
    },
    "schedule": {
        "timezone": (_timezone, "UTC"),
        "export": (_schedule, "*/5 * * * *"),
        "assign": (_schedule, "0 9 * * *"),
        "reviews": (_schedule, "every 10m"),
        "misfire_grace_seconds": (_whole(1, 7 * 86400), 300),
        "lease_seconds": (_whole(1, 86400), 120),
        "stop_timeout_seconds": (_seconds(3600), 30.0),
    },
}

WRITER_SCHEMA: dict[str, tuple[Check, Any]] = {
    "name": (_str, None),
    "email": (_email, None),
    "capacity": (_whole(1, 1000), 1),
}


@dataclass(frozen=True)
class Writer:
    name: str
    email: str
    capacity: int


@dataclass(frozen=True)
class Config:
    """The validated configuration. `sections[name][key]` holds every value; attributes are shortcuts."""

    path: Path | None
    root: Path
    sections: dict[str, dict[str, Any]]
    writers: tuple[Writer, ...] = field(default_factory=tuple)

    def get(self, section: str, key: str) -> Any:
        return self.sections[section][key]

    def resolve(self, path: Path) -> Path:
        """A configured path, resolved against the site root."""
        return path if path.is_absolute() else self.root / path

    @property
    def posts_dir(self) -> Path:
        return self.resolve(self.get("content", "posts_dir"))

    @property
    def drafts_dir(self) -> Path:
        return self.resolve(self.get("content", "drafts_dir"))

    @property
    def state_url(self) -> str:
        url = self.get("state", "url")
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
            return prefix + str(self.root / url[len(prefix):])
        return url

    def writer(self, name: str) -> Writer | None:
        return next((w for w in self.writers if w.name == name), None)


def default_config_path(cwd: Path) -> Path | None:
    """`WORKFLOW_CONFIG`, else `config/workflow.toml` under the current directory when present."""
    env = os.environ.get("WORKFLOW_CONFIG")
    if env:
        return Path(env)
    candidate = cwd / DEFAULT_CONFIG
    return candidate if candidate.exists() else None


def load_config(path: Path | None, *, root: Path | None = None) -> Config:
    """Read and validate the config at `path`; with no path, every key takes its default."""
    root = (root or Path.cwd()).resolve()
    raw: dict[str, Any] = {}
    label = str(path) if path else "defaults"
    if path is not None:
        try:
            with open(path, "rb") as handle:
                raw = tomllib.load(handle)
        except FileNotFoundError:
            raise ConfigError(f"{path}: config file not found") from None
        except PermissionError:
            raise ConfigError(f"{path}: config file is not readable") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return Config(
        path=path,
        root=root,
        sections=_validate_sections(raw, label),
        writers=_validate_writers(raw.get("writers", []), label),
    )


def _validate_sections(raw: dict[str, Any], label: str) -> dict[str, dict[str, Any]]:
    unknown = sorted(set(raw) - set(SCHEMA) - {"writers"})
    if unknown:
        allowed = ", ".join(f"[{name}]" for name in SCHEMA) + ", [[writers]]"
        raise ConfigError(f"{label}: unknown section [{unknown[0]}] (allowed: {allowed})")
    sections: dict[str, dict[str, Any]] = {}
    for section, keys in SCHEMA.items():
        given = raw.get(section, {})
        if not isinstance(given, dict):
            raise ConfigError(f"{label}: {section} must be a table [{section}]")
        unknown_keys = sorted(set(given) - set(keys))
        if unknown_keys:
            raise ConfigError(
                f"{label}: unknown key [{section}] {unknown_keys[0]} (allowed: {', '.join(keys)})"
            )
        values = {}
        for key, (check, default) in keys.items():
            value = given.get(key, default)
            try:
                values[key] = check(value)
            except ValueError as exc:
                raise ConfigError(f"{label}: [{section}] {key} {exc}") from None
        sections[section] = values
    return sections


def _validate_writers(raw_writers: Any, label: str) -> tuple[Writer, ...]:
    if not isinstance(raw_writers, list):
        raise ConfigError(f"{label}: writers must be an array of tables [[writers]]")
    writers: list[Writer] = []
    for number, entry in enumerate(raw_writers, start=1):
        where = f"{label}: [[writers]] #{number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table with name, email, capacity")
        unknown = sorted(set(entry) - set(WRITER_SCHEMA))
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]} (allowed: name, email, capacity)")
        values = {}
        for key, (check, default) in WRITER_SCHEMA.items():
            if key not in entry and default is None:
                raise ConfigError(f"{where}: {key} is required")
            try:
                values[key] = check(entry.get(key, default))
            except ValueError as exc:
                raise ConfigError(f"{where}: {key} {exc}") from None
        if not values["name"].strip() or len(values["name"]) > 100:
            raise ConfigError(f"{where}: name must be 1 to 100 characters")
        if any(w.name == values["name"] for w in writers):
            raise ConfigError(f"{where}: writer name {values['name']!r} is used twice")
        writers.append(Writer(**values))
    return tuple(writers)


def parse_due(text: str) -> date:
    """A due date given on the command line or in front matter (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"due date must be YYYY-MM-DD (got {text!r})") from None
