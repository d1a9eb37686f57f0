"""Assignment: the next queued topics become draft files for the writers who have room.

A draft is named after its topic's title (at most 200 bytes, see `drafts`), or "topic-ID" when the
file system refuses that name; a topic whose draft cannot be named at all stays queued, is reported,
and the others go on.

A writer's load is their open drafts. A draft stays open while its file exists in drafts_dir and
its front matter says `status: draft`; once the status changes (e.g. to `review`) or the file is
gone (moved to posts_dir, or deleted), the next `assign` marks it done and the writer has room again.

Each topic, in queue order, goes to the writer with the fewest open drafts among those below their
capacity; ties go in config order, rotating: the writer after the one served last comes first.
One run is one transaction: the draft files are written inside it and removed again if it fails,
so a topic is assigned exactly when its draft file exists.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from workflow.queue import drafts
from workflow.queue.taken import taken_titles
from workflow.queue.topics import normalize_title
from workflow.config import Config, Writer
from workflow.errors import UserError
from workflow.store import Store
from workflow.store import topic_queries as q


@dataclass(frozen=True)
class Assigned:
    topic_id: int
    title: str
    writer: str
    draft_path: str  # relative to the site root when inside it

    def to_json(self) -> dict[str, Any]:
        return {"topic_id": self.topic_id, "title": self.title, "writer": self.writer, "draft_path": self.draft_path}


@dataclass(frozen=True)
class Skipped:
    """A topic left queued because its draft could not be written; the others go on."""

    topic_id: int
    title: str
    error: str

    def to_json(self) -> dict[str, Any]:
        return {"topic_id": self.topic_id, "title": self.title, "error": self.error}


@dataclass
class AssignReport:
    dry_run: bool
    assigned: list[Assigned] = field(default_factory=list)
    finished: list[int] = field(default_factory=list)  # topic ids whose drafts stopped being open
    skipped: list[Skipped] = field(default_factory=list)
    queued: int = 0                                     # topics still queued afterwards
    writers: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> {open, capacity}

    def to_json(self) -> dict[str, Any]:
        return {"assigned": [a.to_json() for a in self.assigned], "queued": self.queued,
                "writers": self.writers, "finished": self.finished,
                "skipped": [s.to_json() for s in self.skipped], "dry_run": self.dry_run}


class WriterRotation:
    """Who gets the next topic: the writer with the fewest open drafts among those with room; ties
    go in config order, starting after the writer served last."""

    def __init__(self, writers: Sequence[Writer], open_drafts: dict[str, int], last_served: str | None) -> None:
        self.writers = list(writers)
        self.load = {w.name: open_drafts.get(w.name, 0) for w in writers}
        names = [w.name for w in writers]
        self.start = names.index(last_served) + 1 if last_served in names else 0

    def next(self) -> Writer | None:
        """The writer of the next topic, or None when everyone is full (nothing is counted yet)."""
        count = len(self.writers)
        rotation = [self.writers[(self.start + i) % count] for i in range(count)]
        free = [w for w in rotation if self.load[w.name] < w.capacity]
        # min keeps the first of equals: the rotation decides
        return min(free, key=lambda w: self.load[w.name]) if free else None

    def served(self, writer: Writer) -> None:
        """`writer` took the topic `next` offered."""
        self.load[writer.name] += 1
        self.start = self.writers.index(writer) + 1


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def assign_topics(store: Store, config: Config, *, dry_run: bool = False) -> AssignReport:
    """Refresh which drafts are open, then hand queued topics to writers with room (see module doc)."""
    if not config.writers:
        where = config.path or "config/workflow.toml"
        raise UserError(f"no writers to assign topics to: add [[writers]] with name, email and capacity to {where}")
    drafts_dir = config.drafts_dir
    if dry_run:
        drafts.check_drafts_dir(drafts_dir)
    else:
        drafts.ensure_drafts_dir(drafts_dir)
    today = datetime.now(ZoneInfo(config.get("schedule", "timezone"))).date()
    report = AssignReport(dry_run=dry_run)
    elsewhere = taken_titles(config, store)  # open drafts and posts in review: no second draft of those
    created: list[Path] = []
    try:
        with store.read() if dry_run else store.write() as conn:
            if not dry_run:
                q.lock_topic_queue(conn)
            open_drafts = _refresh_open_drafts(conn, config, report, dry_run)
            queued = q.topic_rows(conn)
            rotation = WriterRotation(config.writers, open_drafts, q.last_assigned_writer(conn))
            taken: set[Path] = set()
            # Drafts a run wrote for a still-queued topic before it died (killed between writing the file
            # and committing): the topic's own draft, adopted, not a duplicate and not written twice.
            orphans = {} if dry_run else {d.topic_id: d for d in drafts.open_drafts(drafts_dir) if d.topic_id is not None}
            writers = {w.name: w for w in config.writers}
            for row in queued:
                orphan = orphans.get(row.id)
                if orphan is not None and normalize_title(orphan.title) == row.normalized:
                    writer = writers.get(orphan.author)
                    if writer is None or rotation.load[writer.name] >= writer.capacity:
                        writer = rotation.next()
                    if writer is None:
                        break
                    q.insert_assignment(conn, topic_id=row.id, writer=writer.name,
                                        draft_path=_shown(orphan.path, config.root), due=row.due)
                    rotation.served(writer)
                    report.assigned.append(Assigned(row.id, row.title, writer.name, _shown(orphan.path, config.root)))
                    continue
                if row.normalized in elsewhere:  # a second draft of it would be a duplicate
                    report.skipped.append(Skipped(row.id, row.title, f"already {elsewhere[row.normalized]}; "
                                                  f"`workflow topics remove {row.id}` takes it off the queue"))
                    continue
                writer = rotation.next()
                if writer is None:
                    break
                try:
                    path = _place_draft(row, writer, drafts_dir, today, dry_run, taken)
                except drafts.DraftNameRefused as exc:
                    report.skipped.append(Skipped(row.id, row.title, f"the file system refused its draft's name: {exc}"))
                    continue
                if not dry_run:
                    created.append(path)
                    q.insert_assignment(conn, topic_id=row.id, writer=writer.name,
                                        draft_path=_shown(path, config.root), due=row.due)
                rotation.served(writer)
                report.assigned.append(Assigned(row.id, row.title, writer.name, _shown(path, config.root)))
            report.queued = len(queued) - len(report.assigned)
            report.writers = {w.name: {"open": rotation.load[w.name], "capacity": w.capacity} for w in config.writers}
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    return report


def _place_draft(row: Any, writer: Writer, drafts_dir: Path, today: Any, dry_run: bool, taken: set[Path]) -> Path:
    """The topic's draft file (only its name with dry_run): named after the title, or "topic-ID"
    when the file system refuses that name. Raises DraftNameRefused when it refuses both."""
    slugs = dict.fromkeys([drafts.slugify(row.title, row.id), f"topic-{row.id}"])
    text = None if dry_run else drafts.draft_text(title=row.title, topic_id=row.id, author=writer.name,
                                                  assigned=today, due=row.due, notes=row.notes or "")
    refused = drafts.DraftNameRefused("no name to try")
    for slug in slugs:
        try:
            if text is None:
                path = drafts.free_draft_path(drafts_dir, slug, taken)
                taken.add(path)
                return path
            return drafts.create_draft(drafts_dir, slug, text)
        except drafts.DraftNameRefused as exc:
            refused = exc
    raise refused


def _refresh_open_drafts(conn, config: Config, report: AssignReport, dry_run: bool) -> Counter[str]:
    """Close assignments whose draft is no longer a draft; returns open drafts per writer."""
    still_open: Counter[str] = Counter()
    finished_ids = []
    for row in q.open_assignments(conn):
        if drafts.draft_status(config.resolve(Path(row.draft_path))) == drafts.DRAFT_STATUS:
            still_open[row.writer] += 1
        else:
            finished_ids.append(row.id)
            report.finished.append(row.topic_id)
    if not dry_run:
        q.close_assignments(conn, finished_ids)
    return still_open
