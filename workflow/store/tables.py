"""The state store's tables. Change them only through a new migration in `migrations.py`."""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text, text)

metadata = MetaData()

schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, nullable=False),
)

# The queue of upcoming topics. `normalized` is the title folded for duplicate checks; a queued or
# assigned topic's normalized title is unique (removed ones may come back).
topics = Table(
    "topics", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(200), nullable=False),
    Column("normalized", String(200), nullable=False),
    Column("priority", Integer, nullable=False),          # 0 high, 1 normal, 2 low
    Column("position", Float, nullable=False),            # order within a priority; lower first
    Column("notes", Text, nullable=False, server_default=""),
    Column("due", String(10)),                            # YYYY-MM-DD
    Column("added_by", String(100), nullable=False, server_default=""),
    Column("source", String(300), nullable=False, server_default="cli"),  # cli, import:FILE, post:POST_ID
    Column("status", String(20), nullable=False, server_default="queued"),  # queued, assigned, removed
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)
Index("topics_live_normalized", topics.c.normalized, unique=True,
      sqlite_where=text("status != 'removed'"), postgresql_where=text("status != 'removed'"))
Index("topics_queue_order", topics.c.status, topics.c.priority, topics.c.position, topics.c.id)

# A topic handed to a writer as a draft file. One assignment per topic, ever.
assignments = Table(
    "assignments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic_id", Integer, ForeignKey("topics.id"), nullable=False, unique=True),
    Column("writer", String(100), nullable=False),
    Column("draft_path", String(500), nullable=False),
    Column("assigned_at", String(32), nullable=False),
    Column("due", String(10)),
    Column("status", String(20), nullable=False, server_default="open"),  # open, done
)
Index("assignments_writer_status", assignments.c.writer, assignments.c.status)

# What the worker last saw of each post file (to skip unchanged files on size and mtime).
posts = Table(
    "posts", metadata,
    Column("post_id", String(300), primary_key=True),
    Column("path", String(500), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("mtime_ns", BigInteger, nullable=False),   # nanoseconds: beyond 32 bits
    Column("content_hash", String(64), nullable=False),
    Column("title", String(300), nullable=False, server_default=""),
    Column("is_draft", Boolean, nullable=False, server_default=text("false")),
    Column("seen_at", String(32), nullable=False),
)
Index("posts_path", posts.c.path)
Index("posts_content_hash", posts.c.content_hash)

# One review Doc per post, and where its review stands.
exports = Table(
    "exports", metadata,
    Column("post_id", String(300), primary_key=True),
    Column("doc_id", String(100)),
    Column("url", String(300)),
    Column("state", String(20), nullable=False),  # states.ExportState
    Column("exported_hash", String(64)),          # content hash of the post as last written to the Doc
    Column("revision_id", String(100)),           # the Doc's revision right after our last write
    Column("drive_version", String(30)),          # Drive `version` right after our last write
    Column("block_map", Text),                    # JSON: rendered blocks, source lines -> Doc ranges
    Column("source_text", Text),                  # the Markdown body as last written (for three-way merges)
    Column("reviewers", Text),                    # JSON list of emails
    Column("shared_with", Text),                  # JSON list of emails already shared with
    Column("approval_id", String(100)),            # "starting" while approvals.start is in flight
    Column("queued_topics", Text),                # JSON: topics this post suggested that were queued already
    Column("conflicts", Text),                    # JSON: paragraphs both the author and reviewers changed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", Text),
    Column("claimed_by", String(100)),            # the worker exporting it now (host:pid:start, see service.identity)
    Column("claim_expires", Float),
    # Migration 3: whether reviewers touched the Doc, derived from the Doc itself (see export/decide.py).
    Column("content_fingerprint", String(64)),    # the Doc's body right after our last whole write
    Column("reviewed", Boolean, nullable=False, server_default=text("false")),  # touched: changes go as suggestions
    Column("pending_write", Text),                # JSON: the write in flight (marker, hash, text), until recorded
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)
Index("exports_doc_id", exports.c.doc_id)
Index("exports_state", exports.c.state)

# Every job run of the scheduler (and of `workflow run --once`).
job_runs = Table(
    "job_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(50), nullable=False),
    Column("worker", String(100), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("ended_at", String(32)),
    Column("outcome", String(20), nullable=False),  # states.JobOutcome
    Column("counts", Text),                         # JSON
    Column("error", Text),
)
Index("job_runs_job_started", job_runs.c.job, job_runs.c.started_at)

# Facts the worker remembers between runs (e.g. the id of the review folder it created).
settings = Table(
    "settings", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

# Leases: a job that must run in one worker at a time holds the lease row until it expires.
leases = Table(
    "leases", metadata,
    Column("name", String(100), primary_key=True),
    Column("holder", String(100), nullable=False),
    Column("expires_at", Float, nullable=False),
)

# Where each review Doc stands, as the reviews job last read it (migration 2).
reviews = Table(
    "reviews", metadata,
    Column("post_id", String(300), primary_key=True),
    Column("doc_id", String(100), nullable=False),
    Column("drive_version", String(30)),          # Drive `version` when last read; unchanged = not read again
    Column("approval_id", String(100)),
    Column("approval_status", String(20)),        # IN_PROGRESS, APPROVED, DECLINED, CANCELLED; None = no approval
    Column("reviewer_responses", Text),           # JSON: {email: NO_RESPONSE | APPROVED | DECLINED}
    Column("due", String(32)),                    # the approval's dueTime (RFC 3339)
    Column("comments_open", Integer, nullable=False, server_default="0"),
    Column("comments_resolved", Integer, nullable=False, server_default="0"),
    Column("suggestions_pending", Integer, nullable=False, server_default="0"),
    Column("last_activity", String(32)),          # newest reviewer comment, reply or response (RFC 3339)
    Column("decline_message", Text),
    Column("in_approved_folder", Boolean, nullable=False, server_default=text("false")),
    Column("approved_by", Text),                  # JSON list of emails
    Column("approved_at", String(32)),
    Column("write_back", String(20)),             # None, written, conflict, failed
    Column("write_back_path", String(500)),       # the file written (the post, or its .approved.md side file)
    Column("write_back_note", Text),
    Column("write_back_key", String(200)),        # the approval written back (its id, or "folder:DOC_ID")
    Column("checked_at", String(32), nullable=False),
)
Index("reviews_doc_id", reviews.c.doc_id)

# Notifications (webhook): one row per (post, kind, key), so each event is one notice, sent at least
# once (receivers drop repeats by its notice_id) and retried a bounded number of times.
review_events = Table(
    "review_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post_id", String(300), nullable=False),
    Column("kind", String(20), nullable=False),       # approved, declined, overdue
    Column("key", String(200), nullable=False),       # e.g. the approval id
    Column("status", String(20), nullable=False),     # review_queries.NoticeStatus: sending, sent, failed, given_up
    Column("text", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),   # POSTs made
    Column("unanswered", Integer, nullable=False, server_default="0"),  # POSTs that may have arrived unconfirmed
    Column("next_attempt_at", String(32)),            # failed: when to retry; sending: when the claim expires
    Column("created_at", String(32), nullable=False),
    Column("sent_at", String(32)),
    Column("error", Text),
)
Index("review_events_once", review_events.c.post_id, review_events.c.kind, review_events.c.key, unique=True)
