"""Tiny causal LMs built from a config, with a real byte-level BPE tokenizer trained on the bundled suites' text.

Nothing is downloaded: the tokenizer is trained here (``tokenizers``), the model is a random ``GPT2Config`` or
``LlamaConfig`` model saved with ``save_pretrained`` (safetensors); ``to_gguf`` writes a Llama one as a single
GGUF file the way llama.cpp's converter lays it out. Used by the evaluation tests and by ``benchmarks/eval.py``
and the demo's evaluated pull request.
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


def to_gguf(source: Path, target: Path) -> Path:
    """``source`` (a ``build_model(arch="llama")`` directory) as ``target/model.gguf``: llama.cpp's tensor names,
    Q/K rows permuted as its converter does, float32, and the BPE tokenizer as ``gpt2`` metadata."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    config = json.loads((source / "config.json").read_text())
    tokenizer = json.loads((source / "tokenizer.json").read_text())
    weights = load_file(str(source / "model.safetensors"))
    target.mkdir(parents=True, exist_ok=True)
    out = gguf.GGUFWriter(str(target / "model.gguf"), "llama")
    out.add_context_length(config["max_position_embeddings"])
    out.add_embedding_length(config["hidden_size"])
    out.add_block_count(config["num_hidden_layers"])
    out.add_feed_forward_length(config["intermediate_size"])
    out.add_head_count(config["num_attention_heads"])
    out.add_head_count_kv(config["num_key_value_heads"])
    out.add_layer_norm_rms_eps(config["rms_norm_eps"])
    out.add_rope_freq_base(config.get("rope_theta", 10000.0))
    out.add_vocab_size(config["vocab_size"])
    tokens = sorted(tokenizer["model"]["vocab"], key=tokenizer["model"]["vocab"].get)
    special = {added["id"] for added in tokenizer.get("added_tokens", [])}
    out.add_tokenizer_model("gpt2")
    out.add_token_list(tokens)
    out.add_token_types([3 if i in special else 1 for i in range(len(tokens))])  # 3: control
    out.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"]["merges"]])
    out.add_bos_token_id(config["bos_token_id"])
    out.add_eos_token_id(config["eos_token_id"])
    out.add_add_bos_token(True)
    heads = {"q_proj": config["num_attention_heads"], "k_proj": config["num_key_value_heads"]}
    for name, tensor in weights.items():
        tensor = tensor.astype(np.float32)
        kind = name.rsplit(".", 2)[-2]
        if kind in heads:  # llama.cpp interleaves each head's rotary halves; transformers undoes it on load
            n = heads[kind]
            tensor = tensor.reshape(n, 2, tensor.shape[0] // n // 2, *tensor.shape[1:]).swapaxes(1, 2).reshape(
                tensor.shape)
        out.add_tensor(_GGUF_NAMES.get(name) or _gguf_block(name), tensor)
    out.write_header_to_file()
    out.write_kv_data_to_file()
    out.write_tensors_to_file()
    out.close()
    return target


_GGUF_NAMES = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
               "lm_head.weight": "output.weight"}
_GGUF_BLOCK = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
               "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
               "post_attention_layernorm": "ffn_norm", "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up",
               "mlp.down_proj": "ffn_down"}


def _gguf_block(name: str) -> str:
    """``model.layers.3.self_attn.q_proj.weight`` → ``blk.3.attn_q.weight``."""
    _, _, layer, rest = name.split(".", 3)
    return f"blk.{layer}.{_GGUF_BLOCK[rest.removesuffix('.weight')]}.weight"
