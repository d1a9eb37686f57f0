"""Errors in the shape Google's APIs answer with, one constructor per kind.

    {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT",
               "errors": [{"reason": "badRequest", "domain": "global", "message": "..."}]}}

The token endpoint answers OAuth's shape (`OAuthError`), the test controls under /_sandbox/
their own one-line shape (`ControlError`: {"error": "..."}).
"""

from __future__ import annotations

_STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    411: "INVALID_ARGUMENT",
    412: "FAILED_PRECONDITION",
    413: "INVALID_ARGUMENT",
    421: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

_REASON_BY_CODE = {
    400: "badRequest",
    401: "authError",
    403: "forbidden",
    404: "notFound",
    409: "conflict",
    411: "lengthRequired",
    412: "conditionNotMet",
    413: "requestTooLarge",
    421: "badRequest",
    429: "rateLimitExceeded",
    500: "backendError",
    503: "backendError",
}


class ApiError(Exception):
    """An error answer of a Google API; `body()` is its JSON.

    `location` names the offending parameter or header (Drive's `errors[].location`),
    `error_message` overrides the per-error message where Google's differs from the top one.
    """

    def __init__(self, code: int, message: str, *, reason: str | None = None,
                 status: str | None = None, headers: dict[str, str] | None = None,
                 location: str | None = None, location_type: str = "parameter",
                 error_message: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or _REASON_BY_CODE.get(code, "unknown")
        self.status = status or _STATUS_BY_CODE.get(code, "UNKNOWN")
        self.headers = headers or {}
        self.location = location
        self.location_type = location_type
        self.error_message = error_message

    def body(self) -> dict:
        detail = {"reason": self.reason, "domain": "global",
                  "message": self.error_message or self.message}
        if self.location:
            detail["location"] = self.location
            detail["locationType"] = self.location_type
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "status": self.status,
                "errors": [detail],
            }
        }


def invalid_argument(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found.")


def login_required() -> ApiError:
    return ApiError(
        401,
        "Request is missing required authentication credential. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        reason="required", location="Authorization", location_type="header",
        error_message="Login Required.", headers={"WWW-Authenticate": 'Bearer realm="sandbox"'})


def invalid_credentials() -> ApiError:
    return ApiError(
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, "
        "login cookie or other valid authentication credential.",
        reason="authError", location="Authorization", location_type="header",
        error_message="Invalid Credentials", headers={"WWW-Authenticate": 'Bearer realm="sandbox"'})


def insufficient_scopes() -> ApiError:
    return ApiError(403, "Request had insufficient authentication scopes.",
                    reason="insufficientPermissions", error_message="Insufficient Permission")


def file_not_found(file_id: str) -> ApiError:
    return ApiError(404, f"File not found: {file_id}.", location="fileId")


def insufficient_file_permissions(file_id: str) -> ApiError:
    return ApiError(403, f"The user does not have sufficient permissions for file {file_id}.",
                    reason="insufficientFilePermissions")


def approvals_not_allowed() -> ApiError:
    """approvals.start on a file whose `canStartApproval` is false (the edition, an admin setting,
    an owner outside the domain)."""
    return ApiError(403, "The user does not have permission to start an approval on this file.",
                    reason="insufficientFilePermissions")


# Google's words when insertInlineImage cannot fetch or take its image (the whole batchUpdate is refused).
IMAGE_NOT_RETRIEVABLE = ("There was a problem retrieving the image. The provided image should be publicly "
                         "accessible, within size limit, and in supported formats.")


def image_not_retrievable(where: str) -> ApiError:
    """`where` is the request, e.g. "requests[3].insertInlineImage"."""
    return ApiError(400, f"Invalid {where}: {IMAGE_NOT_RETRIEVABLE}")


def rate_limited() -> ApiError:
    return ApiError(403, "User rate limit exceeded.", reason="userRateLimitExceeded",
                    error_message="User Rate Limit Exceeded")


# -- the HTTP request itself (before any API method is involved) ------------------------------

def malformed_header(name: str, value: str) -> ApiError:
    """A header no HTTP parser should guess at (Content-Length "abc", "-1", two different values)."""
    return ApiError(400, f"Malformed {name} header: {value[:80]!r}.", location=name,
                    location_type="header")


def length_required() -> ApiError:
    """A body without Content-Length (chunked transfer is not read by the sandbox)."""
    return ApiError(411, "A request body needs a Content-Length header (the sandbox does not "
                         "read chunked bodies).", location="Transfer-Encoding", location_type="header")


def payload_too_large(limit: int) -> ApiError:
    """Google's API front end words it this way ("...exceeds the limit: 10485760 bytes.")."""
    return ApiError(413, f"Request payload size exceeds the limit: {limit} bytes.")


def host_not_served(host: str | None, served: str) -> ApiError:
    """A Host header naming someone else: DNS rebinding, or a name to allow with --allow-host."""
    return ApiError(421, f"This sandbox does not answer to Host {host!r}; it answers to {served} "
                         "(start it with --allow-host NAME to add a name).", location="Host",
                    location_type="header")


def invalid_body_encoding() -> ApiError:
    return ApiError(400, "Invalid request body: it must be UTF-8.")


class OAuthError(Exception):
    """An error answer of the token endpoint: `{"error": ..., "error_description": ...}`."""

    def __init__(self, code: int, error: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.error = error
        self.description = description

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


def oauth_body_not_utf8() -> OAuthError:
    return OAuthError(400, "invalid_request", "The request body must be UTF-8 form data.")


class ControlError(Exception):
    """An error of a /_sandbox/ control call: `{"error": "..."}` with an HTTP status."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def body(self) -> dict:
        return {"error": self.message}


def control_not_found(http_method: str, name: str) -> ControlError:
    return ControlError(404, f"no sandbox control {http_method} /_sandbox/{name}")


def control_bad_body(message: str) -> ControlError:
    return ControlError(400, message)


def control_unknown(what: str) -> ControlError:
    """The control names something the sandbox does not hold ("file abc", "OAuth client 'x'")."""
    return ControlError(404, f"no {what}")


def control_needs_json(content_type: str | None) -> ControlError:
    """A control call that changes something must be `Content-Type: application/json`: a web
    page can send text/plain or a form to 127.0.0.1 without asking, never JSON."""
    return ControlError(415, "sandbox control calls that change something need "
                             f"Content-Type: application/json (got {content_type or 'none'})")


def control_foreign_origin(origin: str) -> ControlError:
    """A control call sent by a web page of another site (its Origin is not the sandbox's)."""
    return ControlError(403, f"sandbox control calls are refused from another origin ({origin[:100]!r})")
