"""The CommonMark spec examples (a suite nobody here wrote) rendered into the sandbox through the
real client, read back, and compared in meaning with the source (tests/markdown_meaning.py:
Python-Markdown's HTML read as structure). `bench/fidelity.py` prints the full report."""
from __future__ import annotations

import pytest
from commonmark_spec import SpecUnavailable, spec_examples
from spec_fidelity import CRASH_READ, CRASH_RENDER, RAW_HTML, RELATIVE_IMAGE, REFUSED, run_examples

SITE_URL = "https://blog.example.com/posts/"
MAX_DIFFERING = 5  # issue 13: at most 5 examples whose Doc means something else than the source


@pytest.fixture(scope="module")
def examples():
    try:
        return spec_examples()
    except SpecUnavailable as exc:
        pytest.skip(f"CommonMark spec not available: {exc}")


def test_commonmark_spec_examples_keep_their_meaning_in_the_doc(docs, examples, capsys):
    report = run_examples(docs, examples)
    with capsys.disabled():
        print("\nCommonMark spec 0.29 (commonmark==0.9.2), rendered and read back:\n" + report.summary())
    counts = report.counts()
    assert len(report.outcomes) == 649
    assert counts[CRASH_RENDER] == counts[CRASH_READ] == 0, [o.detail for o in report.outcomes if o.kind.startswith("crash")]
    assert counts[REFUSED] == 0, [(o.number, o.detail) for o in report.outcomes if o.kind == REFUSED]
    differing = report.failures()
    assert len(differing) <= MAX_DIFFERING, "\n".join(f"{o.number}: {o.detail}" for o in differing)
    # the exclusions are what they say: raw HTML kept as text, relative images without site_url
    assert 0 < counts[RAW_HTML] < 100 and 0 < counts[RELATIVE_IMAGE] < 40


def test_relative_images_of_the_spec_resolve_against_site_url(docs, examples):
    with_images = [e for e in examples if "![" in e.markdown]
    report = run_examples(docs, with_images, site_url=SITE_URL)
    assert RELATIVE_IMAGE not in report.counts()
    assert report.failures() == [], "\n".join(f"{o.number}: {o.detail}" for o in report.failures())
