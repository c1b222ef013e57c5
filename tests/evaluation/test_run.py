"""bot.evaluation.run: the JSON document the pipeline reads, and its exit status on bad input."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.evaluation import compare, run
from bot.evaluation.model import content_hash

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path, *args):
    out = tmp_path / "out.json"
    return run.main([*args, "--json", str(out)]), out


def test_writes_the_documented_json(tiny_gpt2, tmp_path):
    rc, out = _run(tmp_path, "--model", str(tiny_gpt2), "--suite", "steward_agreement", "--suite", "steward_prose",
                   "--max-length", "48", "--batch-size", "4")  # fmt: skip
    assert rc == 0
    doc = json.loads(out.read_text())
    assert list(doc) == list(run.RESULT_KEYS)
    assert list(doc["results"]) == ["steward_agreement", "steward_prose"]
    assert set(doc["results"]["steward_agreement"]) == {"acc", "acc_stderr", "acc_norm", "acc_norm_stderr"}
    assert doc["results"]["steward_prose"]["bits_per_byte_stderr"] is None
    assert doc["n"] == {"steward_agreement": 160, "steward_prose": 16}
    assert doc["model"] == {"path": str(tiny_gpt2), "content_hash": content_hash(tiny_gpt2),
                            "parameters": doc["model"]["parameters"], "dtype": "float32", "max_length": 48,
                            "device": "cpu", "batch_size": 4}  # fmt: skip
    assert doc["model"]["parameters"] > 100_000
    assert doc["metrics"]["steward_prose"]["bits_per_byte"] == {"aggregation": "bits_per_byte",
                                                                "higher_is_better": False}  # fmt: skip
    assert len(doc["suites"]["steward_prose"]) == 64 and doc["engine_version"] == run.ENGINE_VERSION
    assert doc["runtime_s"] > 0
    # the per-item lists are exactly what compare.compare_task takes (rolling pairs as [ll, count])
    items = doc["items"]["steward_prose"]
    assert len(items["word_perplexity"]) == 16 and len(items["word_perplexity"][0]) == 2
    same = compare.compare_task(items, items)
    assert same.outcome == "unchanged" and all(m.delta == 0 for m in same.metrics)
    acc = doc["items"]["steward_agreement"]["acc"]
    assert sum(acc) / len(acc) == doc["results"]["steward_agreement"]["acc"]


def test_a_task_file_runs_with_its_data_resolved_inside_root(tiny_gpt2, tmp_path):
    repo = tmp_path / "repo"
    (repo / "evals" / "data").mkdir(parents=True)
    (repo / "evals" / "data" / "pol.jsonl").write_text(
        '{"s": "I loved it", "label": 1}\n{"s": "I hated it", "label": 0}\n{"s": "Great fun", "label": 1}\n'
    )
    (repo / "evals" / "pol.yaml").write_text(
        "task: pol\noutput_type: multiple_choice\ndataset_path: json\n"
        "dataset_kwargs:\n  data_files:\n    test: data/pol.jsonl\n"
        'doc_to_text: "{{s}}\\nSentiment:"\ndoc_to_choice: ["negative", "positive"]\ndoc_to_target: label\n'
        "metadata:\n  version: 2\n"
    )
    rc, out = _run(tmp_path, "--model", str(tiny_gpt2), "--suite", str(repo / "evals" / "pol.yaml"),
                   "--root", str(repo))  # fmt: skip
    assert rc == 0
    doc = json.loads(out.read_text())
    assert doc["n"] == {"pol": 3} and len(doc["items"]["pol"]["acc_norm"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--suite", "no_such_suite"], "error: suite 'no_such_suite': not a bundled suite"),
        (["--suite", "steward_prose", "--suite", "steward_prose"], "error: the same task is listed twice"),
        (["--batch-size", "0"], "error: batch size: expected a positive number"),
    ],
)
def test_bad_suites_exit_2_with_one_line(tiny_gpt2, tmp_path, capsys, args, message):
    rc, out = _run(tmp_path, "--model", str(tiny_gpt2), *args)
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists()
    assert err.startswith(message) and err.count("\n") == 1


def test_bad_suite_file_and_pickle_model_exit_2(tiny_gpt2, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("task: x\noutput_type: multiple_choice\ndoc_to_txt: q\n")
    rc, _ = _run(tmp_path, "--model", str(tiny_gpt2), "--suite", str(bad))
    err = capsys.readouterr().err
    assert rc == 2 and "doc_to_txt: unknown key; did you mean doc_to_text?" in err and err.count("\n") == 1
    pickled = shutil.copytree(tiny_gpt2, tmp_path / "pickled")
    (pickled / "pytorch_model.bin").write_bytes(b"\x80\x04")
    rc, _ = _run(tmp_path, "--model", str(pickled), "--suite", "steward_prose")
    err = capsys.readouterr().err
    assert rc == 2 and "refusing pickle weights (pytorch_model.bin)" in err and err.count("\n") == 1
    rc, _ = _run(tmp_path, "--model", str(tmp_path / "nowhere"))
    assert rc == 2 and "not a model directory" in capsys.readouterr().err


def test_runs_as_a_module_in_a_child_process(tiny_gpt2, tmp_path):
    out = tmp_path / "child.json"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}  # a scrubbed environment
    done = subprocess.run(
        [sys.executable, "-m", "bot.evaluation.run", "--model", str(tiny_gpt2), "--suite", "steward_arithmetic",
         "--device", "cpu", "--json", str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["n"] == {"steward_arithmetic": 160}
    bad = subprocess.run(
        [sys.executable, "-m", "bot.evaluation.run", "--model", str(tmp_path), "--json", str(out)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "no *.safetensors" in bad.stderr
