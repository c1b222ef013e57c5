"""bot.evaluation.report: run documents → Verdict → the PR comment's Markdown."""

import copy

import pytest

from bot.evaluation import report
from bot.evaluation.run import evaluate

BASE_SHA, HEAD_SHA = "1" * 40, "2" * 40


def _doc(acc_items, ppl_items, suite="s" * 64):
    n_mc, n_ppl = len(acc_items), len(ppl_items)
    return {
        "results": {
            "mc": {"acc": sum(acc_items) / n_mc, "acc_stderr": 0.05},
            "ppl": {"bits_per_byte": 1.0, "bits_per_byte_stderr": None},
        },
        "n": {"mc": n_mc, "ppl": n_ppl},
        "model": {"path": "m", "content_hash": "h", "parameters": 10, "dtype": "float32", "max_length": 64},
        "items": {"mc": {"acc": list(acc_items)}, "ppl": {"bits_per_byte": [list(p) for p in ppl_items]}},
        "metrics": {
            "mc": {"acc": {"aggregation": "mean", "higher_is_better": True}},
            "ppl": {"bits_per_byte": {"aggregation": "bits_per_byte", "higher_is_better": False}},
        },
        "suites": {"mc": suite, "ppl": suite},
        "engine_version": "steward-eval/1",
        "runtime_s": 1.0,
    }


BASE = _doc([1.0] * 60 + [0.0] * 40, [(-100.0 - i, 80) for i in range(30)])


def _render(verdict, base, head):
    return report.render(verdict, base, head, base_sha=BASE_SHA, head_sha=HEAD_SHA, runtime_s=12.5)


def test_identical_runs_are_unchanged_with_zero_delta():
    verdict = report.compare_runs(BASE, copy.deepcopy(BASE), {})
    assert verdict.outcome == "unchanged" and verdict.conclusion == "success" and not verdict.regressions
    assert all(m.delta == 0 and m.ci == (0.0, 0.0) for v in verdict.tasks.values() for m in v.metrics)
    body = _render(verdict, BASE, BASE)
    assert body.startswith("## Steward evaluation: ✅ no significant change\n")
    assert "| mc / acc ↑ | 0.6000 | 0.6000 | 0 | [0.0000, 0.0000] | unchanged (Δ = 0) |" in body
    assert f"Base `{BASE_SHA[:12]}` → head `{HEAD_SHA[:12]}`" in body
    assert "items per task: mc 100, ppl 30" in body and "runtime 12.5 s" in body
    assert "<!--" not in body  # the pipeline adds the hidden marker
    assert "\n<details><summary>Per-task details</summary>\n" in body and body.endswith("</details>\n")


def test_a_significant_regression_fails():
    head = _doc([1.0] * 30 + [0.0] * 70, [(-110.0 - i, 80) for i in range(30)])
    head["items"]["mc"]["acc"] = [1.0] * 30 + [0.0] * 70  # 30 items flipped from right to wrong
    verdict = report.compare_runs(BASE, head, {"acc": 0.05})
    assert verdict.outcome == "regressed" and verdict.conclusion == "failure"
    assert [(t, m.metric) for t, m in verdict.regressions] == [("mc", "acc"), ("ppl", "bits_per_byte")]
    acc = verdict.tasks["mc"].metric("acc")
    assert acc.delta == pytest.approx(-0.3) and acc.test == "mcnemar-exact" and acc.threshold == 0.05
    body = _render(verdict, BASE, head)
    assert body.startswith("## Steward evaluation: ❌ significant regression\n")
    assert "| mc / acc ↑ | 0.6000 | 0.3000 | -0.3000 (-50.00%) |" in body and "❌ regressed" in body
    assert "mcnemar-exact, p = " in body and "paired-bootstrap" in body


def test_thresholds_use_the_default_units():
    limits = report.thresholds_for({"acc": 0.02, "bits_per_byte": 0.01})
    assert limits["acc"].value == 0.02 and not limits["acc"].relative
    assert limits["bits_per_byte"].value == 0.01 and limits["bits_per_byte"].relative
    assert limits["word_perplexity"].relative  # untouched default: 0.5 % of the base
    small = _doc([1.0] * 59 + [0.0] * 41, [(-100.0 - i, 80) for i in range(30)])
    verdict = report.compare_runs(BASE, small, {"acc": 0.02})
    assert verdict.tasks["mc"].metric("acc").outcome == "unchanged"  # |Δ| = 0.01 is below the threshold
    assert verdict.outcome == "unchanged"


def test_tasks_that_cannot_be_paired_are_listed_not_compared():
    head = copy.deepcopy(BASE)
    head["suites"]["ppl"] = "t" * 64
    del head["results"]["mc"], head["n"]["mc"], head["items"]["mc"]
    verdict = report.compare_runs(BASE, head, {})
    assert list(verdict.tasks) == [] and verdict.outcome == "incomparable" and verdict.conclusion == "neutral"
    assert verdict.incomparable == {"ppl": "the suite differs between base and head", "mc": "not run on the head"}
    body = _render(verdict, BASE, head)
    assert "➖ nothing to compare" in body and "| mc | – | – | – | – | not compared: not run on the head |" in body


def test_names_from_pr_files_are_escaped():
    base, head = copy.deepcopy(BASE), copy.deepcopy(BASE)
    for doc in (base, head):
        for key in ("results", "n", "items", "metrics", "suites"):
            doc[key]["<img src=x>|*evil*"] = doc[key].pop("mc")
    body = _render(report.compare_runs(base, head, {}), base, head)
    assert "<img" not in body and "&lt;img src=x&gt;\\|\\*evil\\*" in body
    assert report.render_skipped("no path matched `models/**` <b> & co") == (
        "## Steward evaluation: ⏭️ skipped\n\nno path matched \\`models/\\*\\*\\` &lt;b&gt; &amp; co\n"
    )


def test_the_comment_stays_under_the_limit():
    base, head = copy.deepcopy(BASE), copy.deepcopy(BASE)
    for doc in (base, head):
        for i in range(400):  # a suite with hundreds of tasks
            for key in ("results", "n", "items", "metrics", "suites"):
                doc[key][f"task_{i:03d}_" + "x" * 40] = copy.deepcopy(doc[key]["mc"])
    verdict = report.compare_runs(base, head, {})
    body = _render(verdict, base, head)
    assert len(body) < 65_536 and len(body) <= report.MAX_CHARS
    assert "truncated" in body


def test_noisy_weights_regress_and_identical_weights_do_not(tiny_gpt2, noisy_gpt2):
    suites = ["steward_prose"]
    base = evaluate(str(tiny_gpt2), suites, max_length=64, batch_size=8)
    head = evaluate(str(noisy_gpt2), suites, max_length=64, batch_size=8)
    verdict = report.compare_runs(base, head, {})
    assert verdict.outcome == "regressed" and verdict.conclusion == "failure"
    bpb = verdict.tasks["steward_prose"].metric("bits_per_byte")
    assert bpb.delta > 0 and bpb.significant and bpb.ci[0] > 0
    same = evaluate(str(tiny_gpt2), suites, max_length=64, batch_size=1)
    verdict = report.compare_runs(base, same, {})
    assert verdict.outcome == "unchanged" and verdict.conclusion == "success"
    assert all(m.delta == 0 for m in verdict.tasks["steward_prose"].metrics)
    assert "✅ no significant change" in _render(verdict, base, same)
