"""The review folder the Docs go in: the configured one, else the one this worker created (once, remembered)."""

from __future__ import annotations

import logging

from workflow.config import Config
from workflow.google.operations import FOLDER_MIME, GoogleCallFailed, GoogleOps
from workflow.store import Store
from workflow.store import export_queries as q

log = logging.getLogger(__name__)

FOLDER_ROLE_KEY = "workflowRole"


class ReviewFolder:
    def __init__(self, config: Config, store: Store, ops: GoogleOps, reserve_id) -> None:
        self.config = config
        self.store = store
        self.ops = ops
        self.reserve_id = reserve_id
        self._folder_id: str | None = None

    def id(self) -> str | None:
        """The folder's id, creating it on first use (its id reserved and recorded first, like a Doc's)."""
        if self._folder_id is not None:
            return self._folder_id or None
        configured = self.config.get("google", "review_folder_id")
        if configured:
            self._folder_id = configured
            return configured
        with self.store.read() as conn:
            folder_id = q.get_setting(conn, "review_folder_id")
            ready = q.get_setting(conn, "review_folder_ready")
        if not folder_id:
            reserved = self.reserve_id()
            with self.store.write() as conn:
                folder_id = q.put_setting_once(conn, "review_folder_id", reserved)
        if ready != folder_id:
            self._create(folder_id)
        self._folder_id = folder_id
        return folder_id

    def _create(self, folder_id: str) -> None:
        shared_drive = self.config.get("google", "shared_drive_id") or None
        name = self.config.get("google", "review_folder_name")
        try:
            self.ops.create_file(folder_id, name=name, mime_type=FOLDER_MIME, parent_id=shared_drive,
                                 app_properties={FOLDER_ROLE_KEY: "reviewFolder"})
        except GoogleCallFailed as exc:
            if shared_drive and self.config.get("google", "drive_scope") == "drive.file":
                raise GoogleCallFailed(f"cannot create the review folder in shared drive {shared_drive} ({exc}): "
                                       f'with drive_scope = "drive.file" the worker only reaches files it '
                                       f'created; set [google] drive_scope = "drive"') from exc
            raise
        with self.store.write() as conn:
            q.put_setting(conn, "review_folder_ready", folder_id)
        log.info("created the review folder %r (%s)", name, folder_id)
