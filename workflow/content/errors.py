"""The error raised for a post file that must be skipped rather than half-rendered."""

from __future__ import annotations

from pathlib import Path


class PostError(Exception):
    """A post that cannot be used: ``str(e)`` reads ``posts/x.md:1: front matter is not closed``."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = Path(path).as_posix() if isinstance(path, Path) else path
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")
