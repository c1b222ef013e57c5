"""The ``evaluate`` job (queue ``eval``): one PR head against its base, published as one comment + one check run.

1. Claim the run (``queued`` → ``running``; a cancelled run is left alone).
2. Read ``evaluation:`` from ``.github/steward.yml`` at the BASE commit: none → nothing (the row goes);
   invalid → a ``failure`` check run naming the wrong keys.
3. The PR's changed files against ``paths``: none touched → ``skipped`` (comment + neutral check run).
4. Base and head from the tarball API into temporary directories (``checkout.py``), deleted afterwards. The
   suites are the base's (both sides are scored on the same documents). Per side: pickle weights refused, the
   model's content hash looked up in the result cache (``cache.py``), else ``python -m bot.evaluation.run``
   in the sandbox (``sandbox.py``: scrubbed environment, time and memory limits, no network). A superseded
   run is stopped between steps and its evaluator killed.
5. ``report.compare_runs`` → ``report.render``: the one comment (marker ``evaluation``) is upserted and the
   check run completed — ``failure`` on a significant regression, ``neutral`` when inconclusive, skipped or
   when the base could not be evaluated, else ``success``; the run row keeps one result per (task, metric).
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bot import gh, jobs, outbound, repo_config
from bot.db import now, transaction
from bot.evaluation import cache, checkout, runs, sandbox
from bot.evaluation.config import EvaluationConfig
from bot.models.evaluation import CANCELLED, COMPLETED, FAILURE, NEUTRAL, QUEUED, RUNNING, SKIPPED, SUCCESS, EvalRun

log = logging.getLogger(__name__)
WALL_S = 1800.0  # per side
BUILD_WALL_S = 900.0  # the config's build command, per side
MEMORY_BYTES = 16 * 1024**3
RESULT_MAX_BYTES = 64 * 1024**2
STOP_CHECK_S = 2.0
CONCLUSIONS = {"regressed": FAILURE, "inconclusive": NEUTRAL, "improved": SUCCESS, "unchanged": SUCCESS}
TITLES = {FAILURE: "Significant regression", NEUTRAL: "Inconclusive", SUCCESS: "No significant regression"}


class Cancelled(Exception):  # noqa: N818 - a superseded run, not an error
    pass


class EvalFailure(Exception):
    """The evaluation could not produce numbers; ``str()`` is shown to the PR author."""

    def __init__(self, message: str, conclusion: str = FAILURE) -> None:
        super().__init__(message)
        self.conclusion = conclusion


@dataclass
class Outcome:
    status: str
    conclusion: str
    title: str
    body: str
    results: list[dict] = field(default_factory=list)
    runtime_s: float = 0.0
    error: str | None = None


@jobs.kind(runs.KIND, queue="eval", max_attempts=1)
def evaluate(runtime, args: dict[str, Any]) -> None:
    try:
        _run(runtime, args["run_id"])
    except jobs.Retry:
        raise  # a GitHub rate limit: the engine runs it again at the reset (the run is re-claimed)
    except Exception as exc:  # a bug or GitHub failing: the run and its check run must not stay "in progress"
        _give_up(runtime, args["run_id"], exc)
        raise


def _give_up(runtime, run_id: int, exc: Exception) -> None:
    with transaction(runtime.factory) as uow:
        run = uow.get(EvalRun, run_id)
        if run is None or run.status != RUNNING:
            return
        run.status, run.conclusion, run.finished_at = COMPLETED, NEUTRAL, now()
        run.error = f"Steward could not finish the evaluation: {type(exc).__name__}: {exc}"[:2000]
        uow.flush()
        uow.expunge(run)
    if run.check_run_id is not None:
        try:
            api = gh.installation_api(runtime, run.installation_id, repository_id=run.repository_id)
            runs.publish_check(api, run, {"status": "completed", "conclusion": NEUTRAL, "completed_at": now(),
                                          "output": {"title": "Evaluation failed", "summary": run.error}})
        except Exception:
            log.warning("could not complete the check run of evaluation %s", run_id, exc_info=True)


def _run(runtime, run_id: int) -> None:
    with transaction(runtime.factory) as uow:
        claimed = uow.execute(update(EvalRun).where(EvalRun.id == run_id, EvalRun.status.in_((QUEUED, RUNNING)))
                              .values(status=RUNNING, started_at=now())).rowcount
        run = uow.get(EvalRun, run_id) if claimed == 1 else None
        if run is not None:
            uow.expunge(run)
    if run is None:
        return  # cancelled before it started
    api = gh.installation_api(runtime, run.installation_id, repository_id=run.repository_id)
    if api.dry:  # nothing can be read or reported without App credentials: no run is kept
        log.info("evaluate %s#%s: no GitHub App credentials; skipped", run.repository, run.pr_number)
        runs.drop(runtime, run.id)
        return
    config = runs.read_config(runtime, run)
    if config is None:
        _forget(runtime, api, run)
        return
    if isinstance(config, repo_config.ConfigError):
        check_id = runs.publish_check(api, run, runs.config_failure(api, run, config))
        runs.save(runtime, run.id, check_run_id=check_id, status=SKIPPED, conclusion=FAILURE, finished_at=now(),
                  error=str(config))
        return
    summary = f"Evaluating base `{run.base_sha[:12]}` and head `{run.head_sha[:12]}`."
    run.check_run_id = runs.publish_check(api, run, {"status": "in_progress", "started_at": now(),
                                                     "output": {"title": "Evaluating", "summary": summary}})
    runs.save(runtime, run.id, check_run_id=run.check_run_id)
    try:
        outcome = _outcome(runtime, api, run, config, _stop_check(runtime, run.id))
    except Cancelled:
        _publish_cancelled(api, run)
        return
    _publish(runtime, api, run, outcome)


def _outcome(runtime, api, run: EvalRun, config: EvaluationConfig, stop: Callable[[], bool]) -> Outcome:
    from bot.evaluation import report

    files = api.pull_files(run.repository, run.pr_number, run.head_sha)
    if not any(matches(pattern, path) for pattern in config.paths for path in files):
        reason = "this pull request changes none of the paths the evaluation watches: " + ", ".join(config.paths)
        return Outcome(SKIPPED, SKIPPED, "Skipped", report.render_skipped(reason))
    try:
        with checkout.checkout(api, run.repository, run.base_sha) as base_root, \
                checkout.checkout(api, run.repository, run.head_sha) as head_root:
            inputs = cache.inputs_hash(base_root, config.suites)
            if config.build and run.trusted:  # the base config's command; never for an approved outsider's PR
                _build(config.build, (("base", base_root), ("head", head_root)), stop,
                       sandbox.secret_paths(runtime.settings))
            sides = [_prepare("base", base_root, config, inputs), _prepare("head", head_root, config, inputs)]
            (base, base_s), (head, head_s) = (_evaluate(runtime, side, base_root, config, stop) for side in sides)
    except checkout.CheckoutError as exc:
        return _failed(report, str(exc))
    except EvalFailure as exc:
        return _failed(report, str(exc), exc.conclusion)
    if stop():
        raise Cancelled
    verdict = report.compare_runs(base, head, dict(config.thresholds))
    runtime_s = round(base_s + head_s, 3)
    body = report.render(verdict, base, head, base_sha=run.base_sha, head_sha=run.head_sha, runtime_s=runtime_s)
    conclusion = CONCLUSIONS.get(verdict.outcome, NEUTRAL)
    return Outcome(COMPLETED, conclusion, TITLES[conclusion], body, report.results(verdict), runtime_s)


def _failed(report, message: str, conclusion: str = FAILURE) -> Outcome:
    body = report.render_skipped(f"the evaluation could not run: {message}")
    return Outcome(COMPLETED, conclusion, "Evaluation failed", body, error=message)


@dataclass(frozen=True)
class Side:
    name: str  # base | head
    directory: Path
    model_hash: str
    inputs: str
    key: str


def _prepare(name: str, root: Path, config: EvaluationConfig, inputs: str) -> Side:
    """Check one side's model directory (inside the checkout, no pickle weights) and make its cache key."""
    from bot.evaluation import model

    blame = FAILURE if name == "head" else NEUTRAL  # a broken base is not the pull request's fault
    directory = Path(os.path.realpath(root / config.model))
    if not directory.is_relative_to(Path(os.path.realpath(root))):
        raise EvalFailure(f"the {name}'s model directory {config.model} lies outside the repository", blame)
    try:
        model.check_directory(directory)  # pickle weights are refused here, before anything runs
    except model.ModelError as exc:
        reason = str(exc).replace(str(directory), config.model)
        raise EvalFailure(f"the {name}'s model {reason}", blame) from None
    model_hash = model.content_hash(directory)
    settings = {"max_length": config.max_length, "batch_size": config.batch_size, "device": config.device}
    return Side(name, directory, model_hash, inputs, cache.key(model_hash, inputs, settings))


def _build(command: str, roots: tuple[tuple[str, Path], ...], stop: Callable[[], bool], hide: list[Path]) -> None:
    """Run the config's ``build`` command in each checkout, sandboxed like the evaluation (trusted runs only)."""
    for name, root in roots:
        done = sandbox.run(["/bin/sh", "-c", command], cwd=root, wall_s=BUILD_WALL_S, memory_bytes=MEMORY_BYTES,
                           should_stop=stop, hide=hide)
        if done.stopped:
            raise Cancelled
        if done.timed_out or done.returncode != 0:
            why = f"did not finish within {BUILD_WALL_S:.0f} s" if done.timed_out else (
                f"exited with status {done.returncode}: {done.last_line()}")
            raise EvalFailure(f"the build command failed on the {name}: {why}", FAILURE if name == "head" else NEUTRAL)


def _evaluate(runtime, side: Side, suites_root: Path, config: EvaluationConfig,
              stop: Callable[[], bool]) -> tuple[dict, float]:
    """One side's results: from the cache, else from the evaluator in the sandbox; and the seconds it took."""
    if (hit := cache.get(runtime.factory, side.key)) is not None:
        return hit, 0.0
    if stop():
        raise Cancelled
    blame = FAILURE if side.name == "head" else NEUTRAL
    argv = ["-m", "bot.evaluation.run", "--model", str(side.directory), "--batch-size", str(config.batch_size)]
    for suite in config.suites:
        argv += ["--suite", str(suites_root / suite) if suite.endswith((".yaml", ".yml")) else suite]
    argv += ["--root", str(suites_root)]  # task files and their data must lie in the base checkout
    if config.max_length is not None:
        argv += ["--max-length", str(config.max_length)]
    if config.device != "auto":
        argv += ["--device", config.device]
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="steward-result-") as out:
        target = Path(out) / "result.json"
        memory = None if config.device.startswith("cuda") else MEMORY_BYTES  # CUDA maps huge address space
        done = sandbox.run_python([*argv, "--json", str(target)], cwd=suites_root, wall_s=WALL_S,
                                  memory_bytes=memory, should_stop=stop, hide=sandbox.secret_paths(runtime.settings))
        if done.stopped:
            raise Cancelled
        if done.timed_out:
            raise EvalFailure(f"the evaluation of the {side.name} did not finish within {WALL_S:.0f} s", blame)
        if done.returncode != 0 or not target.is_file() or target.stat().st_size > RESULT_MAX_BYTES:
            reason = done.last_line().replace(str(side.directory), config.model)
            raise EvalFailure(f"the evaluator failed on the {side.name}: {reason}", blame)
        result = json.loads(target.read_text())
    elapsed = round(time.monotonic() - started, 3)
    cache.put(runtime.factory, side.key, model_hash=side.model_hash, inputs=side.inputs, result=result,
              runtime_s=elapsed)
    return result, elapsed


def matches(pattern: str, path: str) -> bool:
    """Glob match on ``/``-separated paths: ``**`` spans folders, ``*`` and ``?`` stay within one; a pattern
    naming a folder matches everything under it."""
    rx = re.escape(pattern.rstrip("/")).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
    rx = rx.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
    return re.fullmatch(rx + "(?:/.*)?", path) is not None


def _stop_check(runtime, run_id: int) -> Callable[[], bool]:
    last = [0.0, False]

    def stop() -> bool:
        if not last[1] and time.monotonic() - last[0] >= STOP_CHECK_S:
            with runtime.factory() as uow:
                row = uow.get(EvalRun, run_id)
                last[:] = [time.monotonic(), row is None or row.status != RUNNING]
        return bool(last[1])

    return stop


def _publish(runtime, api: gh.InstallationAPI, run: EvalRun, outcome: Outcome) -> None:
    with transaction(runtime.factory) as uow:  # only while still ours: a newer push may have cancelled it
        done = uow.execute(update(EvalRun).where(EvalRun.id == run.id, EvalRun.status == RUNNING).values(
            status=outcome.status, conclusion=outcome.conclusion, finished_at=now(), runtime_s=outcome.runtime_s,
            results=outcome.results, error=outcome.error)).rowcount
    if done != 1:
        _publish_cancelled(api, run)
        return
    api.upsert_comment(run.repository, run.pr_number, runs.MARKER, outcome.body)
    check = NEUTRAL if outcome.conclusion == SKIPPED else outcome.conclusion
    runs.publish_check(api, run, {"status": "completed", "conclusion": check, "completed_at": now(), "output": {
        "title": outcome.title, "summary": outbound.cap(outcome.body, outbound.CHECK_TEXT_MAX)}})


def _publish_cancelled(api: gh.InstallationAPI, run: EvalRun) -> None:
    runs.publish_check(api, run, {"status": "completed", "conclusion": CANCELLED, "completed_at": now(),
                                  "output": {"title": "Superseded", "summary": "A newer push superseded this"
                                             " evaluation."}})


def _forget(runtime, api: gh.InstallationAPI, run: EvalRun) -> None:
    """No ``evaluation:`` section at the base: the run is dropped (a waiting check run is completed)."""
    if run.check_run_id is not None:
        runs.publish_check(api, run, {"status": "completed", "conclusion": NEUTRAL, "completed_at": now(),
                                      "output": {"title": "Not configured", "summary": "The base branch's"
                                                 f" `{repo_config.CONFIG_PATH}` has no `evaluation:` section."}})
    runs.drop(runtime, run.id)
