"""Rendering fidelity on the CommonMark spec: every example rendered, applied in a local sandbox
through the real Google client, read back, and compared in meaning with the source (Python-
Markdown's HTML read as structure, tests/markdown_meaning.py). Prints the counts by class and
each example that does not keep its meaning (or was excluded, with --excluded).

Run: .venv/bin/python bench/fidelity.py [--site-url URL] [--excluded] [--section NAME] [--only N,N]
The spec comes from the commonmark==0.9.2 sdist (pip download, cached in ~/.cache/docs-workflow).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from commonmark_spec import SpecUnavailable, spec_examples  # noqa: E402
from sandbox_fixtures import app_clients  # noqa: E402
from spec_fidelity import EXCLUDED, SAME, run_examples  # noqa: E402

from workflow.sandbox import start  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site-url", help="resolve relative images against this base URL")
    parser.add_argument("--excluded", action="store_true", help="also show the excluded examples")
    parser.add_argument("--section", help="only the examples of this spec section")
    parser.add_argument("--only", help="only these example numbers (comma-separated)")
    args = parser.parse_args()
    try:
        examples = spec_examples()
    except SpecUnavailable as exc:
        print(f"CommonMark spec not available: {exc}", file=sys.stderr)
        return 1
    if args.section:
        examples = [e for e in examples if e.section == args.section]
    if args.only:
        wanted = {int(n) for n in args.only.split(",")}
        examples = [e for e in examples if e.number in wanted]
    sandbox = start()
    try:
        with tempfile.TemporaryDirectory() as keys:
            _, docs = app_clients(sandbox, Path(keys))
            report = run_examples(docs, examples, site_url=args.site_url)
    finally:
        sandbox.stop()
    for outcome in report.outcomes:
        if outcome.kind == SAME or (outcome.kind in EXCLUDED and not args.excluded):
            continue
        print(f"--- example {outcome.number} ({outcome.section}): {outcome.kind}")
        print(f"source:    {outcome.markdown!r}")
        print(f"read back: {outcome.read_back!r}")
        print(f"           {outcome.detail}")
    print(report.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
