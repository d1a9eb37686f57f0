"""Comment threads of a document, shared by Docs (insertComment...) and Drive's comments API.

A thread is a JSON-able dict: {"id", "anchorId", "anchor": {"start", "end"} | None, "quote",
"quoteHtml", "status": "OPEN" | "RESOLVED", "deleted", "created", "modified", "posts": [post, ...]} where
posts[0] is the head post and a post is {"id", "author", "content", "created", "modified",
"action": None | "resolve" | "reopen", "deleted"}. "quote" is plain text; "quoteHtml" says Drive
gives it as HTML (a quote Google took from the Doc itself: an anchored comment, or one made in
Google's editor), escaped as Google escapes it (`html_text`).
"""

from __future__ import annotations

import html

from .docs_ids import comment_id, kix_id
from .exceptions import ApiError

MAX_CONTENT_BYTES = 2048
_ACTIONS = {None: None, "resolve": "RESOLVED", "reopen": "OPEN"}


def check_content(content: object, where: str, *, required: bool = True) -> str:
    if not isinstance(content, str) or (required and not content):
        raise ApiError(400, f"Invalid {where}: The comment content must not be empty.")
    if len(content.encode("utf-8")) > MAX_CONTENT_BYTES:
        raise ApiError(400, f"Invalid {where}: The comment content must not exceed "
                            f"{MAX_CONTENT_BYTES} UTF-8 code units.")
    return content


def new_post(author: str, content: str, now: str, action: str | None = None) -> dict:
    if action not in _ACTIONS:
        raise ApiError(400, f"Invalid reply action {action!r}; expected 'resolve' or 'reopen'.")
    return {"id": comment_id(), "author": author, "content": content, "created": now,
            "modified": now, "action": action, "deleted": False}


def html_text(text: str) -> str:
    """Plain text as the HTML Google gives in a comment's quotedFileContent."""
    return html.escape(text, quote=True).replace("&#x27;", "&#39;")


def new_thread(author: str, content: str, now: str, anchor: tuple[int, int] | None,
               quote: str | None, *, quote_html: bool = False) -> dict:
    return {
        "id": comment_id(),
        "anchorId": kix_id() if anchor else None,
        "anchor": {"start": anchor[0], "end": anchor[1]} if anchor else None,
        "quote": quote,
        "quoteHtml": quote_html,
        "status": "OPEN",
        "deleted": False,
        "created": now,
        "modified": now,
        "posts": [new_post(author, content, now)],
    }


def find_thread(threads: list[dict], thread_id: object, *, include_deleted: bool = False) -> dict:
    for thread in threads:
        if thread["id"] == thread_id and (include_deleted or not thread["deleted"]):
            return thread
    raise ApiError(404, f"Comment {thread_id} not found.")


def find_post(thread: dict, post_id: object) -> dict:
    for post in thread["posts"][1:]:
        if post["id"] == post_id and not post["deleted"]:
            return post
    raise ApiError(404, f"Reply {post_id} not found.")


def add_reply(thread: dict, author: str, content: str, now: str, action: str | None) -> dict:
    post = new_post(author, content, now, action)
    if action is not None:
        thread["status"] = _ACTIONS[action]
    thread["posts"].append(post)
    thread["modified"] = now
    return post


def shift_for_insert(anchor: dict | None, index: int, length: int) -> None:
    """Move an anchor {"start", "end"} for `length` units inserted at `index`."""
    if anchor is None:
        return
    if index <= anchor["start"]:
        anchor["start"] += length
        anchor["end"] += length
    elif index < anchor["end"]:
        anchor["end"] += length


def shift_for_delete(anchor: dict, start: int, end: int) -> None:
    """Move an anchor {"start", "end"} for the deletion of [start, end)."""
    def moved(index: int) -> int:
        if index <= start:
            return index
        if index >= end:
            return index - (end - start)
        return start
    anchor["start"], anchor["end"] = moved(anchor["start"]), moved(anchor["end"])


def display_name(email: str, names: dict[str, str] | None) -> str:
    """The name Google shows for `email`: from `names` (email in lower case -> name), else its local part."""
    return (names or {}).get(email.lower()) or email.split("@", 1)[0]


def post_json(post: dict, viewer: str | None, names: dict[str, str] | None = None) -> dict:
    """A Docs Post; `viewer` (an email) sets its author's `me`."""
    result = {
        "postId": post["id"],
        "createTime": post["created"],
        "updateTime": post["modified"],
    }
    if post["deleted"]:
        result["deleted"] = True
        result["author"] = {"anonymous": True}
        return result
    result["author"] = {"displayName": display_name(post["author"], names),
                        "me": viewer is not None and viewer == post["author"]}
    result["content"] = post["content"]
    result["contentHtml"] = html.escape(post["content"]).replace("\n", "<br>")
    if post["action"]:
        result["commentAction"] = post["action"].upper()
    return result


def thread_json(thread: dict, viewer: str | None, names: dict[str, str] | None = None) -> dict:
    """A Docs CommentThread."""
    result = {
        "commentId": thread["id"],
        "headPost": post_json(thread["posts"][0], viewer, names),
        "replies": [post_json(post, viewer, names) for post in thread["posts"][1:]],
        "status": thread["status"],
    }
    if thread["anchor"] is not None:
        result["anchorId"] = thread["anchorId"]
    if thread["quote"] is not None:
        result["plainTextQuote"] = thread["quote"]
    return result
