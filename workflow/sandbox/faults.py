"""Injected failures for the next N calls of a method: what a flaky Google looks like.

kinds: "status" (answer `status`: 429, 500, 503 ... without applying the call), "rate_limit"
(403 userRateLimitExceeded), "delay" (sleep `seconds`, then answer normally), "drop" (close the
connection without answering), "commit_then_fail" (apply the call, then answer `status`, 503
by default: the response is lost but the change is made).

`method` is a discovery id, or "*" for any API call; `after` lets that many matching calls pass
first. "*" with "after" and a "delay" is how a test stops a worker at its Nth call (and kills it
there): the fault leaves the list of armed faults when the call it holds arrives.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .exceptions import ApiError

KINDS = ("status", "rate_limit", "delay", "drop", "commit_then_fail")


ANY_METHOD = "*"


@dataclass
class Fault:
    method: str
    kind: str
    status: int = 503
    seconds: float = 0.0
    times: int = 1
    after: int = 0  # matching calls let through before the fault applies

    def as_json(self) -> dict:
        return asdict(self)


def parse_fault(body: dict, known_methods: set[str]) -> Fault:
    """A Fault from the JSON of `POST /_sandbox/faults`; ValueError with a one-line reason."""
    if not isinstance(body, dict):
        raise ValueError("the fault must be a JSON object")
    unknown = set(body) - {"method", "kind", "status", "seconds", "times", "after"}
    if unknown:
        raise ValueError(f"unknown fault fields: {', '.join(sorted(unknown))}")
    method, kind = body.get("method"), body.get("kind")
    if method not in known_methods and method != ANY_METHOD:
        raise ValueError(f"unknown method {method!r} (use a discovery id like 'drive.files.create', or '*')")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    status = body.get("status", 503)
    if not isinstance(status, int) or not 400 <= status <= 599:
        raise ValueError("status must be an HTTP error code (400-599)")
    seconds = body.get("seconds", 0.0)
    if not isinstance(seconds, (int, float)) or seconds < 0 or seconds > 300:
        raise ValueError("seconds must be a number between 0 and 300")
    times = body.get("times", 1)
    if not isinstance(times, int) or isinstance(times, bool) or times < 1:
        raise ValueError("times must be a positive integer")
    after = body.get("after", 0)
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ValueError("after must be a non-negative integer")
    return Fault(method=method, kind=kind, status=status, seconds=float(seconds), times=times, after=after)


class FaultPlan:
    """The armed faults, consumed in the order they were added. Callers hold the sandbox lock."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def clear(self) -> None:
        self.faults.clear()

    def take(self, method_id: str) -> Fault | None:
        """The next fault for this call, counting one of its `times` (or of its `after`)."""
        for fault in self.faults:
            if fault.method in (method_id, ANY_METHOD):
                if fault.after > 0:
                    fault.after -= 1
                    return None
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None


def fault_error(fault: Fault) -> ApiError:
    """The error answer of a "status", "rate_limit" or "commit_then_fail" fault."""
    if fault.kind == "rate_limit":
        return ApiError(403, "User rate limit exceeded.", reason="userRateLimitExceeded",
                        error_message="User Rate Limit Exceeded")
    if fault.status == 429:
        return ApiError(429, "Quota exceeded for quota metric 'Requests' and limit 'Requests per "
                             "minute per user' of service (sandbox).", reason="rateLimitExceeded")
    return ApiError(fault.status, "The service is currently unavailable." if fault.status == 503
                    else "Internal error encountered." if fault.status == 500
                    else f"Injected fault: HTTP {fault.status}.")
