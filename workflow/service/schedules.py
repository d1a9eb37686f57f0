"""`[schedule]` strings as APScheduler triggers, and the fire-time arithmetic the service and status share.

A schedule is a crontab string in `[schedule] timezone` or an interval ("every 10m"). Interval
schedules count from the job's last recorded start, so a restarted service keeps the cadence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from workflow.config import Config, interval_seconds

JOB_IDS = ("export", "assign", "reviews", "topics")
_ONE_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Schedule:
    job: str
    text: str  # as configured; never empty (an empty schedule means the job is off)
    tz: ZoneInfo

    @property
    def interval(self) -> timedelta | None:
        seconds = interval_seconds(self.text)
        return timedelta(seconds=seconds) if seconds is not None else None

    def _cron(self) -> CronTrigger:
        return CronTrigger.from_crontab(self.text, timezone=self.tz)

    def trigger(self, *, last_start: datetime | None, now: datetime) -> BaseTrigger:
        """The APScheduler trigger; an interval's first fire is one interval after the last start (or now)."""
        interval = self.interval
        if interval is None:
            return self._cron()
        first = (last_start or now) + interval
        return IntervalTrigger(seconds=int(interval.total_seconds()), start_date=first, timezone=self.tz)

    def next_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after `moment` (for an interval: one interval later)."""
        interval = self.interval
        if interval is not None:
            return moment + interval
        fire = self._cron().get_next_fire_time(None, moment + _ONE_MICROSECOND)
        assert fire is not None, "a crontab trigger without end date always fires again"
        return fire.astimezone(timezone.utc)

    def missed_since(self, last_start: datetime, now: datetime) -> bool:
        """Whether a fire time fell after `last_start` and is already past at `now`."""
        return self.next_after(last_start) <= now

    def next_run(self, *, last_start: datetime | None, now: datetime) -> datetime:
        """When the service runs the job next, as it would compute it at `now` (a missed run: now)."""
        if self.interval is None:
            return self.next_after(now - _ONE_MICROSECOND)
        if last_start is None:
            return now + self.interval
        return max(last_start + self.interval, now)

    def describe(self) -> str:
        return self.text if self.interval is not None else f"{self.text} ({self.tz.key})"


def configured_schedules(config: Config) -> dict[str, Schedule | None]:
    """Each job's schedule; None for a job turned off with an empty string (and for `topics`
    while the queue has no Google Sheet: [topics] sheet = false)."""
    section = config.sections["schedule"]
    tz = ZoneInfo(section["timezone"])
    return {job: Schedule(job, section[job], tz) if section[job] and (job != "topics" or config.topic_sheet)
            else None for job in JOB_IDS}


def parse_time(stored: str) -> datetime:
    """A time as the store keeps it ("2025-01-02T03:04:05.000000Z") as an aware UTC datetime."""
    return datetime.fromisoformat(stored.replace("Z", "+00:00"))


def format_time(moment: datetime) -> str:
    """An aware datetime the way the store keeps times."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
