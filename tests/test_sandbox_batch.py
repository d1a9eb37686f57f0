"""Long batches: a 370 kB post (one batchUpdate of about 15,000 requests) exports through the CLI, and
a batch applies exactly as its requests would one by one. How fast is bench/sandbox_batch.py."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.sandbox.documents import Document
from workflow.sandbox.exceptions import ApiError
from workflow.sandbox.images import Picture


def long_read(kilobytes: int) -> tuple[str, int]:
    sections = []
    size = number = 0
    while size < kilobytes * 1000:
        prose = (f"It starts with *trust*: **noticing** needs 😅, *showing up*, keeping `promises` small. "
                 f"Read [study {number}](https://example.com/s/{number}), then **act** on it. ")
        section = (f"## Part {number}\n\n{prose * 2}\n\n{prose}\n\n- one point\n- another, **bold**\n"
                   f"  - a nested note\n\n> A quote to remember.\n\n```\nexample {number}\n```\n\n")
        if number % 4 == 0:
            section += f"| step | why |\n|---|--:|\n| {number} | *because* |\n\n"
        sections.append(section)
        size += len(section.encode("utf-8"))
        number += 1
    return f"# A very long read\n\n{''.join(sections)}The end.\n", number


@pytest.mark.slow
def test_a_370_kb_post_exports_in_one_batch_through_the_cli(google_site, site, cli):
    google_site.configure(timeout=60)   # the shipped default of request_timeout_seconds
    text, sections = long_read(370)
    site.post("long.md", text)

    result = cli("export", "--json")

    assert result.code == 0, result.err
    assert result.json["created"] == 1 and result.json["failed"] == 0, result.out
    batches = [r for r in google_site.api_calls() if r["method"] == "docs.documents.batchUpdate"]
    assert [r["status"] for r in batches] == [200]
    drive, _docs = google_site.owner()
    exported = drive.files().export(fileId=result.json["posts"][0]["doc_id"], mimeType="text/plain").execute()
    lines = exported.decode("utf-8").splitlines()
    assert f"Part {sections - 1}" in lines and lines[-1] == "The end."


# --- one batch = its requests one by one ----------------------------------------------------------
# A property of the Docs model (workflow.sandbox.documents), checked in process: HTTP adds nothing to
# it, and a few hundred examples over HTTP would cost minutes.

_index = st.integers(min_value=1, max_value=40)
_line = st.lists(st.sampled_from(["a", "b", " ", "😅", "é"]), max_size=4).map("".join)
_lines = st.lists(st.tuples(st.integers(0, 2), _line), min_size=1, max_size=5).map(
    lambda lines: "".join("\t" * tabs + text + "\n" for tabs, text in lines))
_text = st.one_of(_lines, _line.filter(bool), st.just("\n"))


def _range(start: int, length: int) -> dict:
    return {"startIndex": start, "endIndex": start + length}


_request = st.one_of(
    st.builds(lambda i, t: {"insertText": {"location": {"index": i}, "text": t}}, _index, _text),
    st.builds(lambda i, n: {"deleteContentRange": {"range": _range(i, n)}}, _index, st.integers(1, 12)),
    st.builds(lambda i, n: {"updateTextStyle": {"range": _range(i, n), "textStyle": {"bold": True},
                                                "fields": "bold"}}, _index, st.integers(1, 12)),
    st.builds(lambda i, n, s: {"updateParagraphStyle": {"range": _range(i, n), "paragraphStyle": {
        "namedStyleType": s}, "fields": "namedStyleType"}}, _index, st.integers(1, 12),
        st.sampled_from(["HEADING_2", "NORMAL_TEXT"])),
    st.builds(lambda i, n: {"createParagraphBullets": {"range": _range(i, n),
                                                       "bulletPreset": "BULLET_DISC_CIRCLE_SQUARE"}},
              _index, st.integers(0, 30)),
    st.builds(lambda i, n: {"deleteParagraphBullets": {"range": _range(i, n)}}, _index, st.integers(0, 12)),
    st.builds(lambda i, r, c: {"insertTable": {"location": {"index": i}, "rows": r, "columns": c}},
              _index, st.integers(1, 2), st.integers(1, 2)),
    st.builds(lambda i: {"insertInlineImage": {"location": {"index": i}, "uri": "https://example.com/a.png"}},
              _index),
    st.builds(lambda i: {"insertPageBreak": {"location": {"index": i}}}, _index),
    st.builds(lambda i, n: {"createNamedRange": {"name": "n", "range": _range(i, n)}}, _index, st.integers(1, 8)),
    st.builds(lambda i, n: {"insertComment": {"content": "c", "range": _range(i, n)}}, _index, st.integers(1, 8)),
    st.builds(lambda t: {"replaceAllText": {"containsText": {"text": t, "matchCase": True}, "replaceText": "Z\n"}},
              st.sampled_from(["a", "b b", "😅"])),
)


def _apply(document: Document, requests: list[dict]) -> None:
    # Every image is fetched as an image of unknown size (Google's fetch is not what is tested here).
    document.batch_update(requests, write_control=None, author="writer@example.com",
                          now="2026-01-01T00:00:00.000Z", images=lambda uri: (Picture("image/png"), None))


def _snapshot(document: Document) -> str:
    """documents.get of the Doc (with named ranges and comments), generated ids named by order."""
    data = document.to_json(include_tabs_content=True, suggestions_view_mode="SUGGESTIONS_INLINE",
                            comments_view_mode="COMMENTS_VIEW_MODE_INCLUDED")
    for key in ("documentId", "revisionId", "title"):
        data.pop(key)
    names: dict[str, str] = {}
    text = re.sub(r"\b(kix|h|suggest|AAAB)[.a-zA-Z0-9]{10,}",
                  lambda m: names.setdefault(m.group(), f"id{len(names)}"), json.dumps(data))
    return json.dumps(json.loads(text), sort_keys=True, indent=0)


@settings(max_examples=200, deadline=None)
@given(seed=_lines, requests=st.lists(_request, min_size=2, max_size=12))
def test_a_batch_applies_exactly_as_its_requests_one_by_one(seed, requests):
    """Positions are kept across the requests of a batch: every edit must move them as a fresh look
    at the body would. Requests Docs refuses one by one are left out of the batch."""
    requests = [{"insertText": {"location": {"index": 1}, "text": seed}}] + requests
    one_by_one = Document.new("one-by-one", "t")
    accepted = []
    for request in requests:
        try:
            _apply(one_by_one, [request])
        except ApiError as error:
            assert error.code == 400, error.message
            continue
        accepted.append(request)
    batched = Document.new("batched", "t")
    _apply(batched, accepted)

    assert _snapshot(batched) == _snapshot(one_by_one)
