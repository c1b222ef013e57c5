"""The only torch/transformers importer: load a local HF-format model safely, and tokenize as lm-eval does.

Loading (EVAL.md §1): ``AutoModelForCausalLM`` / ``AutoTokenizer`` from a local directory with
``local_files_only=True``, ``use_safetensors=True`` and ``trust_remote_code=False``, under ``HF_HUB_OFFLINE=1``
and ``HF_DATASETS_OFFLINE=1``. A directory holding pickle weights is refused before anything is read. A
directory with one ``*.gguf`` file and no safetensors loads through transformers' ``gguf_file=`` (GGUF is a plain
tensor format, no pickle; tested against a safetensors twin written by ``tiny.to_gguf``).

Tokenization (EVAL.md §2.2, ``HFLM.tok_encode`` and ``TemplateLM._encode_pair``): the tokenizer's *default*
``add_special_tokens``, except that a string already starting with the decoded prefix token is encoded with
``add_special_tokens=False``; ``ctx + cont`` is encoded jointly and split after ``len(encode(ctx))``; an empty
context becomes ``[prefix_token_id]``. These quirks are kept on purpose.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.evaluation.requests import move_trailing_whitespace

PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")
DTYPES = ("float32", "bfloat16", "float16")
#: ``lm_eval/models/utils.py`` ``TOKENIZER_INFINITY`` and ``DEFAULT_MAX_LENGTH``.
TOKENIZER_INFINITY = 1000000000000000019884624838656
DEFAULT_MAX_LENGTH = 2048
_CHUNK = 1 << 20


class ModelError(ValueError):
    """A model directory that cannot or must not be loaded; ``str()`` is one line fit for a PR author."""


def content_hash(directory: str | os.PathLike[str]) -> str:
    """sha256 over the sorted relative paths and bytes of every regular file under ``directory``.

    Each file contributes its POSIX relative path, a NUL, its size, a NUL and its bytes, so renaming or moving
    a file changes the hash. Symbolic links are hashed by their target's bytes (the checkout resolves them).
    """
    root = Path(directory)
    digest = hashlib.sha256()
    files = sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).as_posix())
    for path in files:
        relative = path.relative_to(root).as_posix()
        digest.update(relative.encode("utf-8") + b"\0" + str(path.stat().st_size).encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def check_directory(directory: str | os.PathLike[str]) -> Path:
    """Refuse what must not be loaded: a missing directory, pickle weights anywhere in it, no safetensors."""
    root = Path(directory)
    if not root.is_dir():
        raise ModelError(f"{directory}: not a model directory")
    pickles = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.suffix.lower() in PICKLE_SUFFIXES)
    if pickles:
        raise ModelError(
            f"{directory}: refusing pickle weights ({', '.join(pickles[:3])}); "
            "convert the model to safetensors (save_pretrained(..., safe_serialization=True))"
        )
    if not any(root.glob("*.safetensors")):
        ggufs = sorted(root.glob("*.gguf"))
        if not ggufs:
            raise ModelError(f"{directory}: no *.safetensors weights found")
        if len(ggufs) > 1:
            raise ModelError(f"{directory}: several *.gguf files; keep exactly one")
        if importlib.util.find_spec("gguf") is None:
            raise ModelError(f"{directory}: GGUF weights need the gguf package, which is not installed")
        return root  # a GGUF file carries its own config and tokenizer
    if not (root / "config.json").is_file():
        raise ModelError(f"{directory}: no config.json found")
    return root


def resolve_max_length(config: Any, tokenizer: Any) -> int:
    """``lm_eval.models.utils.resolve_max_length``: ``text_config`` (else the config) ``n_positions``,
    ``max_position_embeddings``, ``n_ctx``; else the tokenizer's ``model_max_length`` unless infinite; else 2048."""
    cfg = getattr(config, "text_config", None) or config
    for attr in ("n_positions", "max_position_embeddings", "n_ctx"):
        value = getattr(cfg, attr, None)
        if value is not None:
            return int(value)
    limit = getattr(tokenizer, "model_max_length", None)
    if limit is not None and limit != TOKENIZER_INFINITY:
        return int(limit)
    return DEFAULT_MAX_LENGTH


@dataclass
class LoadedModel:
    """A loaded causal LM with lm-eval's tokenization rules. ``model`` is in eval mode on ``device``."""

    path: str
    model: Any
    tokenizer: Any
    max_length: int
    prefix_token_id: int
    dtype: str
    device: str
    parameters: int

    def encode(self, string: str, add_special_tokens: bool | None = None) -> list[int]:
        """``HFLM.tok_encode`` with ``add_bos_token`` unset (the default)."""
        kwargs: dict[str, bool] = {} if add_special_tokens is None else {"add_special_tokens": add_special_tokens}
        if add_special_tokens is None and string.startswith(self._prefix_text):
            kwargs["add_special_tokens"] = False
        return list(self.tokenizer.encode(string, **kwargs))

    @property
    def _prefix_text(self) -> str:
        text = self.__dict__.get("_prefix_text_cache")
        if text is None:
            text = self.__dict__["_prefix_text_cache"] = self.tokenizer.decode(self.prefix_token_id)
        return text

    def encode_pair(self, context: str, continuation: str) -> tuple[list[int], list[int]]:
        """``TemplateLM.loglikelihood``'s tokenization of one ``(context, continuation)`` request."""
        if context == "":
            cont = self.encode(continuation, add_special_tokens=False)
            if cont and cont[0] == self.prefix_token_id:
                return cont[:1], cont[1:]
            return [self.prefix_token_id], cont
        context, continuation = move_trailing_whitespace(context, continuation)
        whole = self.encode(context + continuation)
        ctx = self.encode(context)
        return ctx, whole[len(ctx) :]


def _offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_DATASETS_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")


def load(
    directory: str | os.PathLike[str],
    *,
    device: str = "cpu",
    dtype: str = "float32",
    max_length: int | None = None,
) -> LoadedModel:
    """Load a model directory (safetensors only, no remote code) for evaluation."""
    root = check_directory(directory)
    if dtype not in DTYPES:
        raise ModelError(f"dtype: expected one of {', '.join(DTYPES)}, got {dtype!r}")
    if max_length is not None and max_length < 1:
        raise ModelError(f"max_length: expected a positive number, got {max_length}")
    _offline()
    import torch
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    options: dict[str, Any] = {"local_files_only": True, "trust_remote_code": False}
    ggufs = [] if any(root.glob("*.safetensors")) else sorted(root.glob("*.gguf"))
    weights = {"gguf_file": ggufs[0].name} if ggufs else {"use_safetensors": True}
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(
            str(root), **options, **({"gguf_file": ggufs[0].name} if ggufs else {})
        )
        model = transformers.AutoModelForCausalLM.from_pretrained(
            str(root), dtype=getattr(torch, dtype), **options, **weights
        )
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, ImportError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"{directory}: cannot load the model: {first}") from None
    model.to(device)
    model.eval()
    prefix = tokenizer.bos_token_id if tokenizer.bos_token_id is not None else tokenizer.eos_token_id
    if prefix is None:
        raise ModelError(f"{directory}: the tokenizer has neither a BOS nor an EOS token to use as prefix")
    return LoadedModel(
        path=str(directory),
        model=model,
        tokenizer=tokenizer,
        max_length=max_length or resolve_max_length(model.config, tokenizer),
        prefix_token_id=int(prefix),
        dtype=dtype,
        device=device,
        parameters=sum(p.numel() for p in model.parameters()),
    )
