"""The review lifecycle state machine (tests/test_lifecycle.py) with many more examples than CI runs.

CI runs a few examples to stay within the suite's time budget; this runs hundreds, with longer
sequences, and prints what hypothesis found (a falsifying sequence, shrunk) or that it found nothing.

Run: .venv/bin/python bench/lifecycle_soak.py [--examples 200] [--steps 30]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    env = dict(os.environ, LIFECYCLE_EXAMPLES=str(args.examples), LIFECYCLE_STEPS=str(args.steps))
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/test_lifecycle.py"], cwd=ROOT, env=env)
    print(f"{args.examples} examples of up to {args.steps} steps in {time.perf_counter() - started:.0f} s: "
          + ("nothing found" if result.returncode == 0 else "see the falsifying sequence above"))
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())
