"""Round trip through the sandbox with the real client:
read_document(get(doc after render_document(md).requests)) == normalize_markdown(md)."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflow.render import normalize_markdown, read_document, render_document

SAMPLES = Path(__file__).parent / "data" / "samples"


def apply_and_read(docs, markdown: str) -> tuple[str, dict]:
    rendered = render_document(markdown)
    document_id = docs.documents().create(body={"title": rendered.title}).execute()["documentId"]
    if rendered.requests:
        docs.documents().batchUpdate(documentId=document_id, body={"requests": rendered.requests}).execute()
    document = docs.documents().get(documentId=document_id).execute()
    return read_document(document), document


def body_text(document: dict) -> list[tuple[str, dict]]:
    """(text, paragraph) for each top-level paragraph of a documents.get response."""
    out = []
    for element in document["body"]["content"]:
        if "paragraph" in element:
            text = "".join(e.get("textRun", {}).get("content", "") for e in element["paragraph"]["elements"])
            out.append((text, element))
    return out


def test_sample_post_round_trips_and_looks_right_in_the_doc(docs):
    text = (SAMPLES / "front-matter-and-rich-markdown.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    markdown, document = apply_and_read(docs, body)
    assert markdown == normalize_markdown(body)
    paragraphs = body_text(document)
    assert paragraphs[0][0] == "Listening Without Fixing: A Field Guide\n"
    assert paragraphs[0][1]["paragraph"]["paragraphStyle"]["namedStyleType"] == "TITLE"
    last_text, last = paragraphs[-1]
    assert last_text == "\n" and "bullet" not in last["paragraph"]
    assert last["paragraph"]["paragraphStyle"]["namedStyleType"] == "NORMAL_TEXT"
    assert any("table" in element for element in document["body"]["content"])
    assert document.get("inlineObjects")
    assert "1. Reflect what you heard\n2. Ask one open question\n    1. " in markdown


def test_block_map_ranges_match_the_document(docs):
    body = "# T\n\nIntro 😅 **b**\n\n- a\n  - b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n\nend\n"
    rendered = render_document(body)
    _, document = apply_and_read(docs, body)
    starts = {element["startIndex"]: element for element in document["body"]["content"] if "startIndex" in element}
    for block in rendered.blocks:
        assert block.doc_start in starts, block
        element = starts[block.doc_start]
        if block.kind == "table":
            assert "table" in element and element["endIndex"] == block.doc_end
    ends = {element["endIndex"] for element in document["body"]["content"]}
    assert all(block.doc_end in ends for block in rendered.blocks)


def test_code_block_lines_are_monospace_and_shaded_with_emoji_and_indentation_intact(docs):
    markdown = "Before.\n\n```python\ndef hug():\n    return \"🫶 👨‍👩‍👧‍👦\"\n```\n\nAfter.\n"

    text, document = apply_and_read(docs, markdown)

    assert text == normalize_markdown(markdown)
    code = [element["paragraph"] for element in document["body"]["content"]
            if "paragraph" in element and "shading" in element["paragraph"].get("paragraphStyle", {})]
    assert ["".join(e["textRun"]["content"] for e in p["elements"]) for p in code] == [
        "def hug():\n", '    return "🫶 👨‍👩‍👧‍👦"\n']
    fonts = {e["textRun"].get("textStyle", {}).get("weightedFontFamily", {}).get("fontFamily")
             for p in code for e in p["elements"] if e["textRun"]["content"].strip()}
    assert fonts == {"Roboto Mono"}
    plain = [element["paragraph"] for element in document["body"]["content"] if "paragraph" in element
             and "After." in "".join(e.get("textRun", {}).get("content", "") for e in element["paragraph"]["elements"])]
    assert "weightedFontFamily" not in plain[0]["elements"][0]["textRun"].get("textStyle", {})


def test_empty_body_gives_an_empty_document(docs):
    markdown, _ = apply_and_read(docs, "")
    assert markdown == "" == normalize_markdown("")


# -- generated documents ---------------------------------------------------------------------

WORDS = ["listen", "help", "wait", "café", "naïve", "😅", "👨‍👩‍👧‍👦", "🇫🇷", "👍🏽", "fix", "plan", "x2", "Ünïcode"]
words = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)


@st.composite
def inline(draw) -> str:
    text = draw(words)
    form = draw(st.sampled_from(["plain", "bold", "italic", "both", "strike", "code", "link", "autolink"]))
    return {
        "plain": text,
        "bold": f"**{text}**",
        "italic": f"*{text}*",
        "both": f"***{text}***",
        "strike": f"~~{text}~~",
        "code": f"`{text}`",
        "link": f"[{text}](https://example.com/{len(text)})",
        "autolink": "<https://example.org/page>",
    }[form]


line = st.lists(inline(), min_size=1, max_size=4).map(" ".join)


@st.composite
def paragraph(draw) -> str:
    lines = draw(st.lists(line, min_size=1, max_size=3))
    return draw(st.sampled_from(["  \n", "\n"])).join(lines)


@st.composite
def heading(draw) -> str:
    return "#" * draw(st.integers(1, 6)) + " " + draw(line)


@st.composite
def bullet_list(draw) -> str:
    ordered = draw(st.booleans())
    task = not ordered and draw(st.booleans())
    indent = draw(st.sampled_from([2, 4]))
    levels = [0]
    for _ in range(draw(st.integers(0, 5))):
        levels.append(draw(st.integers(0, min(levels[-1] + 1, 2))))
    lines = []
    for number, level in enumerate(levels, start=1):
        marker = f"{number}." if ordered else "-"
        box = draw(st.sampled_from(["[ ] ", "[x] "])) if task else ""
        pad = " " * (indent if not ordered else 3) * level
        lines.append(f"{pad}{marker} {box}{draw(line)}")
    return "\n".join(lines)


@st.composite
def code_block(draw) -> str:
    lines = draw(st.lists(st.sampled_from(["x = 1", "print('🫶')", "", "    indented()", "a < b && c"]), min_size=1, max_size=4))
    return "```" + draw(st.sampled_from(["", "python"])) + "\n" + "\n".join(lines) + "\n```"


@st.composite
def quote(draw) -> str:
    parts = [f"> {draw(line)}"]
    if draw(st.booleans()):
        parts += [">", f"> > {draw(line)}"]
    return "\n".join(parts)


@st.composite
def table(draw) -> str:
    columns = draw(st.integers(1, 3))
    align = [draw(st.sampled_from(["---", ":---:", "---:", ":---"])) for _ in range(columns)]
    rows = [[draw(inline()) for _ in range(columns)] for _ in range(draw(st.integers(1, 3)))]
    header = [draw(words) for _ in range(columns)]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [header, align, *rows])


image = st.sampled_from(["![a bench](https://example.com/bench.jpg)", "![](https://example.com/x.png)"])
block = st.one_of(paragraph(), heading(), bullet_list(), code_block(), quote(), table(), st.just("---"), image)


@st.composite
def post(draw) -> str:
    blocks = draw(st.lists(block, min_size=1, max_size=8))
    notes = draw(st.integers(0, 2))
    for number in range(1, notes + 1):
        blocks.append(f"{draw(line)}[^n{number}]")
    blocks += [f"[^n{number}]: {draw(line)}" for number in range(1, notes + 1)]
    return "\n\n".join(blocks) + "\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(markdown=post())
def test_generated_posts_round_trip(docs, markdown):
    read_back, _ = apply_and_read(docs, markdown)
    assert read_back == normalize_markdown(markdown)
