"""Injected faults: what the client sees, and that execute(num_retries=...) rides them out."""

from __future__ import annotations

import time

import httplib2
import pytest
from googleapiclient import http as googleapiclient_http
from googleapiclient.errors import HttpError

from sandbox_fixtures import control

FOLDER = "application/vnd.google-apps.folder"


@pytest.fixture
def no_backoff(monkeypatch):
    """Keep retries fast: the client's own backoff sleeps, not the client, are replaced."""
    monkeypatch.setattr(googleapiclient_http.time, "sleep", lambda seconds: None)


def _arm(sandbox, **fault):
    return control(sandbox, "POST", "faults", fault)


def _calls(sandbox, method_id):
    return [r for r in control(sandbox, "GET", "requests") if r["method"] == method_id]


def test_request_log_shape(sandbox, drive):
    drive.files().list().execute()
    assert _calls(sandbox, "drive.files.list") == [
        {"method": "drive.files.list", "http": "GET", "path": "/drive/v3/files", "status": 200}]


def test_status_fault_answers_without_applying(sandbox, drive):
    _arm(sandbox, method="drive.files.create", kind="status", status=500)
    with pytest.raises(HttpError) as caught:
        drive.files().create(body={"name": "x", "mimeType": FOLDER}).execute()
    assert caught.value.status_code == 500
    assert drive.files().list().execute()["files"] == []


def test_retries_survive_503s_and_rate_limits(sandbox, drive, no_backoff):
    _arm(sandbox, method="drive.files.list", kind="status", status=503, times=3)
    _arm(sandbox, method="drive.files.list", kind="rate_limit", times=2)
    assert drive.files().list().execute(num_retries=5)["files"] == []
    assert [r["status"] for r in _calls(sandbox, "drive.files.list")] == [503, 503, 503, 403, 403, 200]


def test_rate_limit_fault_is_a_403_user_rate_limit(sandbox, drive):
    _arm(sandbox, method="drive.files.list", kind="rate_limit")
    with pytest.raises(HttpError) as caught:
        drive.files().list().execute()
    assert caught.value.status_code == 403
    assert caught.value.error_details[0]["reason"] == "userRateLimitExceeded"


def test_429_fault(sandbox, docs):
    _arm(sandbox, method="docs.documents.get", kind="status", status=429)
    with pytest.raises(HttpError) as caught:
        docs.documents().get(documentId="anything").execute()
    assert caught.value.status_code == 429


def test_delay_fault(sandbox, drive):
    _arm(sandbox, method="drive.files.list", kind="delay", seconds=0.5)
    started = time.monotonic()
    drive.files().list().execute()
    assert time.monotonic() - started >= 0.5


def test_drop_fault_closes_the_connection(sandbox, drive):
    # httplib2 silently reconnects once on a dropped connection, so drop twice.
    _arm(sandbox, method="drive.files.list", kind="drop", times=2)
    with pytest.raises((ConnectionError, httplib2.HttpLib2Error, OSError)):
        drive.files().list().execute()
    assert [r["status"] for r in _calls(sandbox, "drive.files.list")] == [None, None]


def test_commit_then_fail_makes_a_naive_retry_create_two_files(sandbox, drive, no_backoff):
    _arm(sandbox, method="drive.files.create", kind="commit_then_fail")
    drive.files().create(body={"name": "post", "mimeType": FOLDER}).execute(num_retries=2)
    names = [f["name"] for f in drive.files().list(q="name = 'post'").execute()["files"]]
    assert names == ["post", "post"]


def test_faults_can_be_listed_and_cleared(sandbox, drive):
    _arm(sandbox, method="drive.files.list", kind="status", status=503, times=4)
    assert control(sandbox, "GET", "faults")[0]["times"] == 4
    control(sandbox, "DELETE", "faults")
    assert drive.files().list().execute()["files"] == []


def test_bad_fault_is_refused(sandbox):
    import urllib.error
    with pytest.raises(urllib.error.HTTPError) as caught:
        _arm(sandbox, method="drive.files.nope", kind="status")
    assert caught.value.code == 400
