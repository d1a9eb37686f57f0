"""The exit statuses of the `workflow` command, named once (as pip's `status_codes`).

Scripts, cron and systemd read them: keep their numbers stable.
"""

from __future__ import annotations

SUCCESS = 0
# Some work failed (a post not exported, a job failed, a health check is red); it is retried next run.
FAILED = 1
# A user error: bad config, unknown topic, unreadable file. One line on stderr says what to fix.
USER_ERROR = 2
# Stopped by a signal with work left (`run --once`): the rest is done on the next run.
INTERRUPTED = 3
# Ctrl-C outside the service (the shell's convention, 128 + SIGINT).
KEYBOARD_INTERRUPT = 130


def killed_by(signum: int) -> int:
    """The shell's convention for a process ended by a signal: 128 + its number."""
    return 128 + signum
