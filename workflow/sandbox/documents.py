"""The Google Docs document model of the sandbox: state, batchUpdate, documents.get, export.

Pure Python, no HTTP. The HTTP layer calls `Document` and turns `ApiError`s into responses.
The work is split over docs_structure (the body tree and indexes), docs_requests (one handler
per request kind), docs_render (documents.get JSON), docs_export (Drive export formats) and
docs_comments (comment threads).
"""

from __future__ import annotations

import copy
import json
from typing import Callable

from . import docs_comments as comments
from .docs_export import export_html, export_markdown, export_plain, plain_text
from .docs_ids import revision_id
from .docs_render import TAB_ID, render_comment_fields, render_tab_content
from .docs_requests import Editor, text_between
from .docs_structure import (BODY_START, BodyIndex, iter_paragraphs, new_paragraph,
                             refresh_sizes)
from .exceptions import ApiError

SUGGESTIONS_VIEW_MODES = ("DEFAULT_FOR_CURRENT_ACCESS", "SUGGESTIONS_INLINE",
                          "PREVIEW_SUGGESTIONS_ACCEPTED", "PREVIEW_WITHOUT_SUGGESTIONS")
COMMENTS_VIEW_MODES = ("COMMENTS_VIEW_MODE_UNSPECIFIED", "COMMENTS_VIEW_MODE_DEFAULT_FOR_CURRENT_ACCESS",
                       "COMMENTS_VIEW_MODE_OMITTED", "COMMENTS_VIEW_MODE_INCLUDED")
WRITE_MODES = (None, "WRITE_MODE_UNSPECIFIED", "EDIT", "SUGGEST")
EXPORT_TYPES = ("text/plain", "text/markdown", "text/html")
_REVISIONS_KEPT = 50  # how many recent revisions a targetRevisionId may name


class Document:
    """One Google Doc. All state lives in a JSON-able dict (see `to_state`)."""

    def __init__(self, state: dict) -> None:
        self._state = state

    @classmethod
    def new(cls, document_id: str, title: str) -> "Document":
        """A new document: section break (0-1) and one empty paragraph (1-2)."""
        first_revision = revision_id()
        return cls({
            "documentId": document_id, "title": title,
            "revisionId": first_revision, "revisions": [first_revision],
            "body": [new_paragraph({"namedStyleType": "NORMAL_TEXT", "direction": "LEFT_TO_RIGHT"})],
            "lists": {}, "inlineObjects": {}, "namedRanges": [], "comments": [], "suggestions": {},
        })

    # --- identity ---------------------------------------------------------------------------

    @property
    def document_id(self) -> str:
        return self._state["documentId"]

    @property
    def title(self) -> str:
        return self._state["title"]

    @title.setter
    def title(self, value: str) -> None:
        self._state["title"] = value

    @property
    def revision_id(self) -> str:
        return self._state["revisionId"]

    # --- batchUpdate ------------------------------------------------------------------------

    def batch_update(self, requests: list[dict], *, write_control: dict | None, author: str,
                     now: str, names: dict[str, str] | None = None, images: Callable | None = None) -> dict:
        """Apply all requests or none; returns the BatchUpdateDocumentResponse. `names` (email in
        lower case -> display name) names the authors of comment posts in the replies; `images`
        is what insertInlineImage fetches (see docs_requests.Editor)."""
        if not isinstance(requests, list):
            raise ApiError(400, "Invalid value for requests: a list of requests is required.")
        suggest = self._check_write_control(write_control or {})
        snapshot = json.loads(json.dumps(self._state))
        editor = Editor(self._state, author=author, now=now, suggest=suggest, names=names, images=images)
        replies, suggestion_responses = [], []
        try:
            for number, request in enumerate(requests):
                replies.append(editor.apply(request, number))
                suggestion_responses.append(editor.suggestion_changes)
        except ApiError:
            self._state = snapshot
            raise
        self._collect_garbage()
        if requests:
            self._new_revision()
        response = {"documentId": self.document_id, "replies": replies,
                    "writeControl": {"requiredRevisionId": self.revision_id}}
        if any(suggestion_responses):
            response["suggestionResponses"] = suggestion_responses
        if editor.comments_touched:
            response["commentUpdateState"] = "ALL_SAVED"
        return response

    def _check_write_control(self, write_control: dict) -> bool:
        """Validate writeControl; returns True for suggest mode."""
        required = write_control.get("requiredRevisionId")
        target = write_control.get("targetRevisionId")
        if required is not None and target is not None:
            raise ApiError(400, "Invalid writeControl: set only one of requiredRevisionId and "
                                "targetRevisionId.")
        if required is not None and required != self.revision_id:
            raise ApiError(400, f"The required revision ID {required!r} does not match the latest "
                                "revision.")
        if target is not None and target not in self._state["revisions"]:
            raise ApiError(400, f"The target revision ID {target!r} is not valid or too old; read "
                                "the document again and retry.")
        mode = write_control.get("writeMode")
        if mode not in WRITE_MODES:
            raise ApiError(400, f"Invalid writeControl.writeMode: {mode!r}.")
        return mode == "SUGGEST"

    def _new_revision(self) -> None:
        self._state["revisionId"] = revision_id()
        self._state["revisions"] = (self._state["revisions"] + [self.revision_id])[-_REVISIONS_KEPT:]

    def _collect_garbage(self) -> None:
        """Drop lists and inline objects no paragraph refers to any more."""
        used_lists, used_objects = set(), set()
        for ref in iter_paragraphs(self._state["body"]):
            if ref.paragraph["bullet"]:
                used_lists.add(ref.paragraph["bullet"]["listId"])
            used_objects.update(atom["image"] for atom in ref.paragraph["atoms"] if "image" in atom)
        self._state["lists"] = {k: v for k, v in self._state["lists"].items() if k in used_lists}
        self._state["inlineObjects"] = {k: v for k, v in self._state["inlineObjects"].items()
                                        if k in used_objects}
        self._state["imageBlobs"] = {k: v for k, v in self._state.get("imageBlobs", {}).items()
                                     if k in used_objects}

    # --- documents.get ----------------------------------------------------------------------

    def to_json(self, *, suggestions_view_mode: str | None = None,
                comments_view_mode: str | None = None, can_edit: bool = True,
                include_tabs_content: bool = False, viewer: str | None = None,
                names: dict[str, str] | None = None, content_uri: Callable | None = None) -> dict:
        """The documents.get Document; `viewer` (an email) sets PostAuthor.me on comments, `names`
        (email in lower case -> display name) gives their authors' names, `content_uri` (id of
        Google's copy of an image -> a link to it) each image's contentUri."""
        suggestions_mode = self._suggestions_mode(suggestions_view_mode, can_edit)
        comments_mode = self._comments_mode(comments_view_mode, suggestions_view_mode,
                                            include_tabs_content, can_edit)
        state = self._state
        if suggestions_mode != "SUGGESTIONS_INLINE":
            state = self._previewed(accept=suggestions_mode == "PREVIEW_SUGGESTIONS_ACCEPTED")
        document = {"documentId": self.document_id, "title": self.title}
        if can_edit:
            document["revisionId"] = self.revision_id
        document["suggestionsViewMode"] = suggestions_mode
        included = comments_mode == "COMMENTS_VIEW_MODE_INCLUDED"
        comment_fields = render_comment_fields(state, viewer, names) if included else None
        if include_tabs_content:
            tab = render_tab_content(state, with_tab=True, content_uri=content_uri)
            if comment_fields is not None:
                tab["commentAnchors"] = comment_fields["commentAnchors"]
            document["tabs"] = [{"tabProperties": {"tabId": TAB_ID, "title": "Tab 1", "index": 0},
                                 "documentTab": tab}]
        else:
            document.update(render_tab_content(state, with_tab=False, content_uri=content_uri))
        if comments_view_mode is not None:
            document["commentsViewMode"] = comments_mode
        if comment_fields is not None:
            document["comments"] = comment_fields["comments"]
            document["suggestions"] = comment_fields["suggestions"]
        return document

    @staticmethod
    def _suggestions_mode(requested: str | None, can_edit: bool) -> str:
        if requested is not None and requested not in SUGGESTIONS_VIEW_MODES:
            raise ApiError(400, f"Invalid value for suggestionsViewMode: {requested!r}.")
        if requested in (None, "DEFAULT_FOR_CURRENT_ACCESS"):
            return "SUGGESTIONS_INLINE" if can_edit else "PREVIEW_WITHOUT_SUGGESTIONS"
        return requested

    @staticmethod
    def _comments_mode(requested: str | None, suggestions_requested: str | None,
                       include_tabs_content: bool, can_edit: bool) -> str:
        if requested is None or requested == "COMMENTS_VIEW_MODE_UNSPECIFIED":
            return "COMMENTS_VIEW_MODE_OMITTED"
        if requested not in COMMENTS_VIEW_MODES:
            raise ApiError(400, f"Invalid value for commentsViewMode: {requested!r}.")
        if not include_tabs_content:
            raise ApiError(400, "commentsViewMode requires includeTabsContent=true (or a fields "
                                "mask that references tabs).")
        if requested == "COMMENTS_VIEW_MODE_INCLUDED" and suggestions_requested != "SUGGESTIONS_INLINE":
            raise ApiError(400, "commentsViewMode COMMENTS_VIEW_MODE_INCLUDED requires "
                                "suggestionsViewMode SUGGESTIONS_INLINE.")
        if requested == "COMMENTS_VIEW_MODE_DEFAULT_FOR_CURRENT_ACCESS":
            if suggestions_requested in ("PREVIEW_SUGGESTIONS_ACCEPTED", "PREVIEW_WITHOUT_SUGGESTIONS"):
                raise ApiError(400, "commentsViewMode COMMENTS_VIEW_MODE_DEFAULT_FOR_CURRENT_ACCESS "
                                    "cannot be combined with a preview suggestionsViewMode.")
            return "COMMENTS_VIEW_MODE_INCLUDED" if can_edit else "COMMENTS_VIEW_MODE_OMITTED"
        return requested

    def _previewed(self, *, accept: bool) -> dict:
        """The state with every open suggestion accepted (or rejected), to read, not to change:
        a copy when a suggestion is open, else the document's own body."""
        if not any(record["status"] == "OPEN" for record in self._state["suggestions"].values()):
            return dict(self._state, suggestions={})
        state = json.loads(json.dumps(self._state))
        editor = Editor(state, author="", now="", suggest=False)
        for suggestion, record in list(state["suggestions"].items()):
            if record["status"] == "OPEN":
                editor.resolve_suggestion(suggestion, accept=accept, where="preview")
        state["suggestions"] = {}
        return state

    # --- the editor's own edits ---------------------------------------------------------------

    def paste_image(self, index: int, *, picture, blob: str, author: str, now: str) -> str:
        """An image pasted at `index` in Google's editor: no sourceUri, only Google's copy.
        A new revision, as any edit; returns the inline object's id."""
        snapshot = json.loads(json.dumps(self._state))
        editor = Editor(self._state, author=author, now=now, suggest=False)
        try:
            object_id = editor.insert_image(index, "paste", picture=picture, blob=blob, source_uri=None)
        except ApiError:
            self._state = snapshot
            raise
        self._new_revision()
        return object_id

    # --- text and export --------------------------------------------------------------------

    def plain_text(self) -> str:
        """The body's text as it stands (suggested insertions and deletions both included)."""
        return plain_text(self._state)

    def export(self, mime_type: str) -> str:
        """Drive files.export of the document without its pending suggestions."""
        state = self._previewed(accept=False)
        if mime_type == "text/plain":
            return export_plain(state)
        if mime_type == "text/markdown":
            return export_markdown(state)
        if mime_type == "text/html":
            return export_html(state, self.title)
        raise ApiError(400, f"Export to {mime_type} is not supported by the sandbox; use one of "
                            f"{', '.join(EXPORT_TYPES)}.", reason="badRequest")

    # --- persistence ------------------------------------------------------------------------

    def to_state(self) -> dict:
        """The state to persist: the live dict, not a copy (a long Doc's copy costs seconds), so
        serialize it at once, under the sandbox's lock."""
        return self._state

    @classmethod
    def from_state(cls, state: dict) -> "Document":
        missing = {"documentId", "title", "revisionId", "revisions", "body", "lists",
                   "inlineObjects", "namedRanges", "comments", "suggestions"} - set(state)
        if missing:
            raise ValueError(f"document state lacks {', '.join(sorted(missing))}")
        state = copy.deepcopy(state)
        refresh_sizes(state["body"])
        return cls(state)

    # --- comment threads (Docs insertComment and Drive comments share them) -------------------

    def add_comment(self, *, author: str, content: str, now: str, start: int | None = None,
                    end: int | None = None, quote: str | None = None, in_editor: bool = False) -> dict:
        """A new open thread, anchored to [start, end) when both are given. Its quote is HTML to
        Drive when Google took it from the Doc: anchored without a quote given, or `in_editor`
        (made in Google's editor); a quote an app gives is kept as given."""
        comments.check_content(content, "comment")
        anchor = None
        if start is not None or end is not None:
            if start is None or end is None:
                raise ApiError(400, "A comment anchor needs both a start and an end index.")
            body = BodyIndex(self._state["body"])
            body_end = body.end()
            if not BODY_START <= start < end <= body_end:
                raise ApiError(400, f"The comment range {start}-{end} is outside the document "
                                    f"(1-{body_end}).")
            anchor = (start, end)
            if quote is None:
                quote, in_editor = text_between(body, start, end), True
        thread = comments.new_thread(author, content, now, anchor, quote, quote_html=in_editor)
        self._state["comments"].append(thread)
        return copy.deepcopy(thread)

    def add_reply(self, comment_id: str, *, author: str, content: str, now: str,
                  action: str | None = None) -> dict:
        """A reply; action "resolve" / "reopen" sets the thread's status. Returns the post."""
        thread = comments.find_thread(self._state["comments"], comment_id)
        comments.check_content(content, "reply", required=action is None)
        return copy.deepcopy(comments.add_reply(thread, author, content, now, action))

    def update_comment(self, comment_id: str, *, content: str | None = None,
                       resolved: bool | None = None, now: str) -> dict:
        thread = comments.find_thread(self._state["comments"], comment_id)
        if content is not None:
            head = thread["posts"][0]
            head["content"] = comments.check_content(content, "comment")
            head["modified"] = now
        if resolved is not None:
            thread["status"] = "RESOLVED" if resolved else "OPEN"
        thread["modified"] = now
        return copy.deepcopy(thread)

    def update_reply(self, comment_id: str, reply_id: str, *, content: str, now: str) -> dict:
        thread = comments.find_thread(self._state["comments"], comment_id)
        post = comments.find_post(thread, reply_id)
        post["content"] = comments.check_content(content, "reply")
        post["modified"] = thread["modified"] = now
        return copy.deepcopy(post)

    def delete_comment(self, comment_id: str, now: str) -> None:
        """Marks the thread deleted (Drive keeps deleted comments, with deleted=true)."""
        thread = comments.find_thread(self._state["comments"], comment_id)
        thread["deleted"] = True
        thread["modified"] = now

    def delete_reply(self, comment_id: str, reply_id: str, now: str) -> None:
        """Marks a reply deleted (Drive's replies.delete)."""
        thread = comments.find_thread(self._state["comments"], comment_id)
        post = comments.find_post(thread, reply_id)
        post["deleted"] = True
        post["modified"] = thread["modified"] = now

    def comment_threads(self) -> list[dict]:
        """Every thread, deleted ones included, oldest first (copies)."""
        return copy.deepcopy(self._state["comments"])

    def suggestion_records(self) -> list[dict]:
        """Every suggestion: {"suggestionId", "author", "created", "status"} (copies)."""
        return copy.deepcopy(list(self._state["suggestions"].values()))
