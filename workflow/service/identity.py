"""Who a worker is: one id per process, `host:pid:start` (the process's start time), used for job runs,
leases and export claims; and whether the process behind such an id is still alive.

Two `workflow export` runs started by hand, a service and a cron job all have different ids, so they
never take each other's claims for their own. A claim whose holder ran on this host and is gone (its
pid is free, or now belongs to a process started at another time) is taken over at once; a holder on
another host is trusted until its claim expires.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

_HOST_CHARS = 60
_FALLBACK_START = f"{time.time():.2f}"  # where /proc is missing: when this module was first imported
_cache: dict[int, str] = {}


def _host() -> str:
    return socket.gethostname()[:_HOST_CHARS].replace(":", "-") or "localhost"


def process_start(pid: int) -> str | None:
    """When process `pid` started (seconds since the epoch, as text), from /proc; None if unknown or gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
    except (OSError, StopIteration):
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # field 3: a zombie has finished; only its exit status is left
        return None
    ticks = int(fields[19])  # field 22: start time in clock ticks after boot
    return f"{int(boot.split()[1]) + ticks / os.sysconf('SC_CLK_TCK'):.2f}"


def worker_identity() -> str:
    """`host:pid:start` of this process (computed again in a forked child)."""
    pid = os.getpid()
    if pid not in _cache:
        _cache[pid] = f"{_host()}:{pid}:{process_start(pid) or _FALLBACK_START}"
    return _cache[pid]


def holder_alive(identity: str) -> bool | None:
    """Whether the process behind a worker id is alive: True, False, or None when it ran on another host
    (or the id is not `host:pid:start`, as the bare "cli" of older versions)."""
    parts = identity.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or parts[0] != _host():
        return None
    pid, start = int(parts[1]), parts[2]
    if pid == os.getpid():
        return identity == worker_identity()
    now_start = process_start(pid)
    if now_start is not None:
        return now_start == start
    if Path("/proc/self/stat").exists():
        return False  # /proc works here and has no such process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
