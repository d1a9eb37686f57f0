"""Files written whole or not at all: a temporary file in the same folder, then a rename or a link.

A reader (or a crash) never sees half a file; `create_new_file` never replaces an existing one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable


def _write_temp(folder: Path, prefix: str, text: str | bytes, mode: int) -> str:
    fd, temp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    try:
        with (os.fdopen(fd, "wb") if isinstance(text, bytes) else
              os.fdopen(fd, "w", encoding="utf-8", newline="")) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def replace_file(path: Path, text: str, *, mode: int | None = None) -> None:
    """Write `text` to `path` atomically; the file keeps its permissions unless `mode` is given."""
    if mode is None:
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    temp = _write_temp(path.parent, f".{path.name}.", text, mode)
    try:
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def create_new_file(folder: Path, names: Iterable[str], text: str | bytes, *, mode: int = 0o644,
                    same_text_is_ours: bool = False) -> Path:
    """Write `text` (or bytes) under the first of `names` (in `folder`) that is free; never
    replaces a file.

    The name is taken with a hard link, which fails if it exists (like O_CREAT|O_EXCL).
    `same_text_is_ours`: a file that already holds exactly `text` is taken as written by an
    earlier run that stopped before recording it.
    """
    temp = _write_temp(folder, ".new-", text, mode)
    try:
        for name in names:
            target = folder / name
            try:
                os.link(temp, target)
                return target
            except FileExistsError:
                if same_text_is_ours and target.read_bytes() == _as_bytes(text):
                    return target
        raise FileExistsError(f"no free file name in {folder}")
    finally:
        os.unlink(temp)


def _as_bytes(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")
