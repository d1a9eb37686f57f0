"""`workflow run`: the service started as operators start it, its catch-up of missed runs, clean stops,
`--once`, and the leases that keep a job in one worker at a time (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert

from conftest import fresh_pg_database
from workflow.config import load_config
from workflow.service.jobs import JOBS, Job, JobContext, JobResult, SessionHolder, run_job
from workflow.service.schedules import Schedule, format_time, parse_time
from workflow.service.worker import StopSignals
from workflow.store import open_store
from workflow.store import run_queries as q
from workflow.store.tables import job_runs

OFF = 'export = ""\nassign = ""\nreviews = ""\n'


def configure(site, state_url: str | None = None, schedule: str = OFF, extra: str = "") -> None:
    state = f'[state]\nurl = "{state_url}"\n' if state_url else ""
    site.write_config(f"{state}[schedule]\n{schedule}{extra}")


class ServiceProcess:
    """`python -m workflow --log-format json run` in the site, its log in a file."""

    def __init__(self, site, *args: str) -> None:
        self.log_path = site.root / f"service-{uuid.uuid4().hex[:6]}.log"
        env = {k: v for k, v in os.environ.items() if k != "WORKFLOW_CONFIG"}
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", "workflow", "--log-format", "json", "run", *args],
                                            cwd=site.root, env=env, stdout=subprocess.DEVNULL, stderr=log)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)

    def log_lines(self) -> list[dict]:
        text = self.log_path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def runs(state_url: str, job: str | None = None) -> list:
    store = open_store(state_url)
    try:
        with store.read() as conn:
            return q.runs_of(conn, job)
    finally:
        store.close()


def wait_for(condition, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def sqlite_url(site) -> str:
    return f"sqlite:///{site.root}/.workflow/state.db"


# --- the service as a process ---

def test_service_runs_jobs_on_schedule_and_stops_cleanly_on_sigterm(site):
    configure(site, schedule='export = ""\nassign = ""\nreviews = "every 1s"\n')
    service = ServiceProcess(site)
    wait_for(lambda: len([r for r in runs(sqlite_url(site), "reviews") if r.outcome == "ok"]) >= 2,
             what="two reviews runs")
    assert service.stop() == 0

    recorded = runs(sqlite_url(site))
    assert {r.job for r in recorded} == {"reviews"}
    assert all(r.outcome == "ok" and r.ended_at for r in recorded)
    lines = service.log_lines()
    run_lines = [line for line in lines if line.get("job") == "reviews" and line.get("outcome") == "ok"]
    assert len(run_lines) == len(recorded)
    assert any("SIGTERM" in line["message"] for line in lines)
    assert "stopped" in lines[-1]["message"]


def test_a_run_missed_while_the_service_was_down_runs_once_at_start_up(site):
    configure(site, schedule='export = ""\nassign = ""\nreviews = "every 10m"\n')
    store = open_store(sqlite_url(site))
    an_hour_ago = format_time(datetime.now(timezone.utc) - timedelta(hours=1))
    with store.write() as conn:
        conn.execute(insert(job_runs).values(job="reviews", worker="gone:1:aaaaaa", started_at=an_hour_ago,
                                             ended_at=an_hour_ago, outcome="ok", counts="{}"))
    store.close()

    service = ServiceProcess(site)
    wait_for(lambda: len(runs(sqlite_url(site), "reviews")) >= 2, what="the catch-up run")
    time.sleep(2)  # six runs were missed; only one may happen
    assert service.stop(signal.SIGINT) == 0  # Ctrl-C stops as cleanly as SIGTERM
    recorded = runs(sqlite_url(site), "reviews")
    assert [r.outcome for r in recorded] == ["ok", "ok"]
    assert parse_time(recorded[1].started_at) > datetime.now(timezone.utc) - timedelta(minutes=1)


def test_a_recent_run_is_not_repeated_at_start_up(site):
    configure(site, schedule='export = ""\nassign = ""\nreviews = "every 10m"\n')
    store = open_store(sqlite_url(site))
    a_minute_ago = format_time(datetime.now(timezone.utc) - timedelta(minutes=1))
    with store.write() as conn:
        conn.execute(insert(job_runs).values(job="reviews", worker="gone:1:aaaaaa", started_at=a_minute_ago,
                                             ended_at=a_minute_ago, outcome="ok", counts="{}"))
    store.close()

    service = ServiceProcess(site)
    wait_for(lambda: any("started" in line["message"] for line in service.log_lines()), what="start-up")
    time.sleep(1.5)
    assert service.stop() == 0
    assert len(runs(sqlite_url(site), "reviews")) == 1


def test_service_exports_posts_dropped_in_while_it_runs(site):
    configure(site, schedule='export = "every 1s"\nassign = ""\nreviews = ""\n',
              extra='[google]\nendpoint = "sandbox"\n')
    service = ServiceProcess(site)
    wait_for(lambda: any("started" in line["message"] for line in service.log_lines()), what="start-up")
    for n in range(3):
        site.post(f"post-{n}.md", f"# Post {n}\n\nBody of post {n}.\n")
    store = open_store(sqlite_url(site))

    def exported() -> int:
        with store.read() as conn:
            return sum(n for state, n in q.exports_by_state(conn).items() if state not in ("pending", "failed"))

    wait_for(lambda: exported() == 3, timeout=60, what="three exported posts")
    assert service.stop() == 0
    recorded = runs(sqlite_url(site), "export")
    assert recorded and all(r.outcome == "ok" for r in recorded)
    assert sum(q.counts_of(r).get("created", 0) for r in recorded) == 3
    store.close()


def test_the_first_signal_asks_to_stop_and_the_second_stops_at_once():
    stop = threading.Event()
    forced = []
    before = [signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)]
    with StopSignals(stop, forced.append):
        os.kill(os.getpid(), signal.SIGTERM)
        wait_for(stop.is_set, timeout=5, what="the stop request")
        assert forced == []
        os.kill(os.getpid(), signal.SIGINT)
        wait_for(lambda: forced, timeout=5, what="the forced stop")
    assert forced == [signal.SIGINT]
    assert [signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)] == before  # handlers restored


# --- --once ---

def test_run_once_runs_each_scheduled_job_and_prints_the_runs(site, cli):
    configure(site, schedule='export = ""\nassign = ""\nreviews = "every 1h"\n')
    result = cli("run", "--once", "--json")
    assert result.code == 0, result.err
    [run] = result.json["jobs"]
    assert run["job"] == "reviews" and run["outcome"] == "ok" and run["counts"]["listed"] == 0
    assert [r.outcome for r in runs(sqlite_url(site))] == ["ok"]


def test_run_once_exits_1_when_a_job_fails(site, cli):
    configure(site)
    site.posts.rmdir()  # the export cannot run without its posts folder
    result = cli("run", "--once", "--job", "export")
    assert result.code == 1
    assert "export: failed" in result.out and "posts folder" in result.out
    [recorded] = runs(sqlite_url(site))
    assert recorded.outcome == "failed" and "posts folder" in recorded.error


def test_run_once_stopped_with_posts_left_exits_3_and_records_interrupted(site, sandbox, tmp_path):
    from sandbox_fixtures import OWNER, control, write_key_file

    key = write_key_file(sandbox, tmp_path)
    key.chmod(0o600)
    configure(site, extra=f'[google]\nendpoint = "{sandbox.url}"\ncredentials = "{key}"\nsubject = "{OWNER}"\n'
                          "docs_writes_per_minute = 100000\ndrive_requests_per_minute = 100000\n")
    for n in range(6):
        site.post(f"post-{n}.md", f"# Post {n}\n\nThe body of post {n}.\n")
    control(sandbox, "POST", "faults", {"method": "docs.documents.batchUpdate", "kind": "delay", "seconds": 0.5,
                                        "times": 6})
    env = {k: v for k, v in os.environ.items() if k != "WORKFLOW_CONFIG"}
    process = subprocess.Popen([sys.executable, "-m", "workflow", "run", "--once", "--job", "export"], cwd=site.root,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wait_for(lambda: any(r["method"] == "docs.documents.batchUpdate" for r in control(sandbox, "GET", "requests")),
             what="the first post written")
    process.send_signal(signal.SIGTERM)  # finish the post in hand, leave the rest for the next run

    out, _err = process.communicate(timeout=60)

    control(sandbox, "DELETE", "faults")
    assert process.returncode == 3, out
    assert "export: interrupted" in out and "left" in out
    [recorded] = runs(sqlite_url(site), "export")
    assert recorded.outcome == "interrupted" and q.counts_of(recorded)["left"] >= 1
    assert "stopped with" in recorded.error


def test_assign_is_skipped_not_failed_on_a_site_without_writers(site, cli):
    configure(site)  # no [[writers]]: nobody to hand drafts to
    result = cli("run", "--once", "--job", "assign")
    assert result.code == 0
    assert "assign: skipped" in result.out and "writers" in result.out
    [recorded] = runs(sqlite_url(site))
    assert recorded.outcome == "skipped"


def test_run_once_with_every_schedule_off_runs_nothing(site, cli):
    configure(site)
    result = cli("run", "--once")
    assert result.code == 0
    assert "no job ran" in result.out


# --- leases ---

def context(site, state_url: str, lease_seconds: int = 120) -> JobContext:
    configure(site, state_url, extra=f"lease_seconds = {lease_seconds}\n")
    config = load_config(site.root / "config" / "workflow.toml", root=site.root)
    return JobContext(config=config, store=open_store(state_url), worker_id=f"test:{uuid.uuid4().hex[:6]}",
                      stop=threading.Event(), sessions=SessionHolder(config))


def blocking_job(release: threading.Event) -> Job:
    def run(ctx: JobContext) -> JobResult:
        assert release.wait(30)
        return JobResult(counts={"done": 1})

    return Job("assign", run, exclusive=True)


def holder_of(ctx: JobContext, name: str) -> str | None:
    with ctx.store.write() as conn:
        return q.lease_holder(conn, name)


def test_an_exclusive_job_runs_in_one_worker_while_the_other_skips(site, state_url):
    first, second = context(site, state_url), context(site, state_url)
    release = threading.Event()
    job = blocking_job(release)
    results = []
    runner = threading.Thread(target=lambda: results.append(run_job(job, first)))
    runner.start()
    wait_for(lambda: holder_of(second, "assign") == first.worker_id, what="the first worker's lease")

    skipped = run_job(job, second)
    assert skipped.outcome == "skipped"
    assert first.worker_id in skipped.error

    release.set()
    runner.join(30)
    assert results[0].outcome == "ok" and results[0].counts == {"done": 1}
    assert holder_of(second, "assign") is None  # released at the end of the run
    assert run_job(job, second).outcome == "ok"
    outcomes = [(r.worker, r.outcome) for r in runs(state_url, "assign")]
    assert outcomes == [(first.worker_id, "ok"), (second.worker_id, "skipped"), (second.worker_id, "ok")]
    first.store.close()
    second.store.close()


def test_a_lease_is_renewed_while_the_job_runs_and_taken_over_once_it_expires(site, state_url):
    worker, other = context(site, state_url, lease_seconds=1), context(site, state_url, lease_seconds=1)
    release = threading.Event()
    job = blocking_job(release)
    runner = threading.Thread(target=run_job, args=(job, worker))
    runner.start()
    wait_for(lambda: holder_of(other, "assign") == worker.worker_id, what="the lease")
    time.sleep(1.6)  # longer than the lease: only renewal keeps it
    assert run_job(job, other).outcome == "skipped"
    release.set()
    runner.join(30)

    # A worker that died holding the lease: nobody renews it.
    with other.store.write() as conn:
        assert q.acquire_lease(conn, "assign", "dead-host:4242:abcdef", 1)
    assert run_job(job, other).outcome == "skipped"
    time.sleep(1.2)
    release.set()
    assert run_job(job, other).outcome == "ok"
    worker.store.close()
    other.store.close()


def test_export_is_not_exclusive_but_assignment_and_reviews_are():
    assert not JOBS["export"].exclusive  # posts are claimed one by one inside the export
    assert JOBS["assign"].exclusive and JOBS["reviews"].exclusive


# --- several workers on one PostgreSQL ---

WRITERS = "".join(f'[[writers]]\nname = "w{n}"\nemail = "w{n}@example.com"\ncapacity = 10\n\n' for n in range(5))


@pytest.mark.postgres
def test_four_workers_assign_50_topics_once_each_even_when_the_lease_holder_is_killed(site, cli):
    with fresh_pg_database() as url:
        site.write_config(f'[state]\nurl = "{url}"\n[schedule]\nexport = ""\nassign = "every 1s"\nreviews = ""\n'
                          f"lease_seconds = 2\n{WRITERS}")
        topics_file = site.root / "topics.txt"
        topics_file.write_text("".join(f"Topic number {n}\n" for n in range(50)), encoding="utf-8")
        assert cli("topics", "import", str(topics_file)).code == 0

        workers = [ServiceProcess(site) for _ in range(4)]
        store = open_store(url)
        holder = wait_for(lambda: holder_of_store(store, "assign"), what="a worker holding the assign lease")
        victim = next(w for w in workers if w.process.pid == int(holder.split(":")[1]))
        victim.process.kill()  # SIGKILL: no clean-up at all
        victim.process.wait(10)

        def all_assigned() -> bool:
            with store.read() as conn:
                return q.queued_topic_count(conn) == 0

        wait_for(all_assigned, timeout=60, what="every topic assigned")
        time.sleep(1.5)  # further runs must not assign anything twice
        for worker in workers:
            if worker is not victim:
                assert worker.stop() == 0
        listed = cli("topics", "list", "--all", "--json").json
        store.close()

    assigned = [t for t in listed if t["status"] == "assigned"]
    assert len(assigned) == 50
    drafts = [t["assignment"]["draft_path"] for t in assigned]
    assert len(set(drafts)) == 50
    assert all((site.root / path).exists() for path in drafts)


def holder_of_store(store, name: str) -> str | None:
    with store.write() as conn:
        return q.lease_holder(conn, name)


# --- schedules ---

def test_crontab_schedules_count_fire_times_in_their_time_zone():
    from zoneinfo import ZoneInfo

    daily = Schedule("assign", "0 9 * * *", ZoneInfo("Europe/Warsaw"))
    after_last_run = datetime(2025, 1, 10, 8, 0, 5, tzinfo=timezone.utc)  # 09:00:05 in Warsaw
    assert daily.next_after(after_last_run) == datetime(2025, 1, 11, 8, 0, tzinfo=timezone.utc)
    assert not daily.missed_since(after_last_run, datetime(2025, 1, 11, 7, 59, tzinfo=timezone.utc))
    assert daily.missed_since(after_last_run, datetime(2025, 1, 11, 8, 0, tzinfo=timezone.utc))
    every = Schedule("reviews", "every 10m", ZoneInfo("UTC"))
    assert every.next_after(after_last_run) == after_last_run + timedelta(minutes=10)


@pytest.mark.postgres
def test_four_workers_export_100_posts_each_into_exactly_one_doc_even_when_one_is_killed(site, cli, sandbox, tmp_path):
    from sandbox_fixtures import OWNER, app_clients, write_key_file

    key = write_key_file(sandbox, tmp_path)
    key.chmod(0o600)
    with fresh_pg_database() as url:
        site.write_config(
            f'[state]\nurl = "{url}"\n'
            f'[google]\nendpoint = "{sandbox.url}"\ncredentials = "{key}"\nsubject = "{OWNER}"\n'
            "drive_requests_per_minute = 100000\ndocs_writes_per_minute = 100000\n"
            '[schedule]\nexport = "every 1s"\nassign = ""\nreviews = ""\nlease_seconds = 2\n')
        for n in range(100):
            site.post(f"post-{n:03}.md", f"# Post {n}\n\nThe body of post number {n}.\n")
        store = open_store(url)

        def exported() -> int:
            with store.read() as conn:
                failed = [r.error for r in q.runs_of(conn, "export") if r.outcome == "failed"]
                assert not failed, f"an export run failed: {failed[0][:300]}"
                return q.exports_by_state(conn).get("in_review", 0)

        workers = [ServiceProcess(site) for _ in range(4)]
        wait_for(lambda: exported() >= 20, timeout=120, what="the first exports")
        workers[0].process.kill()  # SIGKILL mid-run: its claimed post is taken over once the claim expires
        workers[0].process.wait(10)
        wait_for(lambda: exported() == 100, timeout=300, what="all 100 posts exported")
        for worker in workers[1:]:
            assert worker.stop() == 0
        with store.read() as conn:
            recorded_workers = {r.worker for r in q.runs_of(conn, "export") if r.outcome == "ok"}
        store.close()

    assert len(recorded_workers) >= 2  # the work was shared
    drive, _docs = app_clients(sandbox, tmp_path)
    keys, token = [], None
    while True:
        page = drive.files().list(q="mimeType='application/vnd.google-apps.document' and trashed=false",
                                  fields="nextPageToken,files(id,appProperties)", pageSize=100,
                                  pageToken=token).execute()
        keys += [f.get("appProperties", {}).get("workflowPostKey") for f in page["files"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert len(keys) == 100 and len(set(keys)) == 100
