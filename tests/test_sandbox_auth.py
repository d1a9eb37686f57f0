"""The sandbox's token endpoint and its checks on every call: who may call, with which scopes."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from google.auth import exceptions as auth_exceptions
from google.oauth2 import service_account
from googleapiclient.errors import HttpError

from sandbox_fixtures import (APP_SCOPES, OWNER, SCOPE, app_clients, build_clients, reviewer_clients,
                              user_app_clients, write_key_file)

FOLDER = "application/vnd.google-apps.folder"


def _raw(sandbox, method, path, body=None, headers=None):
    request = urllib.request.Request(sandbox.url + path, method=method, headers=headers or {},
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_call_without_token_is_401_in_googles_shape(sandbox):
    status, body = _raw(sandbox, "GET", "drive/v3/files")
    assert status == 401
    assert body["error"]["status"] == "UNAUTHENTICATED"
    assert body["error"]["errors"][0]["reason"] == "required"


def test_call_with_unknown_token_is_401(sandbox):
    status, body = _raw(sandbox, "GET", "drive/v3/files", headers={"Authorization": "Bearer ya29.forged"})
    assert status == 401
    assert body["error"]["errors"][0]["reason"] == "authError"


def test_missing_scope_is_403_insufficient_permissions(sandbox, tmp_path):
    drive, docs = app_clients(sandbox, tmp_path, scopes=[SCOPE + "drive.readonly"])
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"name": "x", "mimeType": FOLDER}).execute()
    assert caught.value.status_code == 403
    assert caught.value.error_details[0]["reason"] == "insufficientPermissions"
    with pytest.raises(HttpError) as caught:
        docs.documents().create(body={"title": "x"}).execute()
    assert caught.value.status_code == 403


def test_service_account_acts_as_itself_without_storage_quota(sandbox, tmp_path):
    drive, _docs = app_clients(sandbox, tmp_path, subject=None)
    folder = drive.files().create(body={"name": "f", "mimeType": FOLDER}, fields="id,owners").execute()
    assert folder["owners"][0]["emailAddress"].endswith("iam.gserviceaccount.com")
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"name": "doc", "mimeType": "application/vnd.google-apps.document"}).execute()
    assert caught.value.error_details[0]["reason"] == "storageQuotaExceeded"


def test_domain_wide_delegation_acts_as_the_subject(sandbox, tmp_path):
    drive, _docs = app_clients(sandbox, tmp_path, subject=OWNER)
    folder = drive.files().create(body={"name": "f", "mimeType": FOLDER}, fields="owners,ownedByMe").execute()
    assert folder["owners"][0]["emailAddress"] == OWNER
    assert folder["ownedByMe"] is True


def test_jwt_signed_by_an_unregistered_key_is_refused(sandbox, tmp_path):
    key = json.loads(write_key_file(sandbox, tmp_path).read_text())
    other = sandbox.service_account_key(email="other@sandbox-project.iam.gserviceaccount.com")
    forged = dict(key, private_key=other["private_key"], private_key_id=other["private_key_id"])
    credentials = service_account.Credentials.from_service_account_info(forged, scopes=APP_SCOPES)
    drive, _docs = build_clients(sandbox, credentials)
    with pytest.raises(auth_exceptions.RefreshError, match="Invalid JWT Signature"):
        drive.files().list().execute()


def test_token_endpoint_rejects_unknown_scope_and_grant(sandbox, tmp_path):
    credentials = service_account.Credentials.from_service_account_file(
        str(write_key_file(sandbox, tmp_path)), scopes=[SCOPE + "not-a-scope"])
    drive, _docs = build_clients(sandbox, credentials)
    with pytest.raises(auth_exceptions.RefreshError, match="invalid_scope"):
        drive.files().list().execute()
    form = urllib.parse.urlencode({"grant_type": "password"}).encode()
    request = urllib.request.Request(sandbox.url + "token", data=form, method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert json.loads(caught.value.read())["error"] == "unsupported_grant_type"


def test_refresh_token_credentials_of_an_installed_app(sandbox):
    drive, _docs = user_app_clients(sandbox, "writer@example.com")
    created = drive.files().create(body={"name": "mine", "mimeType": FOLDER}, fields="id,owners").execute()
    assert created["owners"][0]["emailAddress"] == "writer@example.com"


def test_refresh_with_wrong_client_secret_fails(sandbox):
    from google.oauth2.credentials import Credentials

    info = sandbox.user_credentials("writer@example.com", APP_SCOPES)
    credentials = Credentials.from_authorized_user_info(dict(info, client_secret="wrong"))
    credentials = credentials.with_token_uri(info["token_uri"])
    drive, _docs = build_clients(sandbox, credentials)
    with pytest.raises(auth_exceptions.RefreshError, match="invalid_client"):
        drive.files().list().execute()


def test_user_control_token_acts_in_googles_editor(sandbox):
    drive, _docs = reviewer_clients(sandbox, "person@example.com")
    folder = drive.files().create(body={"name": "by hand", "mimeType": FOLDER},
                                  fields="owners,isAppAuthorized").execute()
    assert folder["owners"][0]["emailAddress"] == "person@example.com"
    assert folder["isAppAuthorized"] is False
