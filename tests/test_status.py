"""`workflow status`: the JSON shape, the text an operator reads, and `--check` exit codes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert

from workflow.service.schedules import format_time
from workflow.store import open_store, utcnow
from workflow.store import run_queries as q
from workflow.store.tables import exports, job_runs

WRITERS = '[[writers]]\nname = "sam"\nemail = "sam@example.com"\ncapacity = 3\n'


def configure(site, schedule: str, extra: str = "") -> None:
    site.write_config(f"[schedule]\n{schedule}\n{extra}")


def seed(site, *rows: dict) -> None:
    store = open_store(f"sqlite:///{site.root}/.workflow/state.db")
    with store.write() as conn:
        for row in rows:
            table = job_runs if "job" in row else exports
            conn.execute(insert(table).values(**row))
    store.close()


def ago(**delta) -> str:
    return format_time(datetime.now(timezone.utc) - timedelta(**delta))


def run_row(job: str, started: str, outcome: str = "ok", error: str | None = None) -> dict:
    return {"job": job, "worker": "host:1:abcdef", "started_at": started, "ended_at": started, "outcome": outcome,
            "counts": '{"created": 2}', "error": error}


def export_row(post_id: str, state: str, url: str | None) -> dict:
    now = utcnow()
    return {"post_id": post_id, "state": state, "url": url, "created_at": now, "updated_at": now}


def test_status_json_has_jobs_queue_drafts_and_exports(site, cli):
    configure(site, 'export = "every 5m"\nassign = "0 9 * * *"\nreviews = ""', WRITERS)
    for title in ("First idea", "Second idea", "Third idea", "Fourth idea"):
        assert cli("topics", "add", title).code == 0
    assert cli("assign").code == 0  # sam takes three drafts; one topic stays queued
    seed(site, run_row("export", ago(minutes=2)),
         export_row("posts/a.md", "in_review", "https://docs.example/a"),
         export_row("posts/b.md", "approved", "https://docs.example/b"),
         export_row("posts/c.md", "conflict", "https://docs.example/c"))

    result = cli("status", "--json")
    assert result.code == 0, result.err
    status = result.json
    assert {"jobs", "queue", "drafts", "exports"} <= set(status)
    assert [job["id"] for job in status["jobs"]] == ["export", "assign", "reviews"]
    for job in status["jobs"]:
        assert {"id", "last_start", "last_end", "outcome", "next_run"} <= set(job)
    export, assign, reviews = status["jobs"]
    assert export["outcome"] == "ok" and export["counts"] == {"created": 2}
    assert export["last_start"] < export["next_run"]
    # `workflow assign` by hand counts as a run of the assign job.
    assert assign["outcome"] == "ok" and assign["counts"]["assigned"] == 3 and assign["worker"].count(":") == 2
    assert assign["next_run"].endswith("T09:00:00.000000Z")
    assert reviews["schedule"] == "" and reviews["next_run"] is None
    assert status["queue"] == 1
    assert status["drafts"] == {"sam": 3}
    assert status["exports"] == {"approved": 1, "conflict": 1, "in_review": 1}
    assert [(d["post_id"], d["url"]) for d in status["docs"]] == [
        ("posts/c.md", "https://docs.example/c"), ("posts/a.md", "https://docs.example/a")]


def test_status_text_names_last_and_next_runs_and_the_docs_in_review(site, cli):
    configure(site, 'export = "every 5m"\nassign = ""\nreviews = ""')
    seed(site, run_row("export", ago(minutes=1)), export_row("posts/a.md", "in_review", "https://docs.example/a"))
    result = cli("status")
    assert result.code == 0
    assert "export" in result.out and "last ok" in result.out and "created 2" in result.out and "next " in result.out
    assert "assign   off" in result.out
    assert "Queue: 0 topics queued" in result.out
    assert "in_review  posts/a.md  https://docs.example/a" in result.out


def test_check_is_healthy_after_recent_successful_runs(site, cli):
    configure(site, 'export = "every 5m"\nassign = "0 9 * * *"\nreviews = ""')
    seed(site, run_row("export", ago(minutes=3)), run_row("assign", ago(hours=20)))
    result = cli("status", "--check")
    assert result.code == 0, result.err
    assert "healthy" in result.out


def test_check_fails_when_the_last_run_failed(site, cli):
    configure(site, 'export = "every 5m"\nassign = ""\nreviews = ""')
    seed(site, run_row("export", ago(minutes=9)), run_row("export", ago(minutes=4), "failed", "3 posts failed"))
    result = cli("status", "--check")
    assert result.code == 1
    assert "export: last run failed" in result.err and "3 posts failed" in result.err


def test_check_fails_when_an_interval_job_is_overdue(site, cli):
    configure(site, 'export = "every 5m"\nassign = ""\nreviews = ""\nmisfire_grace_seconds = 60')
    seed(site, run_row("export", ago(minutes=7)))
    result = cli("status", "--check", "--json")
    assert result.code == 1
    assert "export: overdue" in result.err
    [export] = [job for job in result.json["jobs"] if job["id"] == "export"]
    assert export["overdue"] is True and result.json["healthy"] is False


def test_check_allows_one_missed_cron_fire_time_but_not_two(site, cli):
    configure(site, 'export = ""\nassign = "0 * * * *"\nreviews = ""\nmisfire_grace_seconds = 60')
    seed(site, run_row("assign", ago(minutes=61)))  # one hourly fire time passed since
    assert cli("status", "--check").code == 0
    store = open_store(f"sqlite:///{site.root}/.workflow/state.db")
    with store.write() as conn:
        conn.execute(job_runs.delete())
    store.close()
    seed(site, run_row("assign", ago(minutes=125)))  # two fire times passed without a start
    result = cli("status", "--check")
    assert result.code == 1
    assert "assign: overdue" in result.err


def test_check_fails_when_no_service_ever_ran_and_counts_from_the_service_start(site, cli):
    configure(site, 'export = "every 5m"\nassign = ""\nreviews = ""')
    result = cli("status", "--check")
    assert result.code == 1
    assert "never run" in result.err
    store = open_store(f"sqlite:///{site.root}/.workflow/state.db")
    with store.write() as conn:
        q.mark_service_started(conn, ago(minutes=1))
    store.close()
    assert cli("status", "--check").code == 0


def test_skipped_runs_do_not_hide_the_run_that_did_the_work(site, cli):
    configure(site, 'export = ""\nassign = "every 1h"\nreviews = ""')
    seed(site, run_row("assign", ago(minutes=10)),
         run_row("assign", ago(minutes=5), "skipped", "lease held by other:2:bbbbbb"))
    [_, assign, _] = cli("status", "--json").json["jobs"]
    assert assign["outcome"] == "ok" and assign["worker"] == "host:1:abcdef"


def test_a_manual_export_after_a_failed_run_makes_the_check_healthy_again(site, cli):
    configure(site, 'export = "every 5m"\nassign = ""\nreviews = ""', '[google]\nendpoint = "sandbox"\n')
    seed(site, run_row("export", ago(minutes=4), "failed", "1 posts failed"))
    assert cli("status", "--check").code == 1
    site.post("a.md", "# A\n\nThe fixed post.\n")

    assert cli("export").code == 0

    result = cli("status", "--check", "--json")
    assert result.code == 0, result.err
    [export] = [job for job in result.json["jobs"] if job["id"] == "export"]
    assert export["outcome"] == "ok" and export["counts"]["created"] == 1


def test_a_manual_reviews_sync_and_a_failed_manual_export_are_runs_too(site, cli):
    configure(site, 'export = "every 5m"\nassign = ""\nreviews = "every 10m"', '[google]\nendpoint = "sandbox"\n')
    assert cli("reviews", "--sync").code == 0
    site.posts.rmdir()
    assert cli("export").code == 2  # a user error: the posts folder is gone

    status = cli("status", "--json").json
    jobs = {job["id"]: job for job in status["jobs"]}
    assert jobs["reviews"]["outcome"] == "ok"
    assert jobs["export"]["outcome"] == "failed" and "posts folder" in jobs["export"]["error"]
