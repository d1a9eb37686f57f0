"""The HTTP server: one root URL for Drive, Docs, the token endpoint, test controls and viewer.

Standard library only (ThreadingHTTPServer). Requests are parsed here, answered by
responses.py (API), auth.py (/token), controls.py (/_sandbox/) and viewer.py (HTML).

Before any of them runs, a request must name the sandbox in `Host` (hosts.py: no DNS
rebinding) and carry a body the server can frame: a plain decimal Content-Length within the
route's limit (urls.py), no chunked transfer. Anything else is answered with an error in
Google's shape and the connection is closed; no request ends without an answer.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import discovery, schema, urls, viewer
from .batch import parse_batch, serialize_batch
from .controls import check_caller, handle_control
from .exceptions import (ApiError, ControlError, OAuthError, control_bad_body, host_not_served,
                         invalid_body_encoding, length_required, malformed_header,
                         oauth_body_not_utf8, payload_too_large)
from .faults import fault_error
from .hosts import ServedNames
from .quirks import BATCH_MISSING
from .responses import Answer, Call, answer_call, error_answer, supported
from .state import SandboxState

_NOT_MUTATING = ("GET", "HEAD")


@dataclass
class Dropped:
    """The call's connection is closed without an answer (an injected "drop" fault)."""


class Refused(Exception):
    """A request answered with `error` before its body is read; the connection then closes."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


_DISCARD_LIMIT = 64 * 1024 * 1024   # of a refused body, read and dropped so the client sees the answer
_DISCARD_SECONDS = 2


def _api_error_for_unknown(http_method: str, path: str) -> ApiError:
    return ApiError(404, f"Method not found: {http_method} {path}", reason="notFound")


def process_api(state: SandboxState, http_method: str, path: str, query: dict[str, list[str]],
                headers: dict[str, str], payload: bytes) -> Answer | Dropped:
    """Answer one Drive/Docs call: route, faults, auth, checks, model, log, persistence."""
    matched = discovery.match(http_method, path.lstrip("/"))
    if matched is None:
        return error_answer(_api_error_for_unknown(http_method, path))
    method, path_params = matched
    path_params = {k: urllib.parse.unquote(v) for k, v in path_params.items()}
    if not supported(method.id):
        return _logged(state, method.id, http_method, path, error_answer(ApiError(
            501, f"{method.id} is not implemented by the sandbox.", reason="notImplemented",
            status="UNIMPLEMENTED")))
    with state.lock:
        fault = state.faults.take(method.id)
    if fault is not None and fault.kind == "delay":
        time.sleep(fault.seconds)
    elif fault is not None and fault.kind == "drop":
        with state.lock:
            state.requests.append({"method": method.id, "http": http_method, "path": path,
                                   "status": None})
        return Dropped()
    elif fault is not None and fault.kind in ("status", "rate_limit"):
        return _logged(state, method.id, http_method, path, error_answer(fault_error(fault)))
    with state.lock:
        try:
            principal = state.auth.authenticate(headers.get("authorization"),
                                                (query.get("access_token") or [None])[-1])
            params = schema.check_query(method, query)
            body = None
            if payload.strip():
                try:
                    body = json.loads(payload)
                except ValueError as error:
                    raise ApiError(400, f"Invalid JSON payload received. {error}.") from None
            answer = answer_call(state, Call(method, path_params, params, body, principal))
        except ApiError as error:
            answer = error_answer(error)
        except Exception:   # a sandbox bug: answer as Google's backend would, and say why
            traceback.print_exc()
            answer = error_answer(ApiError(500, "Internal error encountered (sandbox bug; see its "
                                                "stderr)."))
        if http_method not in _NOT_MUTATING:
            state.save()
        if fault is not None and fault.kind == "commit_then_fail":
            answer = error_answer(fault_error(fault))
        return _logged(state, method.id, http_method, path, answer)


def _logged(state: SandboxState, method_id: str, http_method: str, path: str, answer: Answer) -> Answer:
    with state.lock:
        state.requests.append({"method": method_id, "http": http_method, "path": path,
                               "status": answer.status})
    return answer


class _Handler(BaseHTTPRequestHandler):
    server_version = "GoogleSandbox/1.0"
    timeout = 60   # seconds a socket may stay silent (half a body, an idle keep-alive) before it closes

    def log_message(self, format: str, *args) -> None:   # quiet: the request log is /_sandbox/requests
        pass

    # --- framing: Host and body ------------------------------------------------------------

    def _check_host(self) -> None:
        hosts = self.headers.get_all("Host") or []
        names: ServedNames = self.server.served_names
        dialled = self.connection.getsockname()[0]
        if len(hosts) != 1 or not names.allows_host(hosts[0], dialled):
            raise Refused(host_not_served(hosts[0] if hosts else None, names.shown()))

    def _declared_length(self) -> int:
        """Content-Length as a number (0 when absent); Refused when it cannot frame a body."""
        if self.headers.get("Transfer-Encoding") is not None:
            raise Refused(length_required())
        values = {value.strip() for value in self.headers.get_all("Content-Length") or []}
        if not values:
            return 0
        text = values.pop()
        if values or not (text.isascii() and text.isdigit()):
            raise Refused(malformed_header("Content-Length", ", ".join(
                self.headers.get_all("Content-Length"))))
        return int(text)

    def _read_body(self, path: str) -> bytes:
        length = self._declared_length()
        limit = urls.max_body(path)
        if length > limit:
            raise Refused(payload_too_large(limit))
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise ConnectionResetError("the client closed the connection inside the body")
        return body

    def _refuse(self, refused: Refused) -> None:
        """Answer `refused`, then read and drop what the client may still be sending of its body
        (closing with unread input would reset the connection before the client reads the answer)."""
        self.close_connection = True
        answer = error_answer(refused.error)
        self._send(answer.status, answer.payload(), answer.content_type,
                   dict(answer.headers, Connection="close"))
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(_DISCARD_SECONDS)
            remaining = self._unread_body_bound()
            while remaining > 0:
                chunk = self.rfile.read1(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass

    def _unread_body_bound(self) -> int:
        """How much of a refused request's body may still be on its way (none without a body)."""
        if self.headers.get("Transfer-Encoding") is None and self.headers.get("Content-Length") is None:
            return 0
        try:
            return min(max(int(self.headers["Content-Length"]), 0), _DISCARD_LIMIT)
        except (TypeError, ValueError):
            return _DISCARD_LIMIT

    # --- answers ---------------------------------------------------------------------------

    def _send(self, status: int, payload: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _send_json(self, status: int, data) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False, indent=1).encode(),
                   "application/json; charset=UTF-8")

    def _send_api_error(self, error: ApiError) -> None:
        answer = error_answer(error)
        self._send(answer.status, answer.payload(), answer.content_type, answer.headers)

    # --- dispatch --------------------------------------------------------------------------

    def _dispatch(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        try:
            self._check_host()
            payload = self._read_body(path)
        except Refused as refused:
            self._refuse(refused)
            return
        http_method = self.command
        override = self.headers.get("X-HTTP-Method-Override")
        if http_method == "POST" and override:
            http_method = override.upper()
            if http_method == "GET" and payload:
                # A long GET sent as POST: the query string travels in the body.
                try:
                    form = payload.decode("utf-8")
                except UnicodeDecodeError:
                    self._send_api_error(invalid_body_encoding())
                    return
                for name, values in urllib.parse.parse_qs(form, keep_blank_values=True).items():
                    query.setdefault(name, []).extend(values)
                payload = b""
        kind, variables = urls.route(http_method, path)
        if kind == urls.TOKEN:
            self._token(payload)
        elif kind == urls.CONTROL:
            self._control(http_method, variables["control"], payload)
        elif kind == urls.BATCH and not self.server_state.quirks.on(BATCH_MISSING):
            self._batch(payload)
        elif kind == urls.VIEW_INDEX:
            # The viewer needs no token: it is a local tool served on loopback by default.
            self._send(200, viewer.index_page(self.server_state).encode(), "text/html; charset=UTF-8")
        elif kind == urls.VIEW_DOCUMENT:
            status, page = viewer.document_page(self.server_state, variables["file_id"])
            self._send(status, page.encode(), "text/html; charset=UTF-8")
        else:
            headers = {name.lower(): value for name, value in self.headers.items()}
            answer = process_api(self.server_state, http_method, path, query, headers, payload)
            if isinstance(answer, Dropped):
                self.close_connection = True
                return
            self._send(answer.status, answer.payload(), answer.content_type, answer.headers)

    def _token(self, payload: bytes) -> None:
        state = self.server_state
        with state.lock:
            try:
                try:
                    text = payload.decode("utf-8")
                except UnicodeDecodeError:
                    raise oauth_body_not_utf8() from None
                form = {k: v[-1] for k, v in urllib.parse.parse_qs(text).items()}
                answer = state.auth.token(form)
                state.save()
                status = 200
            except OAuthError as error:
                answer, status = error.body(), error.code
            state.requests.append({"method": "oauth2.token", "http": "POST", "path": "/token",
                                   "status": status})
        self._send_json(status, answer)

    def _own_origin(self, origin: str) -> bool:
        return self.server.served_names.allows_origin(origin, self.connection.getsockname()[0])

    def _control(self, http_method: str, name: str, payload: bytes) -> None:
        try:
            check_caller(http_method, self.headers.get("Content-Type"), self.headers.get("Origin"),
                         self._own_origin)
            try:
                body = json.loads(payload) if payload.strip() else {}
            except ValueError:
                raise control_bad_body("body must be JSON") from None
            if not isinstance(body, dict):
                raise control_bad_body("body must be a JSON object")
            status, answer = handle_control(self.server_state, http_method, name, body)
        except ControlError as error:
            status, answer = error.code, error.body()
        self._send_json(status, answer)

    def _batch(self, payload: bytes) -> None:
        state = self.server_state
        try:
            parts = parse_batch(self.headers.get("Content-Type", ""), payload)
        except ApiError as error:
            self._send_api_error(error)
            return
        outer_auth = self.headers.get("Authorization")
        results = []
        for part in parts:
            target = urllib.parse.urlsplit(part.target)
            headers = dict(part.headers)
            if "authorization" not in headers and outer_auth:
                headers["authorization"] = outer_auth
            answer = process_api(state, part.http_method, target.path,
                                 urllib.parse.parse_qs(target.query, keep_blank_values=True),
                                 headers, part.body)
            if isinstance(answer, Dropped):   # inside a batch a drop loses that part's answer
                answer = error_answer(ApiError(503, "The service is currently unavailable."))
            results.append((part, answer.status, answer.content_type, answer.payload()))
        with state.lock:
            state.requests.append({"method": "batch", "http": "POST", "path": "/batch/drive/v3",
                                   "status": 200})
        content_type, body = serialize_batch(results)
        self._send(200, body, content_type)

    def _safely(self) -> None:
        try:
            self._dispatch()
        except (BrokenPipeError, ConnectionResetError, TimeoutError):   # the client left or fell silent
            self.close_connection = True
        except Exception:   # a sandbox bug: answer as Google's backend would, and say why
            traceback.print_exc()
            self.close_connection = True
            try:
                self._send_api_error(ApiError(500, "Internal error encountered (sandbox bug; see its "
                                                   "stderr)."))
            except OSError:
                pass

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _safely

    @property
    def server_state(self) -> SandboxState:
        return self.server.sandbox_state


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128   # listen backlog: a burst of connections waits instead of being reset
    served_names: ServedNames
    sandbox_state: SandboxState


class RunningSandbox:
    """A sandbox serving on a background thread; `url` is its root, `stop()` ends it."""

    def __init__(self, server: _Server, thread: threading.Thread, state: SandboxState) -> None:
        self._server = server
        self._thread = thread
        self.state = state
        self.url = state.base_url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        if self.state.store is not None:
            _release_data_dir(self.state.store.root)

    def service_account_key(self, email: str = "workflow@sandbox-project.iam.gserviceaccount.com") -> dict:
        """A complete service-account key JSON whose token_uri is this sandbox's /token."""
        with self.state.lock:
            key = self.state.auth.create_service_account(email, self.state.token_uri())
            self.state.save()
        return key

    def user_token(self, email: str) -> str:
        """A bearer token acting as `email` in Google's own editor (everything shared with them)."""
        with self.state.lock:
            token = self.state.auth.ui_token(email)
            self.state.save()
        return token

    def user_credentials(self, email: str, scopes: list[str], client_id: str | None = None) -> dict:
        """Authorized-user JSON (client_id, client_secret, refresh_token, token_uri) for an app."""
        with self.state.lock:
            credentials = self.state.auth.create_user_credentials(
                email, scopes, self.state.token_uri(), client_id=client_id)
            self.state.save()
        return credentials

    def reset(self) -> None:
        with self.state.lock:
            self.state.reset()

    def __enter__(self) -> "RunningSandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


SERVER_FILE = "server.json"  # in a data folder: who serves it ({"url", "pid"}), while they do


class SandboxInUse(RuntimeError):
    """The data folder is already served by another live process (two servers would overwrite each other)."""

    def __init__(self, data_dir: Path, url: str) -> None:
        super().__init__(f"the sandbox data in {data_dir} is already served at {url}")
        self.url = url


def served_url(data_dir: str | Path) -> str | None:
    """The URL of a live process serving `data_dir` (other than this one), or None."""
    try:
        info = json.loads((Path(data_dir) / SERVER_FILE).read_text(encoding="utf-8"))
        pid, url = int(info["pid"]), str(info["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid == os.getpid():
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return url


def _claim_data_dir(data_dir: Path, url: str) -> None:
    from .persistence import write_json_atomically

    write_json_atomically(data_dir / SERVER_FILE, {"url": url, "pid": os.getpid()})


def _release_data_dir(data_dir: Path) -> None:
    path = data_dir / SERVER_FILE
    try:
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def start(data_dir: str | Path | None = None, host: str = "127.0.0.1", port: int = 0,
          allowed_hosts: tuple[str, ...] = ()) -> RunningSandbox:
    """Serve a sandbox on host:port (0 = any free port); state under data_dir, or memory only.

    Requests must name it in `Host` (hosts.py); `allowed_hosts` adds names (a LAN alias).
    Raises SandboxInUse when another live process serves data_dir, OSError when the port is taken.
    """
    if data_dir is not None:
        url = served_url(data_dir)
        if url:
            raise SandboxInUse(Path(data_dir), url)
    server = _Server((host, port), _Handler)
    shown_host = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown_host}:{server.server_address[1]}/"
    server.served_names = ServedNames(host, server.server_address[1], tuple(allowed_hosts))
    server.sandbox_state = SandboxState(base_url, data_dir)
    if data_dir is not None:
        _claim_data_dir(Path(data_dir), base_url)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="google-sandbox", daemon=True)
    thread.start()
    return RunningSandbox(server, thread, server.sandbox_state)
