"""Drive's comments and replies (comments.*, replies.*) on Docs of the Drive model.

The threads themselves live in each Document (docs_comments.py), shared with Docs'
insertComment; this module is Drive's view of them: who may do what, and the JSON Drive gives.
Each function takes the `DriveModel` first, as its methods would.
"""

from __future__ import annotations

import html

from .auth import Principal
from .docs_comments import html_text
from .drive import DriveModel, now_rfc3339, paged, rank
from .exceptions import ApiError


def _document(drive: DriveModel, principal: Principal, file_id: str, minimum: str) -> tuple[dict, object]:
    record = drive.get_record(file_id, principal, minimum=minimum)
    document = drive.documents.get(record["id"])
    if document is None:
        raise ApiError(403, "Comments are only supported on Docs in this sandbox.",
                       reason="commentsNotSupported")
    return record, document


def _thread(document, comment_id: str) -> dict:
    for thread in document.comment_threads():
        if thread["id"] == comment_id:
            return thread
    raise ApiError(404, f"Comment not found: {comment_id}.", location="commentId")


def _post(document, comment_id: str, reply_id: str) -> dict:
    for post in _thread(document, comment_id)["posts"][1:]:
        if post["id"] == reply_id:
            return post
    raise ApiError(404, f"Reply not found: {reply_id}.", location="replyId")


def _author_email(author) -> str:
    return author.get("emailAddress", "") if isinstance(author, dict) else str(author)


def _check_author(drive: DriveModel, record: dict, principal: Principal, post: dict, what: str,
                  *, owner_may: bool) -> None:
    """403 unless the caller wrote `post` (or, when `owner_may`, owns the file)."""
    if _author_email(post["author"]) == principal.email:
        return
    if owner_may and rank(drive.role_of(record, principal.email)) >= rank("owner"):
        return
    who = "the author or the owner" if owner_may else "the author"
    verb = "delete" if owner_may else "change"
    raise ApiError(403, f"Only {who} can {verb} a {what}.", reason="forbidden")


def reply_json(drive: DriveModel, post: dict, principal: Principal) -> dict:
    email = _author_email(post["author"])
    data = {"kind": "drive#reply", "id": post["id"], "createdTime": post["created"],
            "modifiedTime": post["modified"], "author": drive.comment_author(email, principal.email),
            "content": post["content"] or "", "htmlContent": html.escape(post["content"] or ""),
            "deleted": bool(post.get("deleted", False))}
    if post.get("action"):
        data["action"] = post["action"]
    return data


def comment_json(drive: DriveModel, thread: dict, principal: Principal) -> dict:
    head = thread["posts"][0]
    email = _author_email(head["author"])
    data = {"kind": "drive#comment", "id": thread["id"], "createdTime": thread["created"],
            "modifiedTime": thread["modified"], "author": drive.comment_author(email, principal.email),
            "content": head["content"], "htmlContent": html.escape(head["content"]),
            "deleted": bool(thread["deleted"]), "resolved": thread["status"] == "RESOLVED",
            "replies": [reply_json(drive, p, principal) for p in thread["posts"][1:]]}
    if thread.get("quote"):
        quote = html_text(thread["quote"]) if thread.get("quoteHtml") else thread["quote"]
        data["quotedFileContent"] = {"mimeType": "text/html", "value": quote}
    if thread.get("anchor"):
        data["anchor"] = thread.get("anchorId") or f"kix.{thread['id']}"
    return data


def _listing(kind: str, key: str, items: list[dict], following: str | None) -> dict:
    listing = {"kind": kind, key: items}
    if following:
        listing["nextPageToken"] = following
    return listing


# -- comments ------------------------------------------------------------------------------------

def create_comment(drive: DriveModel, principal: Principal, file_id: str, body: dict) -> dict:
    record, document = _document(drive, principal, file_id, "commenter")
    if not body.get("content"):
        raise ApiError(400, "A comment must have content.", reason="required", location="content")
    quote = (body.get("quotedFileContent") or {}).get("value")
    # A comment made in Google's editor quotes the Doc as HTML; an app's quote is kept as it sent it.
    thread = document.add_comment(author=principal.email, content=body["content"], now=now_rfc3339(),
                                  quote=quote, in_editor=principal.app is None)
    drive.bump(record, principal.email)
    return comment_json(drive, thread, principal)


def list_comments(drive: DriveModel, principal: Principal, file_id: str, params: dict) -> dict:
    _record, document = _document(drive, principal, file_id, "reader")
    threads = [t for t in document.comment_threads() if params.get("includeDeleted") or not t["deleted"]]
    if params.get("startModifiedTime"):
        threads = [t for t in threads if t["modified"] >= params["startModifiedTime"]]
    items, following = paged(threads, params.get("pageSize", 20), params.get("pageToken"))
    return _listing("drive#commentList", "comments", [comment_json(drive, t, principal) for t in items], following)


def get_comment(drive: DriveModel, principal: Principal, file_id: str, comment_id: str, params: dict) -> dict:
    _record, document = _document(drive, principal, file_id, "reader")
    thread = _thread(document, comment_id)
    if thread["deleted"] and not params.get("includeDeleted"):
        raise ApiError(404, f"Comment not found: {comment_id}.", location="commentId")
    return comment_json(drive, thread, principal)


def update_comment(drive: DriveModel, principal: Principal, file_id: str, comment_id: str, body: dict) -> dict:
    record, document = _document(drive, principal, file_id, "commenter")
    _check_author(drive, record, principal, _thread(document, comment_id)["posts"][0], "comment",
                  owner_may=False)
    document.update_comment(comment_id, content=body.get("content"), now=now_rfc3339())
    drive.bump(record, principal.email)
    return comment_json(drive, _thread(document, comment_id), principal)


def delete_comment(drive: DriveModel, principal: Principal, file_id: str, comment_id: str) -> None:
    record, document = _document(drive, principal, file_id, "commenter")
    _check_author(drive, record, principal, _thread(document, comment_id)["posts"][0], "comment",
                  owner_may=True)
    document.delete_comment(comment_id, now_rfc3339())
    drive.bump(record, principal.email)


# -- replies -------------------------------------------------------------------------------------

def create_reply(drive: DriveModel, principal: Principal, file_id: str, comment_id: str, body: dict) -> dict:
    record, document = _document(drive, principal, file_id, "commenter")
    _thread(document, comment_id)
    action = body.get("action")
    if action not in (None, "resolve", "reopen"):
        raise ApiError(400, f"Invalid reply action: {action}.", reason="invalid", location="action")
    if not body.get("content") and not action:
        raise ApiError(400, "A reply must have content or an action.", reason="required", location="content")
    post = document.add_reply(comment_id, author=principal.email, content=body.get("content", ""),
                              now=now_rfc3339(), action=action)
    drive.bump(record, principal.email)
    return reply_json(drive, post, principal)


def list_replies(drive: DriveModel, principal: Principal, file_id: str, comment_id: str, params: dict) -> dict:
    _record, document = _document(drive, principal, file_id, "reader")
    posts = [p for p in _thread(document, comment_id)["posts"][1:]
             if params.get("includeDeleted") or not p.get("deleted")]
    items, following = paged(posts, params.get("pageSize", 20), params.get("pageToken"))
    return _listing("drive#replyList", "replies", [reply_json(drive, p, principal) for p in items], following)


def get_reply(drive: DriveModel, principal: Principal, file_id: str, comment_id: str, reply_id: str) -> dict:
    _record, document = _document(drive, principal, file_id, "reader")
    return reply_json(drive, _post(document, comment_id, reply_id), principal)


def update_reply(drive: DriveModel, principal: Principal, file_id: str, comment_id: str, reply_id: str,
                 body: dict) -> dict:
    record, document = _document(drive, principal, file_id, "commenter")
    _check_author(drive, record, principal, _post(document, comment_id, reply_id), "reply", owner_may=False)
    document.update_reply(comment_id, reply_id, content=body.get("content", ""), now=now_rfc3339())
    drive.bump(record, principal.email)
    return reply_json(drive, _post(document, comment_id, reply_id), principal)


def delete_reply(drive: DriveModel, principal: Principal, file_id: str, comment_id: str, reply_id: str) -> None:
    record, document = _document(drive, principal, file_id, "commenter")
    _check_author(drive, record, principal, _post(document, comment_id, reply_id), "reply", owner_may=True)
    document.delete_reply(comment_id, reply_id, now_rfc3339())
    drive.bump(record, principal.email)
