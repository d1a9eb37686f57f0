"""Rendering cost per post relative to `markdown.markdown()` on the same body (goal: <= 2x).

Run: .venv/bin/python bench/render_ratio.py [samples-dir]
Prints one line per post; no pass/fail.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import markdown

from workflow.render import render_document

EXTENSIONS = ["tables", "fenced_code", "footnotes", "sane_lists"]


def body_of(text: str) -> str:
    """The post body: the text after a leading YAML front matter block."""
    if text.startswith("---\n"):
        parts = text.split("\n---\n", 1)
        if len(parts) == 2:
            return parts[1]
    return text


def long_read(sections: int = 400) -> str:
    """A generated long read: every construct the renderer handles, `sections` times."""
    chunks = []
    for n in range(sections):
        chunks.append(
            f"## Section {n} 😅\n\n"
            f"Some *italic*, **bold** and `code` text with a [link](https://example.com/{n}) "
            f"and ~~struck~~ words, 👨‍👩‍👧‍👦 family.[^n{n}]\n\n"
            "- one\n  - nested **two**\n    - three\n- four\n\n"
            "1. first\n2. second\n\n"
            "> a quote\n>\n> > nested\n\n"
            "| a | b |\n|:-:|--:|\n| 1 | **2** |\n\n"
            "```\ncode line 🫶\n\n  indented\n```\n\n---\n\n"
            f"[^n{n}]: Note {n}.\n"
        )
    return "\n".join(chunks)


def best_times(functions, argument, repeat: int) -> list[float]:
    """The best time of each function over `repeat` rounds, the functions interleaved in each round
    so that load from other processes weighs on both alike (the ratio is what matters)."""
    best = [float("inf")] * len(functions)
    for _ in range(repeat):
        for position, function in enumerate(functions):
            started = time.perf_counter()
            function(argument)
            best[position] = min(best[position], time.perf_counter() - started)
    return best


def measure(name: str, body: str, repeat: int) -> None:
    baseline, rendering = best_times(
        [lambda text: markdown.markdown(text, extensions=EXTENSIONS), render_document], body, repeat)
    print(f"{name:45s} {len(body):>9d} chars  markdown {baseline * 1000:8.1f} ms  "
          f"render {rendering * 1000:8.1f} ms  ratio {rendering / baseline:4.2f}x")


def main() -> None:
    samples = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/samples")
    for path in sorted(samples.glob("*.md")):
        if path.name == "README.md":
            continue
        measure(path.name, body_of(path.read_text(encoding="utf-8")), repeat=50)
    measure("generated long read (400 sections)", long_read(400), repeat=3)
    section = "## Part\n\nSome **bold** text 😅 and a [link](https://e.org).\n\n- a\n  - b\n\n"
    measure("generated 1 MB post", section * (1_000_000 // len(section)), repeat=1)  # quadratic steps show here


if __name__ == "__main__":
    main()
