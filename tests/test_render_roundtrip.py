"""Round trip through the sandbox with the real client:
read_document(get(doc after render_document(md).requests)) == normalize_markdown(md), and means
what `md` means (markdown_meaning: Python-Markdown's HTML read as structure, no code shared)."""
from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_meaning import compare

from workflow.render import normalize_markdown, read_document, render_document

SAMPLES = Path(__file__).parent / "data" / "samples"


def apply_and_read(docs, markdown: str) -> tuple[str, dict]:
    rendered = render_document(markdown)
    documents = docs.documents()  # building a resource costs more than a call: once
    document_id = documents.create(body={"title": rendered.title}).execute()["documentId"]
    if rendered.requests:
        documents.batchUpdate(documentId=document_id, body={"requests": rendered.requests}).execute()
    document = documents.get(documentId=document_id).execute()
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
    assert "1. Reflect what you heard\n2. Ask one open question\n    - \"What was" in markdown
    # the nested bullets keep bullet glyphs, and "3." keeps counting in the numbered list
    items = {text.strip(): p["paragraph"]["bullet"] for text, p in paragraphs if "bullet" in p["paragraph"]}
    glyph = lambda bullet: document["lists"][bullet["listId"]]["listProperties"]["nestingLevels"][bullet.get("nestingLevel", 0)]  # noqa: E731
    assert glyph(items['"What was the hardest part?"']).get("glyphSymbol") and "glyphType" not in glyph(items['"What was the hardest part?"'])
    assert glyph(items["Reflect what you heard"])["glyphType"] == "DECIMAL"
    assert items["Wait — longer than feels comfortable 😅"]["listId"] == items["Reflect what you heard"]["listId"]


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
    assert compare(markdown, read_back) is None


# -- nested structures: blocks inside list items, blocks inside quotes ------------------------------

def indented(text: str, by: str = "    ") -> str:
    return "\n".join(by + line if line else "" for line in text.split("\n"))


def quoted(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n"))


indented_code = st.lists(st.sampled_from(["x = 1", "print('🫶')", "  deeper()", "a < b && c"]), min_size=1, max_size=3).map(
    lambda lines: "\n".join("    " + line for line in lines))


@st.composite
def nested_list(draw, depth: int = 0) -> str:
    """A list whose items hold paragraphs, quotes, code, headings, tables, rules and lists."""
    ordered = draw(st.booleans())
    start = draw(st.sampled_from([1, 1, 3])) if ordered else 1
    items = []
    for number in range(start, start + draw(st.integers(1, 3))):
        marker = f"{number}." if ordered else "-"
        first = draw(st.sampled_from(["text", "text", "heading", "task"]))
        text = draw(line)
        head = {"text": text, "heading": "#" * draw(st.integers(2, 4)) + " " + text,
                "task": draw(st.sampled_from(["[ ] ", "[x] ", "[X] "])) + text}["task" if first == "task" and not ordered else first]
        kinds = ["paragraph", "quote", "code", "heading", "table", "rule"] + (["list"] if depth < 2 else [])
        children = []
        for kind in draw(st.lists(st.sampled_from(kinds), max_size=2)):
            children.append({
                "paragraph": lambda: draw(line),
                "quote": lambda: quoted(draw(line)) + (("\n>\n" + quoted("#" * draw(st.integers(2, 4)) + " " + draw(line))) if draw(st.booleans()) else ""),
                "code": lambda: draw(indented_code),
                "heading": lambda: "#" * draw(st.integers(2, 4)) + " " + draw(line),
                "table": lambda: draw(table()),
                "rule": lambda: "---",
                "list": lambda: draw(nested_list(depth + 1)),
            }[kind]())
        body = "\n\n".join(indented(child) for child in children)
        items.append(f"{marker} {head}" + ("\n\n" + body if body else ""))
    return "\n\n".join(items)


@st.composite
def nested_quote(draw, depth: int = 0) -> str:
    """A quote holding paragraphs, lists, headings, code and quotes."""
    kinds = ["paragraph", "list", "heading", "code"] + (["quote"] if depth < 2 else [])
    parts = []
    for kind in draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=3)):
        ordered = draw(st.booleans())
        parts.append({
            "paragraph": lambda: draw(line),
            "list": lambda: "\n".join(f"{n}. {draw(line)}" if ordered else f"- {draw(line)}" for n in range(1, draw(st.integers(1, 3)) + 1)),
            "heading": lambda: "#" * draw(st.integers(2, 4)) + " " + draw(line),
            "code": lambda: draw(indented_code),
            "quote": lambda: draw(nested_quote(depth + 1)),
        }[kind]())
    return quoted("\n\n".join(parts))


nested_block = st.one_of(nested_list(), nested_quote(), paragraph(), heading(), code_block(), table())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blocks=st.lists(nested_block, min_size=1, max_size=4))
def test_nested_structures_keep_their_meaning(docs, blocks):
    markdown = "\n\n".join(blocks) + "\n"
    read_back, _ = apply_and_read(docs, markdown)
    assert compare(markdown, read_back) is None, (markdown, read_back)
    assert read_back == normalize_markdown(markdown)
