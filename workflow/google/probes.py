"""Google calls only the self-check (`workflow doctor --live`) makes, beside the worker's own.

`ProbeOps` is the worker's `GoogleOps` plus what a scratch Doc needs: put it in the bin, find it by
its appProperties, comment on it with a quote, read comments with every field Drive gives, and one
raw HTTP batch (no retry: the check wants to see what the batch endpoint answers).
"""

from __future__ import annotations

from typing import Any

from googleapiclient.errors import HttpError

from workflow.google.operations import GoogleCallFailed, GoogleOps, _quote
from workflow.google.pacing import API_ERRORS, describe


class ProbeOps(GoogleOps):
    def trash(self, file_id: str) -> None:
        self._run(self.session.drive.files().update(fileId=file_id, body={"trashed": True}, fields="id",
                                                    **self._drive_kwargs), "drive")

    def find_by_app_property(self, key: str, value: str) -> list[str]:
        """Ids of the files (not trashed) whose appProperties hold key=value."""
        kwargs: dict[str, Any] = {}
        if self.shared_drive_id:
            kwargs = {"supportsAllDrives": True, "includeItemsFromAllDrives": True,
                      "corpora": "drive", "driveId": self.shared_drive_id}
        query = f"appProperties has {{ key='{_quote(key)}' and value='{_quote(value)}' }} and trashed = false"
        reply = self._run(self.session.drive.files().list(q=query, pageSize=10, fields="files(id)", **kwargs), "drive")
        return [item["id"] for item in reply.get("files", [])]

    def comment_with_quote(self, file_id: str, content: str, quote: str) -> dict:
        return self._run(self.session.drive.comments().create(
            fileId=file_id, fields="id",
            body={"content": content, "quotedFileContent": {"mimeType": "text/html", "value": quote}}), "drive")

    def comments_as_given(self, file_id: str) -> list[dict]:
        """The file's comments with each author and quote whole, as Drive gives them."""
        reply = self._run(self.session.drive.comments().list(
            fileId=file_id, pageSize=100, fields="comments(id,author,content,quotedFileContent)"), "drive")
        return reply.get("comments", [])

    def batch_get(self, file_id: str, count: int) -> tuple[int, str]:
        """`count` files.get calls in one HTTP batch: (calls answered, first error or '')."""
        answered: list[str] = []
        errors: list[str] = []

        def on_reply(_request_id: str, _response: Any, exception: Exception | None) -> None:
            if exception is None:
                answered.append(_request_id)
            else:
                errors.append(describe(exception))

        batch = self.session.batch(on_reply)
        for number in range(count):
            batch.add(self.session.drive.files().get(fileId=file_id, fields="id", **self._drive_kwargs),
                      request_id=str(number))
        try:
            batch.execute(http=self.session.batch_http())
        except (HttpError, *API_ERRORS) as exc:
            raise GoogleCallFailed(describe(exc)) from exc
        return len(answered), (errors[0] if errors else "")
