"""The sandbox as a process: persistence across restarts and `workflow sandbox serve`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request

from workflow.sandbox import start

from sandbox_fixtures import app_clients, control, reviewer_clients

DOC = "application/vnd.google-apps.document"


def test_state_survives_a_restart(tmp_path):
    data = tmp_path / "state"
    first = start(data)
    try:
        drive, docs = app_clients(first, tmp_path)
        created = drive.files().create(body={"name": "Kept", "mimeType": DOC,
                                             "appProperties": {"postId": "p1"}}, fields="id").execute()
        docs.documents().batchUpdate(documentId=created["id"], body={
            "requests": [{"insertText": {"location": {"index": 1}, "text": "persisted text"}}]}).execute()
        drive.comments().create(fileId=created["id"], fields="id", body={"content": "remember me"}).execute()
        reviewer_token = first.user_token("rev@example.com")
    finally:
        first.stop()
    assert not list(data.rglob("*.tmp"))
    second = start(data)
    try:
        drive, docs = app_clients(second, tmp_path)   # a new key of the same service account
        found = drive.files().list(q="appProperties has { key='postId' and value='p1' }",
                                   fields="files(id,name)").execute()["files"]
        assert found == [{"id": created["id"], "name": "Kept"}]
        text = drive.files().export(fileId=created["id"], mimeType="text/plain").execute().decode()
        assert "persisted text" in text
        comments = drive.comments().list(fileId=created["id"], fields="comments(content)").execute()
        assert comments["comments"] == [{"content": "remember me"}]
        request = urllib.request.Request(second.url + "drive/v3/files",
                                         headers={"Authorization": f"Bearer {reviewer_token}"})
        with urllib.request.urlopen(request, timeout=10) as response:   # tokens survive too
            assert response.status == 200
    finally:
        second.stop()


def test_reset_forgets_everything(sandbox, drive):
    drive.files().create(body={"name": "gone", "mimeType": "application/vnd.google-apps.folder"}).execute()
    assert control(sandbox, "POST", "reset") == {"reset": True}
    with urllib.request.urlopen(sandbox.url + "_sandbox/requests", timeout=10) as response:
        assert json.loads(response.read()) == []
    owner, _docs = reviewer_clients(sandbox, "owner@example.com")
    assert owner.files().list().execute()["files"] == []


def test_cli_serve_prints_its_url_and_stops_cleanly_on_ctrl_c(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "workflow", "sandbox", "serve", "--port", "0", "--data", str(tmp_path / "d")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        line = process.stdout.readline()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert os.path.isdir(tmp_path / "d" / "files")
