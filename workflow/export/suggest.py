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
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from workflow.render.model import Image, Para
from workflow.render.parse import parse_markdown
from workflow.render.rules import build_model

TOUCHED = "\0touched"  # a paragraph with pending suggestions never matches the base text


@dataclass
class DocParagraph:
    text: str
    start: int
    end: int  # the index after the paragraph's newline


@dataclass
class SuggestionPlan:
    requests: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)  # {"reviewed": text, "author": text}

    def conflict_comment(self, source: str) -> str:
        lines = [f"docs-workflow: the author changed {source} after the review started, and reviewers had "
                 f"changed the same paragraphs, so these changes were NOT applied. Please reconcile by hand:"]
        for number, conflict in enumerate(self.conflicts, start=1):
            lines.append(f"{number}. In the Doc (before reviewers' edits): “{_excerpt(conflict['reviewed'])}”")
            lines.append(f"   The author now has: “{_excerpt(conflict['author'])}”")
        return "\n".join(lines)


def _excerpt(text: str, limit: int = 300) -> str:
    text = text.replace("\n", " / ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_paragraphs(markdown: str) -> list[str]:
    """The plain text of each paragraph a Markdown body renders to (tables collapse to one entry)."""
    texts: list[str] = []
    for block in build_model(parse_markdown(markdown), 1).blocks:
        if isinstance(block, Para):
            texts.append("".join("" if isinstance(i, Image) else i.text for i in block.inlines))
        else:
            cells = [block.header] + block.rows
            texts.append("\0table:" + " | ".join(
                "".join("" if isinstance(i, Image) else i.text for i in cell) for row in cells for cell in row))
    return texts


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
            paragraphs.append(DocParagraph(text + (TOUCHED if touched else ""), element["startIndex"],
                                           element["endIndex"]))
        elif "table" in element:
            paragraphs.append(DocParagraph(TOUCHED + "table", element["startIndex"], element["endIndex"]))
    return paragraphs


def plan_suggestions(document: dict, *, base_markdown: str, new_markdown: str) -> SuggestionPlan:
    base = markdown_paragraphs(base_markdown)
    ours = markdown_paragraphs(new_markdown)
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
            anchor = _insert_point(i1, base, located, theirs, body_end)
            if anchor is None:
                plan.conflicts.append({"reviewed": "", "author": new_text})
            else:
                index, text = anchor
                text = text.format(new_text)
                edits.append((index, [{"insertText": {"location": {"index": index}, "text": text}}]))
            continue
        doc_indexes = [located.get(i) for i in range(i1, i2)]
        if None in doc_indexes or doc_indexes != list(range(doc_indexes[0], doc_indexes[0] + len(doc_indexes))):
            plan.conflicts.append({"reviewed": "\n".join(base[i1:i2]), "author": new_text})
            continue
        first, last = theirs[doc_indexes[0]], theirs[doc_indexes[-1]]
        if tag == "replace":
            requests = [{"deleteContentRange": {"range": {"startIndex": first.start, "endIndex": last.end - 1}}}]
            if new_text:
                requests.append({"insertText": {"location": {"index": first.start}, "text": new_text}})
        else:  # delete whole paragraphs, newline included (the body's last newline can't go)
            start, end = (first.start, last.end) if last.end < body_end else (first.start - 1, last.end - 1)
            if start < 1 or end <= start:
                plan.conflicts.append({"reviewed": "\n".join(base[i1:i2]), "author": ""})
                continue
            requests = [{"deleteContentRange": {"range": {"startIndex": start, "endIndex": end}}}]
        edits.append((first.start, requests))
    for _index, requests in sorted(edits, key=lambda edit: edit[0], reverse=True):
        plan.requests.extend(requests)
    return plan


def _insert_point(i1: int, base: list[str], located: dict[int, int], theirs: list[DocParagraph],
                  body_end: int) -> tuple[int, str] | None:
    """Where new paragraphs go: before the base paragraph that follows them, or after the one before."""
    if i1 < len(base) and i1 in located:
        return theirs[located[i1]].start, "{}\n"
    if i1 > 0 and (i1 - 1) in located:
        previous = theirs[located[i1 - 1]]
        return previous.end - 1, "\n{}"
    if not base:
        return body_end - 1, "\n{}"
    return None

