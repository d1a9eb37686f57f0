"""The multipart/mixed envelope of `POST /batch/drive/v3`, as BatchHttpRequest sends it."""

from __future__ import annotations

import email.parser
import email.policy
import secrets
from dataclasses import dataclass
from http import HTTPStatus

from .exceptions import ApiError

MAX_PARTS = 100


@dataclass
class BatchPart:
    content_id: str
    http_method: str
    target: str                  # path and query, e.g. "/drive/v3/files/x/permissions?alt=json"
    headers: dict[str, str]      # lower-cased names
    body: bytes


def parse_batch(content_type: str, payload: bytes) -> list[BatchPart]:
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + payload)
    if not message.is_multipart():
        raise ApiError(400, "A batch request must be multipart/mixed.")
    parts = message.get_payload()
    if len(parts) > MAX_PARTS:
        raise ApiError(400, f"A batch request cannot contain more than {MAX_PARTS} requests.",
                       reason="batchSizeTooLarge")
    parsed = []
    for part in parts:
        raw = part.get_payload(decode=False)
        if isinstance(raw, list):
            raise ApiError(400, "A batch part must be one application/http request.")
        head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
        lines = head.split("\n")
        try:
            http_method, target, _version = lines[0].split(" ", 2)
        except ValueError:
            raise ApiError(400, f"Malformed request line in batch part: {lines[0]!r}") from None
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parsed.append(BatchPart(content_id=(part.get("Content-ID") or "").strip(),
                                http_method=http_method.upper(), target=target, headers=headers,
                                body=body.encode("utf-8")))
    return parsed


def _response_id(content_id: str) -> str:
    inner = content_id[1:-1] if content_id.startswith("<") and content_id.endswith(">") else content_id
    return f"<response-{inner}>"


def serialize_batch(answers: list[tuple[BatchPart, int, str, bytes]]) -> tuple[str, bytes]:
    """(content type, body) of the multipart answer: one application/http part per call."""
    boundary = "batch_" + secrets.token_hex(12)
    chunks = []
    for part, status, content_type, payload in answers:
        reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        chunks.append(
            f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: {_response_id(part.content_id)}"
            f"\r\n\r\nHTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return f"multipart/mixed; boundary={boundary}", b"".join(chunks)
