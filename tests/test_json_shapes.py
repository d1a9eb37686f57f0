"""Every `--json` output against the README's JSON table, on one site that has a bit of everything:
a Doc in review with a reviewer's comment, a post with a warning, queued and assigned topics, job
runs. The table is read as the README prints it (`readme_shapes`), not from the code."""

from __future__ import annotations

import argparse

from readme_shapes import Obj, mismatches, readme_table

from workflow.cli import build_parser

WRITERS = '[[writers]]\nname = "sam"\nemail = "sam@example.com"\ncapacity = 1\n'
SHEET = '[topics]\nsheet = true\neditors = ["editor@example.com"]\n'


def json_commands() -> set[tuple[str, ...]]:
    """Every command that takes --json, as its words (`("topics", "show")`)."""
    found = set()

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in parser._actions:
            if "--json" in action.option_strings:
                found.add(path)
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, path + (name,))

    walk(build_parser(), ())
    return found


def words(command: str) -> tuple[str, ...]:
    """A README command's sub-command words: `topics show ID --json` -> ("topics", "show")."""
    return tuple(w for w in command.split() if not w.startswith("-") and not w.isupper())


def every_object(shape, names):
    """Each object shape in a shape, through lists, alternatives and names."""
    seen = []

    def walk(node):
        if isinstance(node, Obj):
            seen.append(node)
            for value in node.keys.values():
                walk(value)
        for attr in ("item", "value"):
            if hasattr(node, attr) and not isinstance(getattr(node, attr), (str, type(None), bool, int)):
                walk(getattr(node, attr))
        for option in getattr(node, "options", []):
            walk(option)
        if type(node).__name__ == "Ref":
            walk(names[node.name])

    walk(shape)
    return seen


def test_the_readme_covers_every_json_command_and_names_one_thing_one_way():
    commands, names = readme_table()
    assert {words(c) for c in commands} == json_commands()
    for command, shape in commands.items():
        for obj in every_object(shape, names):
            if "doc_id" in obj.keys:  # a post's Doc: always post_id, path, doc_id, url
                assert {"post_id", "path", "doc_id", "url"} <= set(obj.keys), command
            assert not ({"id", "job"} <= set(obj.keys)), command
    [status_jobs] = [o for o in every_object(commands["status --json"], names) if "schedule" in o.keys]
    [run_jobs] = [o for o in every_object(commands["run --once --json"], names) if "worker" in o.keys and "seconds" in o.keys]
    assert "job" in status_jobs.keys and "job" in run_jobs.keys  # one name for a job in both


def test_every_json_output_has_the_readme_shape(google_site, cli):
    site = google_site.site
    google_site.configure(WRITERS + SHEET)
    (site.root / "ideas.txt").write_text("# ideas for December\nSmall rituals\nsmall rituals!\n", encoding="utf-8")
    doc_id = google_site.exported_with_comment(cli, "hello.md", "# Hello\n\nFirst line.\n", "Nice start", "First line")
    site.post("warned.md", "# Warned\n\n<div>raw html</div>\n\nText.\n")
    outputs = {}

    def run(readme_command: str, *args: str, code: int = 0) -> None:
        result = cli(*args)
        assert result.code == code, (args, result.err)
        outputs[readme_command] = result.json

    run("topics add TITLE --json", "topics", "add", "Quiet mornings", "--json")
    run("topics import FILE --json", "topics", "import", "ideas.txt", "--json")
    run("topics sync --json", "topics", "sync", "--json")        # the queue's Sheet, made on this first sync
    run("assign --json", "assign", "--json")                      # "Quiet mornings" goes to sam; the Sheet follows
    run("topics show ID --json", "topics", "show", "1", "--json")  # assigned: its assignment
    run("topics list --json", "topics", "list", "--all", "--json")
    run("export --json", "export", "--json")                      # warned.md, with its warning
    run("preview --json", "preview", "posts/warned.md", "--json")
    run("run --once --json", "run", "--once", "--job", "reviews", "--job", "assign", "--json")
    run("reviews --sync --json", "reviews", "--sync", "--json")
    run("reviews --json", "reviews", "--json")
    run("reviews comments POST --json", "reviews", "comments", "posts/hello.md", "--json")
    run("open POST --json", "open", "posts/hello.md", "--json")
    run("status --json", "status", "--json")
    run("doctor --json", "doctor", "--json")
    run("auth check --json", "auth", "check", "--json")

    commands, names = readme_table()
    assert set(outputs) == set(commands)
    for command, output in outputs.items():
        assert mismatches(output, commands[command], names) == [], command
    # What the outputs hold, beyond their shape.
    [warned] = [p for p in outputs["export --json"]["posts"] if p["path"] == "posts/warned.md"]
    assert warned["state"] == "created" and [w["line"] for w in warned["warnings"]] == [3]
    assert outputs["topics import FILE --json"]["comments"] == [1]
    assert outputs["topics add TITLE --json"]["assignment"] is None
    assert outputs["topics add TITLE --json"]["added_by"] is None and outputs["topics add TITLE --json"]["notes"] is None
    assert outputs["topics show ID --json"]["assignment"]["writer"] == "sam"
    assert outputs["open POST --json"]["url"] == f"{google_site.sandbox.url}document/d/{doc_id}/edit"
    [doc] = [d for d in outputs["status --json"]["docs"] if d["doc_id"] == doc_id]
    assert doc["path"] == "posts/hello.md" and doc["url"] == outputs["open POST --json"]["url"]
    assert outputs["reviews --json"]["sync"] is None and outputs["reviews --sync --json"]["sync"]["listed"] >= 1
    assert outputs["reviews comments POST --json"][0]["content"] == "Nice start"
