"""Evaluation speed: lm-eval 0.4.13 (``HFLM``, batch size 8) against Steward's engine, same model, same tasks.

    python benchmarks/eval.py [--size small|tiny] [--arch llama|gpt2] [--max-length 64] [--batch-size 8]
                              [--prose 6] [--agreement 80] [--arithmetic 40] [--repeat 2]

A random model is built from a config (``tests/evaluation/tiny.py``: "small" is 6 layers, d = 256, with a
byte-level BPE tokenizer trained on the bundled text) and saved as safetensors. The tasks are the bundled
task YAML files, unchanged, beside the first documents of their data (default: 6 prose documents, 80
agreement pairs = 160 requests, 40 arithmetic questions = 160 requests, as in issue 4's reference setup).

Both sides get the already-loaded model in the same process; only scoring is timed (``simple_evaluate`` for
lm-eval, ``evaluate_task`` for Steward; each the best of ``--repeat`` runs). The benchmark checks that every
aggregate agrees (within 1e-4; word perplexity within a relative 1e-4) and prints the time ratio.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _slice_tasks(folder: Path, counts: dict[str, int]) -> None:
    from bot.evaluation.run import BUNDLED

    for name, count in counts.items():
        (folder / f"{name}.yaml").write_bytes((BUNDLED / name / f"{name}.yaml").read_bytes())
        lines = (BUNDLED / name / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[:count]
        (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small", choices=("tiny", "small"))
    parser.add_argument("--arch", default="llama", choices=("llama", "gpt2"))
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--prose", type=int, default=6)
    parser.add_argument("--agreement", type=int, default=80)
    parser.add_argument("--arithmetic", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    counts = {"steward_prose": args.prose, "steward_agreement": args.agreement, "steward_arithmetic": args.arithmetic}

    import datasets
    import torch
    import transformers
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    from bot.evaluation.engine_tasks import evaluate_task
    from bot.evaluation.model import load
    from bot.evaluation.suite import load_task
    from bot.evaluation.tiny import build_model

    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        model_dir = build_model(work / "model", arch=args.arch, add_bos=args.arch == "llama", size=args.size)
        tasks_dir = work / "tasks"
        tasks_dir.mkdir()
        _slice_tasks(tasks_dir, counts)
        datasets.config.HF_DATASETS_CACHE = work / "datasets"
        os.chdir(tasks_dir)  # lm-eval 0.4.13 resolves data_files against the working directory

        lm = load(model_dir, max_length=args.max_length)
        hf_model = transformers.AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32)
        hf_tok = transformers.AutoTokenizer.from_pretrained(str(model_dir))
        hflm = HFLM(pretrained=hf_model, tokenizer=hf_tok, device="cpu", max_length=args.max_length,
                    batch_size=args.batch_size)  # fmt: skip
        manager = TaskManager(include_path=str(tasks_dir), include_defaults=False)
        tasks = {name: load_task(f"{name}.yaml", tasks_dir) for name in counts}
        requests = sum(len(t.documents) if t.output_type != "multiple_choice" else
                       sum(len(t.choices(d)) for d in t.documents) for t in tasks.values())  # fmt: skip

        theirs_s, ours_s = math.inf, math.inf
        for _ in range(args.repeat):
            started = time.perf_counter()
            theirs = simple_evaluate(model=hflm, tasks=list(counts), task_manager=manager, verbosity="ERROR")
            theirs_s = min(theirs_s, time.perf_counter() - started)
            started = time.perf_counter()
            ours = {name: evaluate_task(lm, task, batch_size=args.batch_size) for name, task in tasks.items()}
            ours_s = min(ours_s, time.perf_counter() - started)

    worst = 0.0
    for name, result in ours.items():
        for metric, value in result.results.items():
            if metric.endswith("_stderr") or value is None:
                continue
            reference = theirs["results"][name][f"{metric},none"]
            gap = abs(value - reference) / (abs(reference) if metric == "word_perplexity" else 1.0)
            worst = max(worst, gap)
            print(f"{name:<20} {metric:<16} lm-eval {reference:<22.12g} steward {value:<22.12g} |Δ| {gap:.2e}")
    print(f"model: {args.arch} {args.size}, {lm.parameters:,} parameters, fp32, max_length {args.max_length}; "
          f"{requests} requests ({', '.join(f'{n} {c}' for n, c in counts.items())})")  # fmt: skip
    print(f"lm-eval (batch size {args.batch_size}): {theirs_s:.2f} s")
    print(f"steward (batch size {args.batch_size}): {ours_s:.2f} s")
    print(f"ratio lm-eval / steward: {theirs_s / ours_s:.2f}x; numbers agree: {worst < 1e-4} (worst {worst:.1e})")
    return 0 if worst < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
