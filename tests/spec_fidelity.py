"""Markdown examples -> render -> one batchUpdate each in the sandbox (real client) -> read back ->
meaning compared with the source's (markdown_meaning). Shared by tests/test_render_spec.py and
bench/fidelity.py.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field

from googleapiclient.errors import HttpError
from markdown_meaning import compare, html_tree, meaning, to_html

from workflow.render import read_document, render_document

CRASH_RENDER = "crash: render"
CRASH_READ = "crash: read"
REFUSED = "batch refused"
SAME = "same meaning"
RAW_HTML = "excluded: raw HTML kept as text"
RAW_HTML_LOST = "raw HTML lost"
RELATIVE_IMAGE = "excluded: relative image"
EXCLUDED = (RAW_HTML, RELATIVE_IMAGE)


@dataclass
class Outcome:
    number: int
    section: str
    markdown: str
    kind: str  # SAME, a failure, an exclusion or the class of the difference
    detail: str = ""
    read_back: str = ""

    @property
    def differs(self) -> bool:
        return self.kind not in (SAME, *EXCLUDED)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> Counter:
        return Counter(o.kind for o in self.outcomes)

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.differs]

    def summary(self) -> str:
        counts = self.counts()
        lines = [f"{len(self.outcomes)} examples in {self.seconds:.1f} s"]
        for kind, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            lines.append(f"  {count:5d}  {kind}")
        lines.append(f"  differing in meaning (exclusions left out): {len(self.failures())}")
        return "\n".join(lines)


class DocPool:
    """Writes each example into a Doc of its own (examples are whole posts: a reference definition
    or an open fence in one must not reach the next). The documents resource is built once: the
    client builds each resource from the discovery document, which costs more than the call."""

    def __init__(self, docs) -> None:
        self.documents = docs.documents()

    def write(self, requests: list[dict]) -> dict:
        document_id = self.documents.create(body={"title": "spec example"}).execute()["documentId"]
        if requests:
            self.documents.batchUpdate(documentId=document_id, body={"requests": requests}).execute()
        return self.documents.get(documentId=document_id).execute()


def check_example(pool: DocPool, number: int, section: str, source: str, *, site_url: str | None = None) -> Outcome:
    outcome = Outcome(number, section, source, SAME)
    expected = meaning(source)
    try:
        rendered = render_document(source, site_url=site_url) if site_url else render_document(source)
    except Exception as exc:  # noqa: BLE001 - a crash is what we count
        outcome.kind, outcome.detail = CRASH_RENDER, f"{type(exc).__name__}: {exc}"
        return outcome
    try:
        document = pool.write(rendered.requests)
    except HttpError as exc:
        outcome.kind, outcome.detail = REFUSED, str(exc)[:300]
        return outcome
    try:
        outcome.read_back = read_document(document)
    except Exception as exc:  # noqa: BLE001
        outcome.kind, outcome.detail = CRASH_READ, f"{type(exc).__name__}: {exc}"
        return outcome
    difference = compare(source, outcome.read_back, site_url=site_url)
    if difference is None:
        return outcome
    outcome.detail = str(difference)
    raw = expected.raw_html_blocks + expected.inline_html
    if raw:  # kept as text by design: each piece must be in the Doc's text
        shown = _collapse(plain_text_of(outcome.read_back))
        lost = [piece for piece in raw if _collapse(piece) not in shown]
        outcome.kind = RAW_HTML_LOST if lost else RAW_HTML
        if lost:
            outcome.detail = f"not in the Doc: {lost[0]!r}"
    elif expected.relative_images and not site_url:
        outcome.kind = RELATIVE_IMAGE
    else:
        outcome.kind = difference.kind
    return outcome


def _collapse(text: str) -> str:
    return " ".join(text.split())


def plain_text_of(markdown_text: str) -> str:
    """The text a reader sees of some Markdown (what Python-Markdown's HTML shows)."""
    return html_tree(to_html(markdown_text)[0]).text()


def run_examples(docs, examples, *, site_url: str | None = None) -> Report:
    started = time.perf_counter()
    pool = DocPool(docs)
    report = Report()
    for example in examples:
        report.outcomes.append(check_example(pool, example.number, example.section, example.markdown, site_url=site_url))
    report.seconds = time.perf_counter() - started
    return report
