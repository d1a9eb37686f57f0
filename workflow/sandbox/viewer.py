"""A read-only HTML view of the sandbox: `/` lists files, `/document/d/ID/edit` shows a Doc with
its headings, lists, emphasis, links, tables, comments and suggestions. Every text is escaped,
and a link or image becomes live only for an http(s) (or, for links, mailto) target: a reviewer
can set any string as a link's URL. No token is needed: the viewer is a local tool, served on
loopback by default."""

from __future__ import annotations

import re
from html import escape

from .state import SandboxState

_HEADING_TAGS = {"TITLE": "h1", "SUBTITLE": "h2", "HEADING_1": "h1", "HEADING_2": "h2",
                 "HEADING_3": "h3", "HEADING_4": "h4", "HEADING_5": "h5", "HEADING_6": "h6"}
_NUMBERED_GLYPHS = {"DECIMAL", "ZERO_DECIMAL", "ALPHA", "UPPER_ALPHA", "ROMAN", "UPPER_ROMAN"}
# Matched on the raw value: a browser drops leading spaces and control characters and tabs or
# newlines anywhere before reading the scheme, so "  java\tscript:" must not pass.
_LINK_TARGET = re.compile(r"(?i)(https?://|mailto:)")
_IMAGE_SOURCE = re.compile(r"(?i)https?://")
_STYLE = """
body{font-family:Arial,sans-serif;max-width:52em;margin:2em auto;color:#202124}
.doc{float:left;width:34em}.comments{float:right;width:15em;font-size:.9em}
ins.suggestion{color:#188038;text-decoration:underline}del.suggestion{color:#d93025}
.thread{border:1px solid #dadce0;border-radius:6px;padding:.5em;margin-bottom:.8em}
.resolved{opacity:.6}.quote{border-left:3px solid #fbbc04;padding-left:.4em;color:#5f6368}
.chip{background:#eef1f4;border-radius:1em;padding:0 .4em}
table.grid{border-collapse:collapse}table.grid td{border:1px solid #999;padding:.3em}
code{font-family:monospace}.meta{color:#5f6368;font-size:.85em}
.link-refused{text-decoration:underline dotted;color:#5f6368}
"""


def _page(title: str, content: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>{content}</body></html>")


def index_page(state: SandboxState) -> str:
    with state.lock:
        records = [r for r in state.drive.files.values() if not r.get("isRoot")]
        rows = "".join(
            f"<tr><td><a href='{escape(state.drive.web_view_link(r))}'>{escape(r['name'])}</a></td>"
            f"<td>{escape(r['mimeType'])}</td><td>{escape(r.get('owner') or '')}</td>"
            f"<td>{escape(r['modifiedTime'])}</td><td>{r['version']}</td>"
            f"<td>{'trashed' if r['trashed'] else ''}</td></tr>"
            for r in sorted(records, key=lambda r: r["modifiedTime"], reverse=True))
    return _page("Google sandbox", "<h1>Google sandbox: files</h1><table class='grid'><tr><th>Name"
                 "</th><th>Type</th><th>Owner</th><th>Modified</th><th>Version</th><th></th></tr>"
                 f"{rows}</table>")


def file_meta(record: dict, more: str = "") -> str:
    """The line under a file's title: its Drive version and last change (and `more`, already HTML)."""
    return f"<p class='meta'>version {record['version']} · modified {escape(record['modifiedTime'])}{more}</p>"


def document_page(state: SandboxState, file_id: str) -> tuple[int, str]:
    with state.lock:
        record = state.drive.files.get(file_id)
        document = state.drive.documents.get(file_id)
        if record is None or document is None:
            return 404, _page("Not found", f"<h1>No document {escape(file_id)}</h1>")
        data = document.to_json(suggestions_view_mode="SUGGESTIONS_INLINE", content_uri=state.images.link)
        threads = document.comment_threads()
        meta = file_meta(record, f" · revision {escape(str(document.revision_id))}")
    body = _render_content(data.get("body", {}).get("content", []), data.get("lists", {}),
                           data.get("inlineObjects", {}))
    comments = "".join(_render_thread(t) for t in threads if not t["deleted"])
    return 200, _page(record["name"], f"<div class='doc'><h1>{escape(record['name'])}</h1>{meta}"
                                      f"{body}</div><div class='comments'><h2>Comments</h2>"
                                      f"{comments or '<p>None</p>'}</div>")


def _render_content(elements: list[dict], lists: dict, images: dict) -> str:
    out: list[str] = []
    open_lists: list[str] = []          # stack of "ul"/"ol" tags for the current list
    for element in elements:
        paragraph = element.get("paragraph")
        bullet = paragraph.get("bullet") if paragraph else None
        if bullet is None:
            while open_lists:
                out.append(f"</li></{open_lists.pop()}>")
        if paragraph is not None:
            text = _render_runs(paragraph.get("elements", []), images)
            if bullet is not None:
                level = bullet.get("nestingLevel", 0)
                tag = _list_tag(lists, bullet.get("listId"), level)
                if len(open_lists) > level + 1:
                    while len(open_lists) > level + 1:
                        out.append(f"</li></{open_lists.pop()}>")
                    out.append("</li>")
                elif len(open_lists) == level + 1:
                    out.append("</li>")
                while len(open_lists) < level + 1:
                    open_lists.append(tag)
                    out.append(f"<{tag}>")
                out.append(f"<li>{text}")
            else:
                paragraph_style = paragraph.get("paragraphStyle", {})
                tag = _HEADING_TAGS.get(paragraph_style.get("namedStyleType", "NORMAL_TEXT"), "p")
                css = _paragraph_css(paragraph_style)
                out.append(f"<{tag}{css}>{text or '&nbsp;'}</{tag}>")
        elif "table" in element:
            rows = "".join(
                "<tr>" + "".join(f"<td>{_render_content(cell.get('content', []), lists, images)}</td>"
                                 for cell in row.get("tableCells", [])) + "</tr>"
                for row in element["table"].get("tableRows", []))
            out.append(f"<table class='grid'>{rows}</table>")
    while open_lists:
        out.append(f"</li></{open_lists.pop()}>")
    return "".join(out)


def _list_tag(lists: dict, list_id: str | None, level: int) -> str:
    levels = lists.get(list_id or "", {}).get("listProperties", {}).get("nestingLevels", [])
    glyph = levels[level].get("glyphType", "") if level < len(levels) else ""
    return "ol" if glyph in _NUMBERED_GLYPHS else "ul"


def _points(dimension: dict | None) -> float:
    return float((dimension or {}).get("magnitude") or 0)


def _css_color(color: dict | None) -> str:
    rgb = ((color or {}).get("color") or {}).get("rgbColor") or {}
    return "rgb({:.0f},{:.0f},{:.0f})".format(*(255 * float(rgb.get(c, 0)) for c in ("red", "green", "blue")))


def _paragraph_css(style: dict) -> str:
    """What a paragraph style looks like in the Docs editor: indents, borders, shading, alignment."""
    rules = []
    if _points(style.get("indentStart")):
        rules.append(f"margin-left:{_points(style['indentStart'])}pt")
    for side in ("Left", "Bottom", "Top", "Right"):
        border = style.get(f"border{side}")
        if border and _points(border.get("width")):
            rules.append(f"border-{side.lower()}:{_points(border['width'])}pt solid {_css_color(border.get('color'))};"
                         f"padding-{side.lower()}:{_points(border.get('padding'))}pt")
    background = (style.get("shading") or {}).get("backgroundColor")
    if background and background.get("color"):
        rules.append(f"background:{_css_color(background)};white-space:pre-wrap;margin:0;padding:0 .3em")
    alignment = {"CENTER": "center", "END": "right", "JUSTIFIED": "justify"}.get(style.get("alignment", ""))
    if alignment:
        rules.append(f"text-align:{alignment}")
    return f" style='{escape(';'.join(rules))}'" if rules else ""


def _image(element: dict, images: dict) -> str:
    properties = images.get(element.get("inlineObjectId", ""), {}).get("inlineObjectProperties", {})
    uri = properties.get("embeddedObject", {}).get("imageProperties", {}).get("contentUri")
    if not isinstance(uri, str) or not _IMAGE_SOURCE.match(uri):
        return ""
    return f"<img src='{escape(uri)}' alt='' style='max-width:100%'>"


def _chip(element: dict) -> str:
    """A smart chip (person, rich link, date) as the editor shows it; anything else, nothing."""
    if "person" in element:
        properties = element["person"].get("personProperties", {})
        text, url = properties.get("name") or properties.get("email", ""), "mailto:" + properties.get("email", "")
    elif "richLink" in element:
        properties = element["richLink"].get("richLinkProperties", {})
        text, url = properties.get("title", ""), properties.get("uri", "")
    elif "dateElement" in element:
        text, url = element["dateElement"].get("dateElementProperties", {}).get("displayText", ""), ""
    else:
        return ""
    chip = f"<span class='chip'>{escape(str(text))}</span>"
    return f"<a href='{escape(url)}'>{chip}</a>" if _LINK_TARGET.match(url) else chip


def _render_runs(elements: list[dict], images: dict) -> str:
    out = []
    for element in elements:
        run = element.get("textRun")
        if run is None:
            if "inlineObjectElement" in element:
                out.append(_image(element["inlineObjectElement"], images))
            else:
                out.append(_chip(element))
            continue
        text = escape(run.get("content", "").rstrip("\n")).replace("\n", "<br>").replace("\v", "<br>")
        if not text:
            continue
        style = run.get("textStyle", {})
        if style.get("weightedFontFamily", {}).get("fontFamily", "").lower() in (
                "courier new", "roboto mono", "consolas", "source code pro"):
            text = f"<code>{text}</code>"
        for flag, tag in (("bold", "strong"), ("italic", "em"), ("strikethrough", "s"),
                          ("underline", "u")):
            if style.get(flag):
                text = f"<{tag}>{text}</{tag}>"
        url = style.get("link", {}).get("url")
        if isinstance(url, str) and _LINK_TARGET.match(url):
            text = f"<a href='{escape(url)}'>{text}</a>"
        elif url:   # shown, not followed
            text = f"<span class='link-refused' title='{escape(str(url))}'>{text}</span>"
        if run.get("suggestedInsertionIds"):
            text = f"<ins class='suggestion'>{text}</ins>"
        if run.get("suggestedDeletionIds"):
            text = f"<del class='suggestion'>{text}</del>"
        out.append(text)
    return "".join(out)


def _render_thread(thread: dict) -> str:
    posts = []
    for post in thread["posts"]:
        author = post["author"].get("emailAddress", "") if isinstance(post["author"], dict) else post["author"]
        action = f" <em>({escape(post['action'])})</em>" if post.get("action") else ""
        posts.append(f"<p><strong>{escape(str(author))}</strong>{action}: {escape(post['content'] or '')}</p>")
    quote = f"<p class='quote'>{escape(thread['quote'])}</p>" if thread.get("quote") else ""
    resolved = " resolved" if thread["status"] == "RESOLVED" else ""
    return f"<div class='thread{resolved}'>{quote}{''.join(posts)}</div>"
