"""The sandbox's state on disk: `core.json` (accounts, tokens, drives, notifications), one
`files/<id>.json` per Drive file (metadata plus its Document) and `blobs/` (Google's copies of
images). Every write is atomic (temp file, then rename) and only what a request changed is written.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_json_atomically(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(data, ensure_ascii=False))   # one shot: the C encoder
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class Store:
    """Reads and writes one sandbox's state under `data_dir`."""

    def __init__(self, data_dir: str | os.PathLike) -> None:
        self.root = Path(data_dir)
        self.files_dir = self.root / "files"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.blobs_dir = self.root / "blobs"   # Google's copies of images (images.py writes them)

    def _file_path(self, file_id: str) -> Path:
        return self.files_dir / f"{file_id}.json"

    def load_core(self) -> dict:
        path = self.root / "core.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def load_files(self) -> list[dict]:
        return [json.loads(path.read_text(encoding="utf-8"))
                for path in sorted(self.files_dir.glob("*.json"))]

    def save(self, core: dict, changed_files: dict[str, dict | None]) -> None:
        """Write core.json and each changed file (None = the file was deleted)."""
        for file_id, state in changed_files.items():
            if state is None:
                self._file_path(file_id).unlink(missing_ok=True)
            else:
                write_json_atomically(self._file_path(file_id), state)
        write_json_atomically(self.root / "core.json", core)

    def wipe(self) -> None:
        for path in [*self.files_dir.glob("*.json"), *self.blobs_dir.glob("*")]:
            path.unlink()
        (self.root / "core.json").unlink(missing_ok=True)
