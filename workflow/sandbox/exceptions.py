"""Errors in the shape Google's APIs answer with.

    {"error": {"code": 400, "message": "...", "status": "INVALID_ARGUMENT",
               "errors": [{"reason": "badRequest", "domain": "global", "message": "..."}]}}
"""

from __future__ import annotations

_STATUS_BY_CODE = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
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
    412: "conditionNotMet",
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


def rate_limited() -> ApiError:
    return ApiError(403, "User rate limit exceeded.", reason="userRateLimitExceeded",
                    error_message="User Rate Limit Exceeded")


class OAuthError(Exception):
    """An error answer of the token endpoint: `{"error": ..., "error_description": ...}`."""

    def __init__(self, code: int, error: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.error = error
        self.description = description

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}
