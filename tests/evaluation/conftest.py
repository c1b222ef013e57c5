"""Tiny models for the evaluation tests, built once per session from a config (no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.evaluation.tiny import add_noise, build_model


@pytest.fixture(scope="session")
def tiny_gpt2(tmp_path_factory) -> Path:
    """A 2-layer GPT-2 with a byte-level BPE tokenizer that adds no BOS (prefix token = <|endoftext|>)."""
    return build_model(tmp_path_factory.mktemp("models") / "gpt2", arch="gpt2")


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory) -> Path:
    """A 2-layer Llama whose tokenizer puts <s> in front of every encoding (lm-eval's BOS quirk applies)."""
    return build_model(tmp_path_factory.mktemp("models") / "llama", arch="llama", add_bos=True)


@pytest.fixture(scope="session")
def noisy_gpt2(tiny_gpt2, tmp_path_factory) -> Path:
    """``tiny_gpt2`` with Gaussian noise (1 std per tensor) added to every weight."""
    return add_noise(tiny_gpt2, tmp_path_factory.mktemp("models") / "noisy", scale=1.0)
