"""Shared fixtures: a temporary site (a blog checkout with its config) and the CLI run as a user runs it."""

from __future__ import annotations

import contextlib
import os
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from workflow.cli import main

HERE = Path(__file__).parent
SAMPLES = HERE / "data" / "samples"  # copies of ../shared/samples

pytest_plugins = ["sandbox_fixtures", "site_fixtures"]

# On CI the generated examples are the same on every run, so a red build is a change, not a new draw;
# local runs (and bench/lifecycle_soak.py) keep drawing new ones and remember what failed.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def error_line(self) -> str:
        """The one line a user error prints (`workflow: error: …`), checking it is one line, no traceback."""
        assert "Traceback" not in self.err
        lines = self.err.strip().splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("workflow: error: ")
        return lines[0]

    @property
    def json(self):
        import json

        return json.loads(self.out)


class Site:
    """A blog checkout in a temporary folder: config/workflow.toml, posts/, drafts/."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.posts = root / "posts"
        self.drafts = root / "drafts"
        self.posts.mkdir()
        self.drafts.mkdir()
        (root / "config").mkdir()
        self.write_config("")

    def write_config(self, extra: str) -> Path:
        path = self.root / "config" / "workflow.toml"
        path.write_text(textwrap.dedent(extra), encoding="utf-8")
        return path

    def post(self, name: str, text: str) -> Path:
        path = self.posts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path


@pytest.fixture
def site(tmp_path, monkeypatch) -> Site:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.delenv("WORKFLOW_CONFIG", raising=False)
    return Site(root)


@pytest.fixture
def cli(capsys):
    """Run `workflow ARGS...` in this process; returns exit code, stdout and stderr."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, usage errors
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def samples() -> Path:
    return SAMPLES


def pg_url() -> str | None:
    """The PostgreSQL server for multi-worker tests (`.ci/run` starts one and sets this)."""
    return os.environ.get("WORKFLOW_TEST_PG_URL")


@contextlib.contextmanager
def fresh_pg_database():
    """A PostgreSQL database of its own on the test server (its SQLAlchemy URL), dropped afterwards."""
    server = pg_url()
    if not server:
        pytest.skip("WORKFLOW_TEST_PG_URL is not set")
    import psycopg
    from sqlalchemy.engine import make_url

    server_url = make_url(server)
    admin = server_url.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"wf_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def state_url(request, site):
    """The store of the site: an SQLite file, or a database of its own on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{site.root}/.workflow/state.db"
        return
    with fresh_pg_database() as url:
        yield url
