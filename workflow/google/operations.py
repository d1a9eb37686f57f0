"""The Drive and Docs calls the worker makes, each safe to repeat after "committed, then the answer was lost".

- Files are created with an id reserved beforehand (`files.generateIds`): a repeat answers 409 and
  the existing file is used.
- Docs writes carry `requiredRevisionId`: a repeat of a committed write is refused with 400, and
  the caller checks the Doc instead of writing twice.
Nothing here knows about posts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Callable

from googleapiclient.errors import HttpError

from workflow.google.clients import GoogleSession
from workflow.google.pacing import describe, is_retryable

log = logging.getLogger(__name__)

DOC_MIME = "application/vnd.google-apps.document"
FOLDER_MIME = "application/vnd.google-apps.folder"
FILE_FIELDS = "id,name,parents,appProperties,version,modifiedTime,webViewLink,trashed"
BATCH_LIMIT = 100
# Drive answers approvals calls without `fields` with little more than their `kind`: always name them.
APPROVAL_FIELDS = ("approvalId,status,createTime,modifyTime,completeTime,dueTime,approvedRevisionId,"
                   "reviewerResponses(response,reviewer(emailAddress,displayName))")
APPROVAL_LIST_FIELDS = f"nextPageToken,items({APPROVAL_FIELDS})"
# Drive gives an author's email nowhere in comments: `displayName` and `me` tell who wrote.
COMMENT_FIELDS = ("id,author(displayName,emailAddress,me),content,createdTime,modifiedTime,resolved,deleted,anchor,"
                  "quotedFileContent,replies(id,author(displayName,emailAddress,me),content,createdTime,modifiedTime,"
                  "action,deleted)")


class RevisionMismatch(Exception):
    """The Doc changed since the revision a write required; nothing was applied."""


class GoogleCallFailed(Exception):
    """An API call failed for good (after retries); the message is one line, safe to show."""


class ImageRefused(GoogleCallFailed):
    """Docs could not fetch the image of `requests[request_index]` (not public, not PNG, JPEG or GIF, too
    big): the whole batch was refused and nothing applied. `request_index` is None when Google's
    message did not name the request."""

    def __init__(self, message: str, request_index: int | None) -> None:
        super().__init__(message)
        self.request_index = request_index


# Docs' answer when insertInlineImage cannot fetch its image: "Invalid requests[3].insertInlineImage:
# There was a problem retrieving the image. ..."
_IMAGE_REFUSED = re.compile(r"problem retrieving the image", re.I)
_REFUSED_REQUEST = re.compile(r"requests\[(\d+)\]\.insertInlineImage")


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


@dataclass
class GoogleOps:
    session: GoogleSession
    shared_drive_id: str = ""

    # --- plumbing ---

    def _run(self, request: Any, api: str, on_retry: Callable[[BaseException], None] | None = None) -> Any:
        try:
            return self.session.caller.execute(request, api=api, on_retry=on_retry)
        except HttpError as exc:
            raise GoogleCallFailed(describe(exc)) from exc

    @property
    def _drive_kwargs(self) -> dict[str, Any]:
        return {"supportsAllDrives": True} if self.shared_drive_id else {}

    # --- Drive files ---

    def reserve_ids(self, count: int) -> list[str]:
        reply = self._run(self.session.drive.files().generateIds(count=count, space="drive", type="files"), "drive")
        return list(reply["ids"])

    def get_file(self, file_id: str, fields: str = FILE_FIELDS) -> dict | None:
        """The file, or None when it does not exist (or this app can't see it)."""
        request = self.session.drive.files().get(fileId=file_id, fields=fields, **self._drive_kwargs)
        try:
            return self.session.caller.execute(request, api="drive")
        except HttpError as exc:
            if exc.resp.status == 404:
                return None
            raise GoogleCallFailed(describe(exc)) from exc

    def create_file(self, file_id: str, *, name: str, mime_type: str, parent_id: str | None,
                    app_properties: dict[str, str]) -> dict:
        """Create the file with a reserved id; if a lost answer made us repeat it, return the file that exists."""
        body: dict[str, Any] = {"id": file_id, "name": name, "mimeType": mime_type, "appProperties": app_properties}
        if parent_id:
            body["parents"] = [parent_id]
        request = self.session.drive.files().create(body=body, fields=FILE_FIELDS, **self._drive_kwargs)
        try:
            return self.session.caller.execute(request, api="drive")
        except HttpError as exc:
            if exc.resp.status not in (400, 409) or "exist" not in describe(exc).lower():
                raise GoogleCallFailed(describe(exc)) from exc
        existing = self.get_file(file_id)
        if existing is None or existing.get("appProperties", {}) != app_properties:
            raise GoogleCallFailed(f"file id {file_id} is taken by another file")
        return existing

    def rename(self, file_id: str, name: str) -> None:
        self._run(self.session.drive.files().update(fileId=file_id, body={"name": name}, fields="id",
                                                    **self._drive_kwargs), "drive")

    # --- Docs ---

    def get_document(self, doc_id: str) -> dict:
        return self._run(self.session.docs.documents().get(
            documentId=doc_id, suggestionsViewMode="SUGGESTIONS_INLINE"), "docs_read")

    def write(self, doc_id: str, requests: list[dict], *, revision_id: str, suggest: bool = False) -> str:
        """One atomic batchUpdate guarded by the revision; returns the new revision id."""
        write_control: dict[str, Any] = {"requiredRevisionId": revision_id}
        if suggest:
            write_control["writeMode"] = "SUGGEST"
        request = self.session.docs.documents().batchUpdate(
            documentId=doc_id, body={"requests": requests, "writeControl": write_control})
        try:
            reply = self.session.caller.execute(request, api="docs_write")
        except HttpError as exc:
            message = describe(exc)
            if exc.resp.status == 400 and "revision" in message.lower():
                raise RevisionMismatch(message) from exc
            if exc.resp.status == 400 and _IMAGE_REFUSED.search(message):
                named = _REFUSED_REQUEST.search(message)
                raise ImageRefused(message, int(named.group(1)) if named else None) from exc
            raise GoogleCallFailed(message) from exc
        return reply.get("writeControl", {}).get("requiredRevisionId", "")

    # --- review hand-off ---

    def batched(self, calls: list[tuple[str, Callable[[], Any]]]) -> tuple[dict[str, Any], dict[str, str]]:
        """Drive calls (key, request maker) in HTTP batches of at most 100, one round trip each, with our
        own retry of the calls that failed transiently (batches are never retried by the client).
        Returns ({key: answer}, {key: one-line error}) for the calls that succeeded / failed for good."""
        pending = list(calls)
        answers: dict[str, Any] = {}
        errors: dict[str, str] = {}
        attempt = 0
        while pending:
            retry: list[tuple[str, Callable[[], Any]]] = []
            for start in range(0, len(pending), BATCH_LIMIT):
                chunk = pending[start:start + BATCH_LIMIT]

                def on_reply(request_id: str, response: Any, exception: Exception | None) -> None:
                    key = chunk[int(request_id)][0]
                    if exception is None:
                        answers[key] = response
                        errors.pop(key, None)
                    elif is_retryable(exception) and attempt < self.session.caller.max_retries:
                        retry.append(chunk[int(request_id)])
                    else:
                        errors[key] = describe(exception)

                batch = self.session.batch(on_reply)
                for number, (_key, make) in enumerate(chunk):
                    batch.add(make(), request_id=str(number))
                try:
                    self.session.caller.execute(_BatchRequest(batch, self.session), api="drive")
                except HttpError as exc:
                    raise GoogleCallFailed(describe(exc)) from exc
            if retry:
                self.session.caller.sleep(self.session.caller.backoff(attempt))
            pending, attempt = retry, attempt + 1
        return answers, errors

    def share(self, file_id: str, emails: list[str], *, role: str, notify: bool, message: str) -> dict[str, str]:
        """Give each email `role` on the file (batched). Returns {email: error} for those that failed for good."""
        kwargs: dict[str, Any] = {"sendNotificationEmail": notify, **self._drive_kwargs}
        if notify and message:
            kwargs["emailMessage"] = message

        def grant(email: str) -> Callable[[], Any]:
            return lambda: self.session.drive.permissions().create(
                fileId=file_id, fields="id", body={"type": "user", "role": role, "emailAddress": email}, **kwargs)

        _answers, errors = self.batched([(email, grant(email)) for email in dict.fromkeys(emails)])
        return errors

    def start_approval(self, file_id: str, reviewers: list[str], *, due_time: str | None, message: str) -> dict:
        """approvals.start; Drive may answer without the new approval's id (list to find it).
        Approvals calls take no `supportsAllDrives` (Drive refuses it there)."""
        body: dict[str, Any] = {"reviewerEmails": reviewers, "message": message,
                                "fileContentChangeBehavior": "NO_APPROVAL_ACTION"}
        if due_time:
            body["dueTime"] = due_time
        return self._run(self.session.drive.approvals().start(fileId=file_id, body=body, fields=APPROVAL_FIELDS),
                         "drive")

    def list_approvals(self, file_id: str) -> list[dict]:
        approvals: list[dict] = []
        token: str | None = None
        while True:
            reply = self._run(self.session.drive.approvals().list(
                fileId=file_id, pageToken=token, fields=APPROVAL_LIST_FIELDS), "drive")
            approvals.extend(reply.get("items", []))
            token = reply.get("nextPageToken")
            if not token:
                return approvals

    def list_approvals_of(self, file_ids: list[str]) -> tuple[dict[str, list[dict]], dict[str, str]]:
        """The approvals of many files in batched requests: ⌈files / 100⌉ round trips.
        Returns ({file id: approvals}, {file id: error})."""
        def listing(file_id: str) -> Callable[[], Any]:
            return lambda: self.session.drive.approvals().list(fileId=file_id, fields=APPROVAL_LIST_FIELDS)

        answers, errors = self.batched([(file_id, listing(file_id)) for file_id in dict.fromkeys(file_ids)])
        approvals: dict[str, list[dict]] = {}
        for file_id, reply in answers.items():
            approvals[file_id] = list(reply.get("items", []))
            if reply.get("nextPageToken"):  # a file with more than a page of approvals: read it all
                approvals[file_id] = self.list_approvals(file_id)
        return approvals, errors

    def add_comment(self, file_id: str, content: str) -> dict:
        """Post a comment once. Drive gives comments no idempotency key, so before a create whose answer was
        lost (a 5xx or a dropped connection after Drive made it) is sent again, our comments are looked
        up: reviewers never see it twice."""
        request = self.session.drive.comments().create(fileId=file_id, body={"content": content}, fields="id")
        return self._create_once(request, lambda: _newest_of_ours(self.list_comments(file_id), content))

    def resolve_comment(self, file_id: str, comment_id: str, content: str) -> None:
        """Resolve a comment with a reply of ours, once (see add_comment)."""
        def landed() -> dict | None:
            thread = self._run(self.session.drive.comments().get(fileId=file_id, commentId=comment_id,
                                                                 fields=COMMENT_FIELDS), "drive")
            return _newest_of_ours([r for r in thread.get("replies") or [] if r.get("action") == "resolve"], content)

        self._create_once(self.session.drive.replies().create(
            fileId=file_id, commentId=comment_id, body={"content": content, "action": "resolve"}, fields="id"),
            landed)

    def _create_once(self, request: Any, landed: Callable[[], dict | None]) -> dict:
        """Run a create that Drive cannot recognise when repeated: before each retry, `landed()` says whether
        the failed attempt was made after all."""
        def check(_exc: BaseException) -> None:
            found = landed()
            if found is not None:
                raise _Landed(found)

        try:
            return self._run(request, "drive", on_retry=check)
        except _Landed as done:
            return {"id": done.found["id"]}

    def can_start_approval(self, file_id: str) -> bool:
        """The file's `canStartApproval` capability (false: the edition, an admin setting, an owner
        outside the domain, or no writer access)."""
        file = self.get_file(file_id, fields="capabilities(canStartApproval)") or {}
        return bool((file.get("capabilities") or {}).get("canStartApproval"))

    def get_comments_of(self, comment_ids: dict[str, str]) -> tuple[dict[str, dict], dict[str, str]]:
        """One comment (with its replies; deleted ones too) of each file, {file id: comment id}, in
        batched requests. Returns ({file id: comment}, {file id: error})."""
        def getting(file_id: str, comment_id: str) -> Callable[[], Any]:
            return lambda: self.session.drive.comments().get(fileId=file_id, commentId=comment_id,
                                                             includeDeleted=True, fields=COMMENT_FIELDS)

        return self.batched([(file_id, getting(file_id, comment_id)) for file_id, comment_id in comment_ids.items()])

    def list_people(self, file_id: str) -> list[dict]:
        """The people the file is shared with, as {emailAddress, displayName} (permissions carry both)."""
        people: list[dict] = []
        token: str | None = None
        while True:
            reply = self._run(self.session.drive.permissions().list(
                fileId=file_id, pageToken=token, fields="nextPageToken,permissions(type,emailAddress,displayName)",
                **self._drive_kwargs), "drive")
            people.extend(p for p in reply.get("permissions", []) if p.get("type") == "user")
            token = reply.get("nextPageToken")
            if not token:
                return people

    # --- following reviews ---

    def list_folder(self, folder_id: str) -> list[dict]:
        """Every file in the folder with its `version`: one call per 1000 files."""
        kwargs: dict[str, Any] = {}
        if self.shared_drive_id:
            kwargs = {"supportsAllDrives": True, "includeItemsFromAllDrives": True,
                      "corpora": "drive", "driveId": self.shared_drive_id}
        files: list[dict] = []
        token: str | None = None
        while True:
            reply = self._run(self.session.drive.files().list(
                q=f"'{_quote(folder_id)}' in parents and trashed = false", pageSize=1000, pageToken=token,
                fields="nextPageToken,files(id,version,modifiedTime,parents)", **kwargs), "drive")
            files.extend(reply.get("files", []))
            token = reply.get("nextPageToken")
            if not token:
                return files

    def list_comments(self, file_id: str) -> list[dict]:
        """Every comment thread (not deleted), with its replies, quote, anchor and author."""
        fields = f"nextPageToken,comments({COMMENT_FIELDS})"
        comments: list[dict] = []
        token: str | None = None
        while True:
            reply = self._run(self.session.drive.comments().list(
                fileId=file_id, fields=fields, pageSize=100, pageToken=token), "drive")
            comments.extend(reply.get("comments", []))
            token = reply.get("nextPageToken")
            if not token:
                return comments

    def get_document_for_review(self, doc_id: str) -> dict:
        """The Doc with suggestions inline and comment threads with their anchors (tabs content)."""
        return self._run(self.session.docs.documents().get(
            documentId=doc_id, suggestionsViewMode="SUGGESTIONS_INLINE", includeTabsContent=True,
            commentsViewMode="COMMENTS_VIEW_MODE_INCLUDED"), "docs_read")

    def get_document_without_suggestions(self, doc_id: str) -> dict:
        """The Doc's text as accepted so far: pending suggestions left out."""
        return self._run(self.session.docs.documents().get(
            documentId=doc_id, suggestionsViewMode="PREVIEW_WITHOUT_SUGGESTIONS"), "docs_read")


class _Landed(Exception):
    """A create whose answer was lost was found made: no retry."""

    def __init__(self, found: dict) -> None:
        super().__init__(found.get("id"))
        self.found = found


def _newest_of_ours(items: list[dict], content: str) -> dict | None:
    """The newest of `items` (comments or replies) that this app wrote with exactly `content`."""
    ours = [i for i in items if (i.get("author") or {}).get("me") and i.get("content") == content
            and not i.get("deleted")]
    return max(ours, key=lambda item: item.get("createdTime") or "", default=None)


class _BatchRequest:
    """Lets a BatchHttpRequest go through `Caller.execute` (pacing, and retry if the whole batch fails)."""

    def __init__(self, batch: Any, session: GoogleSession) -> None:
        self.batch = batch
        self.session = session
        self.methodId = "drive.batch"

    def execute(self, num_retries: int = 0) -> None:
        self.batch.execute(http=self.session.batch_http())
