"""Tiny causal LMs built from a config, with a real byte-level BPE tokenizer trained on the bundled suites' text.

Nothing is downloaded: the tokenizer is trained here (``tokenizers``), the model is a random ``GPT2Config`` or
``LlamaConfig`` model saved with ``save_pretrained`` (safetensors). Used by the evaluation tests and by
``benchmarks/eval.py`` and the demo's evaluated pull request.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

SUITES = Path(__file__).resolve().parent / "suites"


def corpus() -> list[str]:
    """The text of every bundled suite (prose paragraphs, agreement sentences, arithmetic questions)."""
    lines = []
    for path in sorted(SUITES.glob("*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            lines.append(" ".join(str(v) if not isinstance(v, list) else " ".join(v) for v in doc.values()))
    return lines


def build_tokenizer(directory: Path, *, add_bos: bool = False, vocab_size: int = 600):
    """A byte-level BPE tokenizer; with ``add_bos`` every encoding starts with ``<s>`` (Llama-style)."""
    from tokenizers import ByteLevelBPETokenizer, processors
    from transformers import PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<s>"]
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(corpus(), vocab_size=vocab_size, min_frequency=2, special_tokens=specials)
    if add_bos:
        bos = bpe.token_to_id("<s>")
        bpe.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", bos)])
        tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token="<s>", eos_token="<|endoftext|>")
    else:
        tokenizer = PreTrainedTokenizerFast(
            tokenizer_object=bpe, bos_token="<|endoftext|>", eos_token="<|endoftext|>"
        )
    tokenizer.save_pretrained(directory)
    return tokenizer


def build_model(
    directory: Path, *, arch: str = "gpt2", add_bos: bool = False, seed: int = 0, size: str = "tiny"
) -> Path:
    """Save a random model plus tokenizer to ``directory``; ``size`` "tiny" (2 layers, d=64) or "small"."""
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM

    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(directory, add_bos=add_bos)
    layers, width = (2, 64) if size == "tiny" else (6, 256)
    torch.manual_seed(seed)
    special = {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id}
    if arch == "gpt2":
        config = GPT2Config(n_layer=layers, n_embd=width, n_head=4, n_positions=512, vocab_size=len(tokenizer),
                            **special)  # fmt: skip
        model = GPT2LMHeadModel(config)
    else:
        config = LlamaConfig(num_hidden_layers=layers, hidden_size=width, intermediate_size=2 * width,
                             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                             vocab_size=len(tokenizer), **special)  # fmt: skip
        model = LlamaForCausalLM(config)
    model.save_pretrained(directory, safe_serialization=True)
    return directory


def add_noise(source: Path, target: Path, *, scale: float, seed: int = 1) -> Path:
    """Copy a model directory, adding Gaussian noise of ``scale`` times each tensor's std to every weight."""
    import torch
    from safetensors.torch import load_file, save_file

    shutil.copytree(source, target)
    weights = load_file(str(source / "model.safetensors"))
    generator = torch.Generator().manual_seed(seed)
    noisy = {}
    for name, tensor in weights.items():
        spread = float(tensor.float().std()) if tensor.numel() > 1 else 1.0
        noisy[name] = tensor + scale * (spread or 1.0) * torch.randn(tensor.shape, generator=generator)
    save_file(noisy, str(target / "model.safetensors"), metadata={"format": "pt"})
    return target
