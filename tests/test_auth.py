"""`workflow auth check|login` and the credential files behind every command that talks to Google."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from google.oauth2 import credentials as user_credentials
from sandbox_fixtures import APP_SCOPES, OWNER, SERVICE_ACCOUNT

from workflow.google.credentials import save_user_credentials

CHECK_KEYS = {"endpoint", "acting_as", "token", "review_folder", "review_folder_reachable"}


def set_google_option(google_site, line: str) -> None:
    """Add one line to the [google] table of the site's config."""
    path = google_site.site.root / "config" / "workflow.toml"
    path.write_text(path.read_text().replace("[google]\n", f"[google]\n{line}\n", 1))


# --- auth check --------------------------------------------------------------------------------

def test_check_says_who_the_worker_acts_as(google_site, cli):
    result = cli("auth", "check")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines == [
        f"Endpoint:  the sandbox at {google_site.sandbox.url}",
        f"Acting as: {OWNER} (through {SERVICE_ACCOUNT})",
        "Token:     ok",
        "Review folder: not created yet; the first export creates it",
    ]
    assert [c["method"] for c in google_site.requests()] == ["oauth2.token"]


def test_check_json_before_and_after_the_first_export_made_the_review_folder(google_site, cli):
    before = cli("auth", "check", "--json")
    assert before.code == 0
    assert before.json == {"endpoint": f"the sandbox at {google_site.sandbox.url}",
                           "acting_as": f"{OWNER} (through {SERVICE_ACCOUNT})", "token": "ok",
                           "review_folder": None, "review_folder_reachable": None}

    google_site.site.post("first.md", "# First\n\nText.\n")
    assert cli("export").code == 0
    after = cli("auth", "check", "--json")

    assert after.code == 0
    assert set(after.json) == CHECK_KEYS
    assert after.json["review_folder"] and after.json["review_folder_reachable"] is True
    folder = google_site.owner()[0].files().get(fileId=after.json["review_folder"], fields="name,mimeType").execute()
    assert folder["mimeType"] == "application/vnd.google-apps.folder"
    text = cli("auth", "check").out
    assert f"Review folder: {after.json['review_folder']} (reachable)" in text


def test_check_fails_when_the_configured_review_folder_is_not_reachable(google_site, cli):
    set_google_option(google_site, 'review_folder_id = "nope"')

    result = cli("auth", "check", "--json")

    assert result.code == 1
    assert result.json["review_folder"] == "nope"
    assert result.json["review_folder_reachable"] is False
    assert "Review folder: nope (NOT reachable)" in cli("auth", "check").out


def test_check_reports_a_refused_token(google_site, cli):
    # A key of a service account the sandbox does not know: the token exchange is refused.
    key = json.loads(google_site.key.read_text())
    key["client_email"] = "deleted@sandbox-project.iam.gserviceaccount.com"
    google_site.key.write_text(json.dumps(key))

    result = cli("auth", "check", "--json")

    assert result.code == 1
    assert result.json["token"] == "refused: invalid_grant: Invalid grant: account not found"
    assert "Token:     refused: invalid_grant: Invalid grant: account not found\n" in cli("auth", "check").out


# --- credential files --------------------------------------------------------------------------

def test_key_readable_by_others_is_refused_without_showing_it(google_site, cli):
    os.chmod(google_site.key, 0o644)

    result = cli("auth", "check")

    assert result.code == 2 and result.out == ""
    line = result.error_line
    assert f"chmod 600 {google_site.key}" in line and "mode 644" in line
    assert "PRIVATE KEY" not in result.err and "private_key" not in result.err


def test_key_group_readable_is_refused_for_export_too(google_site, cli):
    os.chmod(google_site.key, 0o640)
    google_site.site.post("first.md", "# First\n\nText.\n")

    result = cli("export")

    assert result.code == 2
    assert "chmod 600" in result.error_line
    assert google_site.api_calls() == []


def test_missing_key_file_is_an_error(google_site, cli):
    google_site.key.unlink()
    result = cli("auth", "check")
    assert result.code == 2
    assert result.error_line == f"workflow: error: {google_site.key}: credentials file not found"


@pytest.mark.parametrize("content", [
    '{"installed": {"client_id": "x"}}',                       # an OAuth client file, not a key
    '["not", "an", "object"]',
    "not JSON at all",
], ids=["oauth-client", "json-list", "not-json"])
def test_file_that_is_not_a_key_is_an_error(google_site, cli, content):
    google_site.key.write_text(content)
    result = cli("auth", "check")
    assert result.code == 2
    assert result.error_line.startswith(f"workflow: error: {google_site.key}: not a ")


def test_incomplete_key_is_an_error_that_does_not_show_the_key(google_site, cli):
    key = json.loads(google_site.key.read_text())
    key["private_key"] = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
    google_site.key.write_text(json.dumps(key))

    result = cli("auth", "check")

    assert result.code == 2
    line = result.error_line
    assert "service-account key is incomplete" in line
    assert "PRIVATE KEY" not in line and "MIIEvQ" not in line


def test_in_process_sandbox_takes_no_key(google_site, cli):
    set_google_option(google_site, 'endpoint = "sandbox"')
    path = google_site.site.root / "config" / "workflow.toml"
    text = path.read_text()
    path.write_text(text.replace(f'endpoint = "{google_site.sandbox.url}"\n', "", 1))

    result = cli("auth", "check")

    assert result.code == 2
    assert result.error_line.startswith('workflow: error: [google] endpoint = "sandbox" runs its own sandbox')


def test_no_credentials_and_no_application_default_credentials(site, tmp_path):
    """endpoint = "google" with no key and no ADC: a clear line, and nothing tried over the network."""
    site.write_config('[google]\nendpoint = "google"\n')
    home = tmp_path / "home"
    home.mkdir()
    env = {name: value for name, value in os.environ.items()
           if name not in ("GOOGLE_APPLICATION_CREDENTIALS", "WORKFLOW_CONFIG", "CLOUDSDK_CONFIG")}
    env.update(HOME=str(home), CLOUDSDK_CONFIG=str(home / "gcloud"), NO_GCE_CHECK="true",
               GCE_METADATA_HOST="127.0.0.1:9", GCE_METADATA_IP="127.0.0.1:9")

    result = subprocess.run([sys.executable, "-m", "workflow", "auth", "check"], cwd=site.root, env=env,
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        "workflow: error: no Google credentials: set [google] credentials to a service-account key or run "
        "`workflow auth login` (or use --sandbox to try everything locally)")


# --- a saved user login (what `auth login` writes) ----------------------------------------------

def saved_login(google_site, email: str = "writer@example.com"):
    """A login of `email` into the app, saved as `auth login` saves it, over a world-readable old file."""
    info = google_site.sandbox.user_credentials(email, APP_SCOPES)
    creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=APP_SCOPES)
    path = google_site.site.root / "login.json"
    path.write_text("{}")
    os.chmod(path, 0o644)
    save_user_credentials(creds.with_token_uri(info["token_uri"]), path)
    return path


def test_saved_login_is_private_and_the_worker_acts_as_that_user(google_site, cli):
    path = saved_login(google_site)
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())["refresh_token"]
    google_site.site.write_config(f"""
        [google]
        endpoint = "{google_site.sandbox.url}"
        credentials = "login.json"
        """)

    result = cli("auth", "check", "--json")

    assert result.code == 0, result.err
    assert result.json["acting_as"] == "writer@example.com" and result.json["token"] == "ok"
    assert "refresh_token" not in result.out and "GOCSPX" not in result.out


def test_subject_with_a_user_login_is_an_error(google_site, cli):
    saved_login(google_site)
    google_site.site.write_config(f"""
        [google]
        endpoint = "{google_site.sandbox.url}"
        credentials = "login.json"
        subject = "{OWNER}"
        """)
    result = cli("auth", "check")
    assert result.code == 2
    assert "subject works only with a service-account key" in result.error_line


def test_a_revoked_login_is_one_line_saying_to_log_in_again_for_every_command(google_site, cli):
    path = saved_login(google_site)
    info = json.loads(path.read_text())
    path.write_text(json.dumps(dict(info, refresh_token="1//revoked-by-the-user")))  # revoked in their account
    google_site.site.write_config(f"""
        [google]
        endpoint = "{google_site.sandbox.url}"
        credentials = "login.json"
        retry_base_seconds = 0.01
        review_folder_id = "the-review-folder"
        """)
    google_site.site.post("first.md", "# First\n\nText.\n")

    for command in (["export"], ["reviews", "--sync"], ["run", "--once", "--json"]):
        result = cli(*command)
        if command[0] == "run":  # the service records the job's failure in one line, and goes on
            [job] = [job for job in result.json["jobs"] if job["job"] == "export"]
            line = job["error"]
        else:
            assert result.code == 2, (command, result.err)
            line = result.error_line
        assert "Google refused the credentials (invalid_grant: Token has been expired or revoked.)" in line
        assert line.endswith(f"the saved login in {path} was revoked or has expired: run `workflow auth login` again")
        assert "refresh_token" not in result.err and "revoked-by-the-user" not in result.err + result.out


def test_google_application_credentials_must_be_private_too(google_site, cli, monkeypatch):
    google_site.site.write_config(f"""
        [google]
        endpoint = "{google_site.sandbox.url}"
        subject = "{OWNER}"
        """)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(google_site.key))
    os.chmod(google_site.key, 0o644)

    refused = cli("auth", "check")

    assert refused.code == 2
    assert refused.error_line == (f"workflow: error: {google_site.key} (GOOGLE_APPLICATION_CREDENTIALS): credentials "
                                  f"file is accessible by other users (mode 644); run: chmod 600 {google_site.key}")
    assert google_site.requests() == []  # not even a token exchange
    os.chmod(google_site.key, 0o600)
    assert cli("auth", "check").code == 0


# --- auth login --------------------------------------------------------------------------------

def test_login_with_a_missing_client_file_is_an_error(google_site, cli):
    result = cli("auth", "login", "--client-secrets", "missing.json", "--out", "login.json")
    assert result.code == 2
    assert result.error_line == "workflow: error: missing.json: no such file"
    assert not (google_site.site.root / "login.json").exists()


def test_login_with_a_file_that_is_not_an_oauth_client_is_an_error(google_site, cli):
    (google_site.site.root / "client.json").write_text('{"web": {}}')
    result = cli("auth", "login", "--client-secrets", "client.json", "--out", "login.json")
    assert result.code == 2
    assert result.error_line.startswith("workflow: error: client.json: not an OAuth client file")


def test_login_needs_somewhere_to_save(site, cli):
    (site.root / "client.json").write_text('{"installed": {}}')
    result = cli("auth", "login", "--client-secrets", "client.json")
    assert result.code == 2
    assert "--out PATH" in result.error_line


# --- tokens never reach the logs ---------------------------------------------------------------

def test_verbose_export_and_check_never_log_a_token_or_the_key(google_site, cli):
    google_site.site.post("first.md", "# First\n\nText.\n")
    google_site.site.post("second.md", "# Second\n\nMore text.\n")

    results = [cli("export", "-v"), cli("auth", "check", "-v"), cli("export", "-v", "--log-format", "json")]

    assert [r.code for r in results] == [0, 0, 0]
    logged = "".join(r.err + r.out for r in results)
    assert "DEBUG" in results[0].err or '"level": "debug"' in results[2].err   # -v did log
    tokens = list(google_site.sandbox.state.auth.access_tokens)
    assert tokens and all(token.startswith("ya29.") for token in tokens)
    assert not [token for token in tokens if token in logged]
    assert "ya29" not in logged and "bearer " not in logged.lower()
    key = json.loads(google_site.key.read_text())
    assert "PRIVATE KEY" not in logged and key["private_key_id"] not in logged
    assert "assertion=" not in logged and "eyJ" not in logged
