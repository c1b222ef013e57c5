"""The demo's evaluated pull request: what a contributor receives when a PR changes the model.

Two tiny models are built locally (``bot/evaluation/tiny.py``: a random GPT-2-style model and a tokenizer
trained on the bundled suites' text; nothing is downloaded), the head a copy of the base with noise added
to its weights. Both are evaluated with the real engine (``bot.evaluation.run.evaluate``) on two bundled
suites, compared (``report.compare_runs``) and rendered exactly as the PR comment (``report.render``). The
run is stored as an ``EvalRun`` of the demo repository's newest pull request, and the comment as the
recorded (dry-run) write that Steward would have sent, so the evaluations page shows both.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bot import outbound
from bot.db import now, transaction
from bot.models import PullRequest
from bot.models.evaluation import COMPLETED, EvalRun

SUITES = ("steward_agreement", "steward_prose")
MARKER = "evaluation"  # the pipeline's comment marker
NOISE = 0.5  # times each tensor's spread: enough for a visible, significant regression


def evaluate_demo_pr(runtime, repository: str, repository_id: int) -> EvalRun | None:
    """Evaluate a degraded head against its base for the newest demo PR; the stored run (None: no PR)."""
    from bot.evaluation import pipeline, report, tiny
    from bot.evaluation.run import evaluate

    with runtime.factory() as uow:
        pr = uow.scalars(select(PullRequest).where(PullRequest.repository_id == repository_id)
                         .order_by(PullRequest.created_at.desc(), PullRequest.id.desc()).limit(1)).first()
        if pr is None:
            return None
        number, base_sha, head_sha = pr.number, pr.base_sha or "0" * 40, pr.head_sha or "f" * 40
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="steward-demo-eval-") as folder:
        base_dir = tiny.build_model(Path(folder) / "base", seed=0)
        head_dir = tiny.add_noise(base_dir, Path(folder) / "head", scale=NOISE)
        base, head = (evaluate(str(side), SUITES, max_length=64, batch_size=8) for side in (base_dir, head_dir))
    runtime_s = round(time.perf_counter() - started, 1)
    verdict = report.compare_runs(base, head, {})
    body = report.render(verdict, base, head, base_sha=base_sha, head_sha=head_sha, runtime_s=runtime_s)
    conclusion = pipeline.CONCLUSIONS.get(verdict.outcome, pipeline.NEUTRAL)
    with transaction(runtime.factory) as uow:
        run = EvalRun(repository_id=repository_id, repository=repository, pr_number=number, base_sha=base_sha,
                      head_sha=head_sha, status=COMPLETED, conclusion=conclusion, trusted=True,
                      created_at=now(), started_at=now(), finished_at=now(), runtime_s=runtime_s,
                      results=report.results(verdict))
        uow.add(run)
    outbound.record(runtime.factory, installation_id=None, repository=repository, kind="comment",
                    target=f"issues/{number}", payload={"marker": MARKER, "body": outbound.comment_body(MARKER, body)},
                    status=outbound.DRY_RUN)
    return run

