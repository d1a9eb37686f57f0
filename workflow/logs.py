"""Logging set-up: human lines on a terminal, JSON lines on request; tokens and keys never reach a log."""

from __future__ import annotations

import json
import logging
import re
import sys
import time

from workflow.terminal import printable

# Bearer tokens, OAuth tokens (ya29.…, our sandbox's sbx-…), refresh tokens, JWT assertions, PEM keys.
_SECRET_PATTERNS = [
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    (re.compile(r"(?i)((?:access_token|refresh_token|id_token|client_secret|assertion|private_key)"
                r"[\"']?\s*[:=]\s*[\"']?)[^\"'&\s,}]+"), r"\1[redacted]"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S), "[redacted key]"),
    (re.compile(r"\bya29\.[A-Za-z0-9._-]+"), "[redacted]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"), "[redacted jwt]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class TextFormatter(logging.Formatter):
    """`HH:MM:SS LEVEL message`, without control characters (messages carry post ids and file names)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("job", "post", "doc_id", "outcome", "counts", "seconds", "worker"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time of each record (it may be replaced after set-up)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def setup_logging(*, verbose: bool = False, log_format: str | None = None) -> None:
    handler = StderrHandler()
    handler.addFilter(RedactingFilter())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_workflow", False):
            root.removeHandler(old)
    handler._workflow = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    # The Google client logs request URLs at INFO; keep them for -v only.
    for noisy in ("googleapiclient", "google_auth_httplib2", "urllib3", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose else logging.WARNING)
