"""``steward eval``: a table and the JSON for one model; exactly the PR comment's Markdown for base vs head."""

import json
import re

from click.testing import CliRunner

from bot.cli import main
from bot.evaluation import report


def _steward(*args):
    return CliRunner().invoke(main, ["eval", *args], catch_exceptions=False)


def test_one_model_prints_a_table_and_writes_the_json(tiny_gpt2, tmp_path):
    out = tmp_path / "r.json"
    result = _steward("--model", str(tiny_gpt2), "--suite", "steward_agreement", "--max-length", "48",
                      "--json", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["task", "metric", "value", "stderr", "n"]
    acc = doc["results"]["steward_agreement"]["acc"]
    assert lines[1].split() == ["steward_agreement", "acc", f"{acc:.6g}",
                                f"{doc['results']['steward_agreement']['acc_stderr']:.4f}", "160"]  # fmt: skip
    assert lines[-1].startswith(f"model {tiny_gpt2} (") and "max length 48" in lines[-1]
    assert "steward_agreement" in result.stderr  # the progress bar's label, on stderr only


def test_base_and_head_print_exactly_the_comment(tiny_gpt2, noisy_gpt2, tmp_path):
    out = tmp_path / "both.json"
    result = _steward("--base", str(tiny_gpt2), "--head", str(noisy_gpt2), "--suite", "steward_prose",
                      "--base-sha", "a" * 40, "--head-sha", "b" * 40, "--json", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    docs = json.loads(out.read_text())
    runtime = float(re.search(r"runtime (\d+\.\d) s", result.stdout).group(1))
    verdict = report.compare_runs(docs["base"], docs["head"], {})
    expected = report.render(verdict, docs["base"], docs["head"], base_sha="a" * 40, head_sha="b" * 40,
                             runtime_s=runtime)  # fmt: skip
    assert result.stdout == expected
    assert result.stdout.startswith("## Steward evaluation: ❌ significant regression")


def test_usage_errors_and_bad_input_exit_2(tiny_gpt2, tmp_path):
    for args in (["--model", str(tiny_gpt2), "--base", str(tiny_gpt2)], ["--base", str(tiny_gpt2)], []):
        result = _steward(*args)
        assert result.exit_code == 2 and "give either --model DIR, or both --base DIR and --head DIR" in result.output
    result = _steward("--model", str(tiny_gpt2), "--suite", "nope")
    assert result.exit_code == 2 and "Error: suite 'nope': not a bundled suite" in result.output
    result = _steward("--model", str(tiny_gpt2), "--threshold", "acc=high")
    assert result.exit_code == 2 and "expected METRIC=NUMBER" in result.output
