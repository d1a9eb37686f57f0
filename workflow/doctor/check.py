"""One line of `workflow doctor`: what was checked, what was seen, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Status(str, Enum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass
class Check:
    name: str
    status: Status
    seen: str
    fix: str = ""  # what to do, or the setting or fallback that avoids the failure
    needed: bool = True  # the worker depends on it: failing, the site is not ready

    @property
    def unhealthy(self) -> bool:
        return self.status is Status.FAILED and self.needed

    @property
    def mark(self) -> str:
        """✔ passed, ✗ failed (the worker needs it), ! failed (the worker copes), – not checked."""
        if self.status is Status.OK:
            return "✔"
        if self.status is Status.SKIPPED:
            return "–"
        return "✗" if self.needed else "!"

    def line(self) -> str:
        text = f"{self.mark} {self.name}: {self.seen}"
        return f"{text} — {self.fix}" if self.fix and self.status is Status.FAILED else text

    def to_json(self) -> dict[str, Any]:
        return {"check": self.name, "status": self.status.value, "needed": self.needed, "seen": self.seen,
                "fix": self.fix}


def ok(name: str, seen: str, *, needed: bool = True) -> Check:
    return Check(name, Status.OK, seen, needed=needed)


def failed(name: str, seen: str, fix: str = "", *, needed: bool = True) -> Check:
    return Check(name, Status.FAILED, seen, fix, needed=needed)


def skipped(name: str, seen: str, *, needed: bool = True) -> Check:
    return Check(name, Status.SKIPPED, seen, needed=needed)
