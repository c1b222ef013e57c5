"""The Celery executor against the real Redis and RabbitMQ servers, with real ``steward worker`` processes.

Jobs run end to end through both brokers (a job row committed first, its id sent after commit, the
worker claims and runs it); evaluation-queue jobs go only to a worker consuming ``eval``; a delivery
is handed to a worker by the clock's hand-out; a worker SIGKILLed mid-job leaves its job ``running``
with a stopped heartbeat, the sweep recovers and re-sends it, it runs again and its effect (a row with a
unique key) exists once; a private ``redis-server`` killed and restarted loses its queued messages and
the sweep re-sends every job still pending. Always on PostgreSQL (a database created for this module).
Each test namespaces its queues with a unique ``queue_prefix``, so nothing else on the shared brokers
can take its messages.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot import executors, jobs, migrate
from bot.db import make_engine, transaction
from bot.inbox import NewDelivery
from bot.models import Contribution, Delivery, Job
from bot.runtime import Runtime
from bot.settings import Settings
from tests.conftest import create_database, drop_database, load

pytestmark = pytest.mark.slow
REDIS = "redis://127.0.0.1:6379/0"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"
WORKER_MAIN = "import tests.test_celery; from bot.cli import main; main()"  # registers the kinds below
FAST = {"job_resend_s": 1.0, "job_stuck_s": 2.0, "job_heartbeat_s": 0.3}


def _effect(runtime: Runtime, args: dict) -> None:
    """Log every run; write the effect once (unique key). ``hold`` makes the first run wait for a kill."""
    with transaction(runtime.factory) as uow:
        uow.execute(text("INSERT INTO celery_runs (key, pid) VALUES (:k, :p)"), {"k": args["key"], "p": os.getpid()})
        runs = uow.scalar(text("SELECT count(*) FROM celery_runs WHERE key = :k"), {"k": args["key"]})
    if args.get("hold") and runs == 1:
        time.sleep(60)  # killed long before this ends
    with transaction(runtime.factory) as uow:
        uow.execute(text("INSERT INTO celery_effects (key) VALUES (:k) ON CONFLICT DO NOTHING"), {"k": args["key"]})


@jobs.kind("test.celery_eval_effect", queue="eval")
def _eval_effect(runtime: Runtime, args: dict) -> None:
    _effect(runtime, args)


jobs.kind("test.celery_effect")(_effect)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    name = f"steward_celery_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = create_database(name)
    migrate.upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE celery_effects (key text PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE celery_runs (id serial PRIMARY KEY, key text NOT NULL, pid int)"))
    engine.dispose()
    yield url
    drop_database(name)


class Setup:
    """The test process's side: a runtime whose commits publish, the clock's sweep and hand-out, workers."""

    def __init__(self, url: str, broker: str, tmp: Path) -> None:
        self.settings = Settings(database_url=url, broker_url=broker, queue_prefix=f"t{uuid.uuid4().hex[:8]}.",
                                 webhook_secret="s", **FAST)
        self.runtime = Runtime.build(self.settings, inline_dispatch=False)
        self.executor = executors.install(self.runtime)
        self.sweep = executors.Sweep(self.runtime, self.executor)
        self.hand_out = executors.HandOut(self.runtime, self.executor)
        self.tmp, self.workers = tmp, []

    def worker(self, queues: str = "default,eval") -> subprocess.Popen:
        s = self.settings
        env = {**os.environ, "STEWARD_DATABASE_URL": s.database_url, "STEWARD_BROKER_URL": s.broker_url,
               "STEWARD_QUEUE_PREFIX": s.queue_prefix, "STEWARD_JOB_HEARTBEAT_S": str(s.job_heartbeat_s),
               "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        with (self.tmp / f"worker-{len(self.workers)}.log").open("ab") as log:
            proc = subprocess.Popen([sys.executable, "-c", WORKER_MAIN, "worker", "--queues", queues, "--pool",
                                     "solo"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(proc)
        return proc

    def enqueue(self, kind: str, key: str, **args) -> int:
        with transaction(self.runtime.factory) as uow:
            jobs.enqueue(uow, kind, {"key": key, **args}, key=key)
        with self.runtime.factory() as uow:
            return uow.scalar(select(Job.id).where(Job.dedupe_key == f"{kind}:{key}"))

    def status(self, job_id: int) -> tuple[str, int]:
        with self.runtime.factory() as uow:
            job = uow.get_one(Job, job_id)
            return job.status, job.attempts

    def count(self, sql: str, **params) -> int:
        with self.runtime.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def wait(self, done: Callable[[], bool], what: str, timeout: float = 40.0,
             tick: Callable[[], object] | None = None) -> None:
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.2) + 1):
            if tick is not None:
                tick()
            if done():
                return
            if time.monotonic() > deadline:
                break
            time.sleep(0.2)
        logs = "\n".join(p.read_text()[-1500:] for p in sorted(self.tmp.glob("worker-*.log")))
        raise AssertionError(f"timed out waiting for {what}; worker logs:\n{logs}")

    def close(self) -> None:
        for proc in self.workers:
            kill(proc)
        self.runtime.close()


def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
    proc.wait(timeout=30)


@pytest.fixture(params=[REDIS, RABBITMQ], ids=["redis", "rabbitmq"])
def setup(request, pg_url, tmp_path) -> Iterator[Setup]:
    s = Setup(pg_url, request.param, tmp_path)
    try:
        yield s
    finally:
        s.close()


def test_jobs_and_deliveries_run_on_workers_end_to_end(setup):
    eval_job = setup.enqueue("test.celery_eval_effect", f"eval-{uuid.uuid4()}")
    ids = [setup.enqueue("test.celery_effect", f"e2e-{uuid.uuid4()}") for _ in range(5)]
    setup.worker("default")  # no eval queue: GPU machines take those
    setup.wait(lambda: all(setup.status(i)[0] == "done" for i in ids), "the default-queue jobs")
    assert setup.status(eval_job) == ("pending", 0)
    setup.worker("eval")
    setup.wait(lambda: setup.status(eval_job)[0] == "done", "the eval job")
    assert [setup.status(i) for i in ids] == [("done", 1)] * 5

    body = load("issue_comment", "created")
    body["comment"]["id"] = int(uuid.uuid4().int % 10**9) + 10**9
    pk = setup.runtime.receive(NewDelivery.parse(str(uuid.uuid4()), "issue_comment", _json(body)))
    assert setup.hand_out() == 1  # the clock's tick: the pending delivery goes to a worker
    with setup.runtime.factory() as uow:
        setup.wait(lambda: (uow.rollback(), uow.get_one(Delivery, pk).status)[1] == "processed", "the delivery")
        assert uow.get_one(Delivery, pk).attempts == 1
        assert uow.scalar(select(Contribution.kind).where(Contribution.url == body["comment"]["html_url"])) \
            == "issue_comment"


def test_a_sigkilled_worker_s_job_runs_again_and_its_effect_happens_once(setup):
    key = f"kill-{uuid.uuid4()}"
    worker = setup.worker()
    job_id = setup.enqueue("test.celery_effect", key, hold=True)
    setup.wait(lambda: setup.count("SELECT count(*) FROM celery_runs WHERE key = :k", k=key) == 1, "the first run")
    kill(worker)  # mid-job: the row stays `running`, its heartbeat stops
    assert setup.status(job_id) == ("running", 1)
    setup.worker()
    setup.wait(lambda: setup.status(job_id)[0] == "done", "the job to run again", tick=setup.sweep)
    assert setup.status(job_id) == ("done", 2)
    assert setup.count("SELECT count(*) FROM celery_runs WHERE key = :k", k=key) == 2
    assert setup.count("SELECT count(*) FROM celery_effects WHERE key = :k", k=key) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
                             "127.0.0.1", "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return proc
        except OSError:
            time.sleep(0.05)
    kill(proc)
    raise AssertionError("the private redis-server did not start")


def test_a_broker_restart_loses_no_job(pg_url, tmp_path):
    port = free_port()
    broker = redis_server(port)
    setup = Setup(pg_url, f"redis://127.0.0.1:{port}/0", tmp_path)
    try:
        keys = [f"lost-{uuid.uuid4()}" for _ in range(3)] + [f"down-{uuid.uuid4()}" for _ in range(2)]
        ids = [setup.enqueue("test.celery_effect", key) for key in keys[:3]]  # sent: queued in the broker
        kill(broker)  # no persistence: those messages are gone
        ids += [setup.enqueue("test.celery_effect", key) for key in keys[3:]]  # cannot be sent now
        broker = redis_server(port)
        setup.worker()
        setup.wait(lambda: all(setup.status(i)[0] == "done" for i in ids), "every job", tick=setup.sweep)
        assert [setup.status(i) for i in ids] == [("done", 1)] * 5
        for key in keys:  # each ran once and had its effect once
            assert setup.count("SELECT count(*) FROM celery_runs WHERE key = :k", k=key) == 1
            assert setup.count("SELECT count(*) FROM celery_effects WHERE key = :k", k=key) == 1
    finally:
        setup.close()
        kill(broker)


def _json(body: dict) -> bytes:
    import json

    return json.dumps(body).encode()
