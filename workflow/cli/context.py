"""What a command needs from the CLI: the loaded config, the store, and the ways to print.

Everything a command prints goes through `say`, `warn` or `emit_json` here, and much of it is text
someone else wrote (topic titles, reviewers' comments, file names): text output goes through
`terminal.printable` (no control characters but newlines and tabs), and JSON escapes every
control character.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

from workflow.config import Config, default_config_path, load_config
from workflow.terminal import printable

T = TypeVar("T")

# What json.dumps(ensure_ascii=False) leaves raw: DEL and the C1 controls (it escapes C0 itself).
_RAW_IN_JSON = re.compile("[\x7f-\x9f]")


class Context:
    """Built once per command; loads the config and opens the store only when a command asks."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.json = bool(getattr(args, "json", False))
        self._config: Config | None = None
        self._store = None

    @property
    def config(self) -> Config:
        if self._config is None:
            path = self.args.config or default_config_path(Path.cwd())
            config = load_config(path)
            if self.args.sandbox:
                google = dict(config.sections["google"], endpoint="sandbox", credentials=None)
                config = replace(config, sections=dict(config.sections, google=google))
            self._config = config
        return self._config

    @property
    def store(self):
        if self._store is None:
            from workflow.store import open_store

            self._store = open_store(self.config.state_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # --- output: only the CLI prints ---

    def emit_json(self, data: Any) -> None:
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write(_RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "\n")

    def say(self, text: str = "") -> None:
        print(printable(text))

    def warn(self, text: str) -> None:
        print(f"workflow: warning: {printable(text)}", file=sys.stderr)

    @staticmethod
    def error(text: str, *, kind: str = "error") -> None:
        """The one line of a failure on stderr: `workflow: error: …` (or another `kind`, e.g. unhealthy)."""
        print(f"workflow: {kind}: {printable(text)}", file=sys.stderr)

    def progress(self, items: Iterable[T], total: int, label: str) -> Iterator[T]:
        """Yield items, drawing a progress bar on stderr when it is a terminal (and not for --json)."""
        draw = sys.stderr.isatty() and total > 1
        for done, item in enumerate(items, start=1):
            yield item
            if draw:
                width = 30
                filled = width * done // total
                sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                sys.stderr.flush()
        if draw:
            sys.stderr.write("\n")
