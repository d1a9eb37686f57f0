"""Everything one running sandbox holds, behind one lock: accounts and tokens, the Drive model
with its Documents, the request log, armed faults, and the on-disk store."""

from __future__ import annotations

import threading
from pathlib import Path

from .auth import AuthRegistry
from .drive import DriveModel
from .faults import FaultPlan
from .persistence import Store
from .quirks import Quirks


def _new_document(file_id: str, title: str):
    from .documents import Document   # S1's model; imported late so Drive works on its own
    return Document.new(file_id, title)


def _load_document(state: dict):
    from .documents import Document
    return Document.from_state(state)


class SandboxState:
    def __init__(self, base_url: str, data_dir: str | Path | None) -> None:
        self.base_url = base_url
        self.lock = threading.RLock()
        self.store = Store(data_dir) if data_dir is not None else None
        self.requests: list[dict] = []
        self.faults = FaultPlan()
        self.quirks = Quirks()  # test controls, never saved
        self._fresh()
        if self.store is not None:
            self._load()

    def _fresh(self) -> None:
        self.auth = AuthRegistry()
        self.drive = DriveModel(self.base_url, _new_document)

    def _load(self) -> None:
        core = self.store.load_core()
        self.auth = AuthRegistry.from_state(core.get("auth", {}))
        self.drive.load_core_state(core.get("drive", {}))
        for file_state in self.store.load_files():
            self.drive.load_file_state(file_state, _load_document)

    def token_uri(self) -> str:
        return self.base_url + "token"

    def save(self) -> None:
        """Persist what changed since the last save (no-op in memory-only mode)."""
        changed = self.drive.changed
        self.drive.changed = set()
        if self.store is None:
            return
        core = {"auth": self.auth.to_state(), "drive": self.drive.core_state()}
        self.store.save(core, {file_id: self.drive.file_state(file_id) for file_id in changed})

    def reset(self) -> None:
        """Forget every file, account, token, fault, quirk and logged request."""
        self._fresh()
        self.requests.clear()
        self.faults.clear()
        self.quirks.clear()
        if self.store is not None:
            self.store.wipe()
