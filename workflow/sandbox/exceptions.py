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
    """An error answer of a Google API; `body()` is its JSON."""

    def __init__(self, code: int, message: str, *, reason: str | None = None,
                 status: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or _REASON_BY_CODE.get(code, "unknown")
        self.status = status or _STATUS_BY_CODE.get(code, "UNKNOWN")
        self.headers = headers or {}

    def body(self) -> dict:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "status": self.status,
                "errors": [{"reason": self.reason, "domain": "global", "message": self.message}],
            }
        }


def invalid_argument(message: str) -> ApiError:
    return ApiError(400, message)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found.")
