"""The author's changes to a Doc that reviewers have edited: as suggestions, never as edits.

A three-way comparison by paragraph of plain text:
- base: the post as we last wrote it to the Doc,
- ours: the post as the author has it now,
- theirs: the Doc as the reviewers left it.
Where the author changed paragraphs the reviewers left alone, the change goes in as a suggestion
(the Docs write carries `writeMode: SUGGEST`). Where both changed the same paragraphs, nothing is
written there and the conflict is listed in a comment for the editors. Suggested text is plain: a
reviewer accepting it gets the words, and formatting may need a touch.
Tables are compared as a whole: a change inside a table is reported as a conflict, not suggested.

The comparison goes hunk by hunk (a run of changed paragraphs between two unchanged ones). A hunk
goes in as suggestions only when every paragraph it changes stands in the Doc as we wrote it
(no reviewer edit, no pending suggestion) and in one piece; otherwise the whole hunk is a
conflict. New paragraphs go before the unchanged paragraph that follows them in the post, or after
the one before when that one was edited, or (at the end of the post) at the end of the Doc. A
paragraph that carries a pending suggestion, the author's own included, counts as edited. Several hunks go in one write (from the end backwards, so
the indexes of the earlier ones stay valid).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from workflow.render.model import Image, Para
from workflow.render.parse import parse_markdown
from workflow.render.rules import build_model
from workflow.render.utf16 import u16len

TOUCHED = "\0touched"  # a paragraph with pending suggestions never matches the base text


@dataclass
class DocParagraph:
    text: str
    start: int
    end: int  # the index after the paragraph's newline
    style: str = "NORMAL_TEXT"  # its named style: what a paragraph inserted next to it inherits


@dataclass
class SuggestionPlan:
    requests: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)  # {"reviewed": text, "author": text}
    inserted: list[str] = field(default_factory=list)    # paragraphs the requests suggest adding
    deleted: list[str] = field(default_factory=list)     # paragraphs the requests suggest removing


def conflict_comment(source: str, conflicts: list[dict]) -> str:
    """The comment listing the paragraphs both the author and reviewers changed."""
    lines = [f"docs-workflow: the author changed {source} after the review started, and reviewers had "
             f"changed the same paragraphs, so these changes were NOT applied. Please reconcile by hand:"]
    for number, conflict in enumerate(conflicts, start=1):
        lines.append(f"{number}. In the Doc (before reviewers' edits): “{_excerpt(conflict['reviewed'])}”")
        lines.append(f"   The author now has: “{_excerpt(conflict['author'])}”")
    return "\n".join(lines)


def _excerpt(text: str, limit: int = 300) -> str:
    text = text.replace("\n", " / ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_paragraphs(markdown: str) -> list[str]:
    """The plain text of each paragraph a Markdown body renders to (tables collapse to one entry)."""
    return [text for text, _style in _markdown_blocks(markdown)]


def _markdown_blocks(markdown: str) -> list[tuple[str, str]]:
    """(plain text, named style) of each paragraph a Markdown body renders to; a table is one entry."""
    blocks: list[tuple[str, str]] = []
    for block in build_model(parse_markdown(markdown), 1).blocks:
        if isinstance(block, Para):
            blocks.append(("".join("" if isinstance(i, Image) else i.text for i in block.inlines), _style_of(block)))
        else:
            cells = [block.header] + block.rows
            blocks.append(("\0table:" + " | ".join(
                "".join("" if isinstance(i, Image) else i.text for i in cell) for row in cells for cell in row),
                "NORMAL_TEXT"))
    return blocks


def _style_of(block: Para) -> str:
    if block.kind == "title":
        return "TITLE"
    if block.kind == "heading":
        return f"HEADING_{min(max(block.level, 1), 6)}"
    return "NORMAL_TEXT"


def document_paragraphs(document: dict) -> list[DocParagraph]:
    """Top-level paragraphs of the Doc body with their UTF-16 ranges; tables become one untouchable entry."""
    paragraphs: list[DocParagraph] = []
    for element in document.get("body", {}).get("content", []):
        if "paragraph" in element:
            text, touched = "", False
            for part in element["paragraph"].get("elements", []):
                run = part.get("textRun")
                if run is None:
                    touched = touched or "inlineObjectElement" not in part
                    continue
                if run.get("suggestedInsertionIds") or run.get("suggestedDeletionIds"):
                    touched = True
                text += run.get("content", "")
            text = text[:-1] if text.endswith("\n") else text
            style = element["paragraph"].get("paragraphStyle", {}).get("namedStyleType", "NORMAL_TEXT")
            paragraphs.append(DocParagraph(text + (TOUCHED if touched else ""), element["startIndex"],
                                           element["endIndex"], style))
        elif "table" in element:
            paragraphs.append(DocParagraph(TOUCHED + "table", element["startIndex"], element["endIndex"]))
    return paragraphs


def plan_suggestions(document: dict, *, base_markdown: str, new_markdown: str) -> SuggestionPlan:
    base = markdown_paragraphs(base_markdown)
    ours_blocks = _markdown_blocks(new_markdown)
    ours = [text for text, _style in ours_blocks]
    styles = [style for _text, style in ours_blocks]
    theirs = document_paragraphs(document)
    body_end = theirs[-1].end if theirs else 2
    # Where each base paragraph stands, untouched, in the Doc.
    located: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, base, [p.text for p in theirs], autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            located[block.a + offset] = block.b + offset
    plan = SuggestionPlan()
    edits: list[tuple[int, list[dict]]] = []  # (doc index, requests), applied from the end backwards
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, base, ours, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        new_text = "\n".join(ours[j1:j2])
        if any(t.startswith("\0table:") for t in base[i1:i2] + ours[j1:j2]):
            plan.conflicts.append({"reviewed": "\n".join(base[i1:i2]).replace("\0table:", ""),
                                   "author": new_text.replace("\0table:", "")})
            continue
        if tag == "insert":
            anchor = _insert_point(i1, base, located, theirs)
            if anchor is None:
                plan.conflicts.append({"reviewed": "", "author": new_text})
                continue
            neighbour, after = anchor
            index = neighbour.end - 1 if after else neighbour.start
            text = f"\n{new_text}" if after else f"{new_text}\n"
            requests = [{"insertText": {"location": {"index": index}, "text": text}}]
            requests += _restyle(index + 1 if after else index, ours[j1:j2], styles[j1:j2], neighbour.style)
            edits.append((index, requests))
            plan.inserted.extend(ours[j1:j2])
            continue
        doc_indexes = [located.get(i) for i in range(i1, i2)]
        if None in doc_indexes or doc_indexes != list(range(doc_indexes[0], doc_indexes[0] + len(doc_indexes))):
            plan.conflicts.append({"reviewed": "\n".join(base[i1:i2]), "author": new_text})
            continue
        first, last = theirs[doc_indexes[0]], theirs[doc_indexes[-1]]
        if tag == "replace":
            requests = [{"deleteContentRange": {"range": {"startIndex": first.start, "endIndex": last.end - 1}}},
                        {"insertText": {"location": {"index": first.start}, "text": new_text}}]
            requests += _restyle(first.start, ours[j1:j2], styles[j1:j2], first.style)
        else:  # delete whole paragraphs, newline included (the body's last newline can't go)
            start, end = (first.start, last.end) if last.end < body_end else (first.start - 1, last.end - 1)
            if start < 1 or end <= start:
                plan.conflicts.append({"reviewed": "\n".join(base[i1:i2]), "author": ""})
                continue
            requests = [{"deleteContentRange": {"range": {"startIndex": start, "endIndex": end}}}]
        edits.append((first.start, requests))
        plan.inserted.extend(ours[j1:j2])
        plan.deleted.extend(base[i1:i2])
    for _index, requests in sorted(edits, key=lambda edit: edit[0], reverse=True):
        plan.requests.extend(requests)
    return plan


def _restyle(start: int, texts: list[str], styles: list[str], inherited: str) -> list[dict]:
    """Suggested text takes the style of the paragraph it is inserted into: give each new paragraph
    (starting at `start`, one newline apart) its own named style where that differs."""
    requests = []
    for text, style in zip(texts, styles):
        length = u16len(text)
        if style != inherited and length:
            requests.append({"updateParagraphStyle": {"range": {"startIndex": start, "endIndex": start + length},
                                                      "paragraphStyle": {"namedStyleType": style},
                                                      "fields": "namedStyleType"}})
        start += length + 1
    return requests


def _insert_point(i1: int, base: list[str], located: dict[int, int],
                  theirs: list[DocParagraph]) -> tuple[DocParagraph, bool] | None:
    """Where new paragraphs go: (the Doc paragraph they go next to, whether after it): before the base
    paragraph that follows them, or after the one before; new ones at the end of the post go at the
    end of the Doc whatever its last paragraphs hold."""
    if i1 < len(base) and i1 in located:
        return theirs[located[i1]], False
    if i1 > 0 and (i1 - 1) in located:
        return theirs[located[i1 - 1]], True
    if i1 == len(base) and theirs:  # new at the end of the post: at the end of the Doc
        last = theirs[-1]
        return last, last.text != ""  # before the Doc's closing empty paragraph, else after its last one
    return None


def accepted_paragraphs(document: dict) -> list[str]:
    """The Doc's top-level paragraphs as they read with every pending suggestion accepted."""
    text = ""
    for element in document.get("body", {}).get("content", []):
        for part in element.get("paragraph", {}).get("elements", []):
            run = part.get("textRun")
            if run is not None and not run.get("suggestedDeletionIds"):
                text += run.get("content", "")
    return text.split("\n")


def suggestions_landed(document: dict, pending: dict) -> bool:
    """Whether a suggestion write (`pending`: the revision it required, the paragraphs it adds and
    removes) is in the Doc: the Doc moved on, and accepting its suggestions gives the author's text."""
    if document.get("revisionId") == pending["revision"]:
        return False
    accepted = set(accepted_paragraphs(document))
    return all(text in accepted for text in pending["inserted"]) and \
        not any(text in accepted for text in pending["deleted"])
