"""Config mistakes as a user meets them: any command stops with one line naming the key, exit 2."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("config, message", [
    ("[content]\ndraft_dir = 'drafts'\n", "unknown key [content] draft_dir (allowed: "),
    ("[colours]\nred = 1\n", "unknown section [colours]"),
    ("[review]\ndue_days = 'three'\n", "[review] due_days must be a whole number of at least 0"),
    ("[review]\nnotify = 'yes'\n", "[review] notify must be true or false"),
    ("[review]\nrole = 'owner'\n", "[review] role must be one of reader, commenter, writer (got 'owner')"),
    ("[schedule]\nexport = 'every tuesday'\n", "[schedule] export must be a crontab string of 5 fields"),
    ("[schedule]\nassign = '61 * * * *'\n", "[schedule] assign is not a valid crontab string"),
    ("[[writers]]\nname = 'sam'\nemail = 'sam@example.com'\ncapacity = 0\n",
     "[[writers]] #1: capacity must be a whole number of at least 1"),
    ("[[writers]]\nname = 'sam'\nemail = 'sam@example.com'\nteam = 'a'\n", "[[writers]] #1: unknown key team"),
    ("[[writers]]\nname = 'sam'\n", "[[writers]] #1: email is required"),
    ("[content\n", "not valid TOML"),
])
def test_bad_config_stops_every_command_with_one_line(site, cli, config, message):
    site.write_config(config)
    for command in (["topics", "list"], ["assign"]):
        result = cli(*command)
        assert result.code == 2, (command, result.out)
        assert result.err.startswith("workflow: error: ") and result.err.count("\n") == 1
        assert message in result.err
        assert "workflow.toml" in result.err
    assert not (site.root / ".workflow").exists()  # nothing was created


def test_missing_config_named_with_option(site, cli):
    result = cli("--config", "elsewhere.toml", "topics", "list")
    assert result.code == 2 and "elsewhere.toml: config file not found" in result.err
