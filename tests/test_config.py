"""Config mistakes as a user meets them: any command stops with one line naming the key, exit 2."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("config, message", [
    ("[content]\ndraft_dir = 'drafts'\n", "unknown key [content] draft_dir (allowed: "),
    ("[colours]\nred = 1\n", "unknown section [colours]"),
    ("[review]\ndue_days = 'three'\n", "[review] due_days must be a whole number from 0 to 3650 (got 'three')"),
    ("[google]\nrequest_timeout_seconds = inf\n",
     "[google] request_timeout_seconds must be a number of seconds above 0 and at most 3600 (got inf)"),
    ("[google]\nretry_base_seconds = nan\n", "[google] retry_base_seconds must be a number of seconds above 0"),
    ("[google]\nmax_retries = 1000000000\n", "[google] max_retries must be a whole number from 0 to 20"),
    ("[schedule]\nstop_timeout_seconds = 1e300\n", "[schedule] stop_timeout_seconds must be a number of seconds"),
    ("[review]\nnotify = 'yes'\n", "[review] notify must be true or false"),
    ("[review]\nrole = 'owner'\n", "[review] role must be one of reader, commenter, writer (got 'owner')"),
    ("[schedule]\nexport = 'every tuesday'\n", "[schedule] export must be a crontab string of 5 fields"),
    ("[schedule]\nassign = '61 * * * *'\n", "[schedule] assign is not a valid crontab string"),
    ("[[writers]]\nname = 'sam'\nemail = 'sam@example.com'\ncapacity = 0\n",
     "[[writers]] #1: capacity must be a whole number from 1 to 1000 (got 0)"),
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


@pytest.mark.parametrize("url", [
    "https://hooks.slack.com/services/T0/B0/SECRETPATH\\u001b]0;owned\\u0007",
    "https://hooks.slack.com/services/T0/B0/SECRET PATH",
    "ftp://hooks.slack.com/services/T0/B0/SECRETPATH",
    "https:///services/T0/B0/SECRETPATH",
    "https://hooks.slack.com:http/services/T0/B0/SECRETPATH",
])
def test_a_bad_webhook_url_is_refused_at_load_without_showing_its_secret_path(site, cli, url):
    site.write_config(f'[review]\nwebhook_url = "{url}"\n')
    result = cli("reviews")
    assert result.code == 2
    assert "[review] webhook_url must be an http:// or https:// URL with a host" in result.error_line
    assert "SECRET" not in result.err
