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
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, TypeVar

from workflow.config import Config, default_config_path, load_config
from workflow.errors import UserError
from workflow.terminal import printable, status_line

if TYPE_CHECKING:
    from workflow.google.links import DocLinks

T = TypeVar("T")

# What json.dumps(ensure_ascii=False) leaves raw: DEL and the C1 controls (it escapes C0 itself).
_RAW_IN_JSON = re.compile("[\x7f-\x9f]")


class Context:
    """Built once per command; loads the config and opens the store only when a command asks."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.json = bool(getattr(args, "json", False))
        self._config: Config | None = None
        self._site_found = False
        self._store = None

    @property
    def config(self) -> Config:
        """The site's config; UserError when the current folder is not a site (so that no state is
        created in a folder that merely happens to be the current one)."""
        config = self.config_if_any()
        if not self._site_found:
            raise UserError(
                f"{config.root} does not look like a site (no config/workflow.toml, no posts/ folder): run "
                "workflow from the blog's folder, or name its config with --config PATH or WORKFLOW_CONFIG")
        return config

    def config_if_any(self) -> Config:
        """The site's config, or every key at its default outside a site (for commands that keep no
        state: `preview` of any file, `sandbox serve`)."""
        if self._config is None:
            cwd = Path.cwd()
            path = self.args.config or default_config_path(cwd)
            config = load_config(path)
            if self.args.sandbox:
                google = dict(config.sections["google"], endpoint="sandbox", credentials=None)
                config = replace(config, sections=dict(config.sections, google=google))
            self._site_found = path is not None or config.posts_dir.is_dir()
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

    def progress(self, items: Iterable[T], total: int, label: str, *, unit: str = "items",
                 name: Callable[[T], str] = str) -> Iterator[T]:
        """Yield items, showing on a terminal's stderr how far the work is: done / total, the item in
        hand and the rate (`export 12/50 · 2.4 posts/s · posts/a.md`). Nothing for --json, for one
        item, or when stderr is not a terminal (a log file, a pipe, cron)."""
        stream = sys.stderr
        if self.json or total < 2 or not stream.isatty():
            yield from items
            return
        started = time.monotonic()
        try:
            for done, item in enumerate(items):
                elapsed = time.monotonic() - started
                rate = f" · {done / elapsed:.1f} {unit}/s" if done and elapsed > 0 else ""
                status_line.show(stream, f"{label} {done}/{total}{rate} · {name(item)}")
                yield item
        finally:
            status_line.clear()


def say_viewer_hint(links: "DocLinks", ctx: Context) -> None:
    """After Doc links into a sandbox nobody serves now: how to open them."""
    if links.is_sandbox and not links.serving:
        ctx.say(f"These links open while the sandbox runs: `workflow sandbox serve` here serves them at {links.root}")
