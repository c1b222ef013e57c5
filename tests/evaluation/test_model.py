"""bot.evaluation.model: safe loading, content hashing and lm-eval's tokenization rules (EVAL.md §1, §2.2)."""

import shutil
from types import SimpleNamespace

import pytest

from bot.evaluation import model as m


def test_content_hash_covers_paths_and_bytes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_bytes(b"one")
    (tmp_path / "b.txt").write_bytes(b"two")
    first = m.content_hash(tmp_path)
    assert first == m.content_hash(tmp_path) and len(first) == 64
    (tmp_path / "b.txt").write_bytes(b"tw0")
    assert m.content_hash(tmp_path) != first
    (tmp_path / "b.txt").write_bytes(b"two")
    assert m.content_hash(tmp_path) == first
    (tmp_path / "b.txt").rename(tmp_path / "c.txt")
    assert m.content_hash(tmp_path) != first


@pytest.mark.parametrize("name", ["pytorch_model.bin", "weights.pt", "sub/model.pth", "x.ckpt", "data.pkl"])
def test_pickle_weights_are_refused_before_loading(tiny_gpt2, tmp_path, name):
    target = tmp_path / "model"
    shutil.copytree(tiny_gpt2, target)
    (target / name).parent.mkdir(parents=True, exist_ok=True)
    (target / name).write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(m.ModelError, match="refusing pickle weights"):
        m.load(target)


def test_directory_without_safetensors_or_config_is_refused(tiny_gpt2, tmp_path):
    with pytest.raises(m.ModelError, match="not a model directory"):
        m.check_directory(tmp_path / "missing")
    target = shutil.copytree(tiny_gpt2, tmp_path / "model")
    (target / "config.json").unlink()
    with pytest.raises(m.ModelError, match="no config.json"):
        m.check_directory(target)
    (target / "model.safetensors").unlink()
    with pytest.raises(m.ModelError, match="no \\*.safetensors"):
        m.check_directory(target)


def test_unloadable_directory_is_one_clear_error(tiny_gpt2, tmp_path):
    target = shutil.copytree(tiny_gpt2, tmp_path / "model")
    (target / "config.json").write_text('{"model_type": "no-such-architecture"}')
    with pytest.raises(m.ModelError, match="cannot load the model"):
        m.load(target)
    with pytest.raises(m.ModelError, match="dtype"):
        m.load(tiny_gpt2, dtype="float64")


def test_load_tiny_gpt2(tiny_gpt2):
    lm = m.load(tiny_gpt2)
    assert lm.dtype == "float32" and lm.device == "cpu" and not lm.model.training
    assert lm.parameters == sum(p.numel() for p in lm.model.parameters()) > 100_000
    assert lm.max_length == 512  # n_positions
    assert lm.prefix_token_id == lm.tokenizer.convert_tokens_to_ids("<|endoftext|>")  # bos_token_id
    assert m.load(tiny_gpt2, max_length=32).max_length == 32


def test_the_tokenizer_is_real(tiny_gpt2):
    lm = m.load(tiny_gpt2)
    ids = lm.encode("The river that runs past the old mill")
    assert 3 < len(ids) < 20  # merged byte-level BPE pieces, not bytes and not empty
    assert lm.tokenizer.decode(ids) == "The river that runs past the old mill"
    assert lm.encode("The river that runs past the old mill<|endoftext|>")[-1] == lm.prefix_token_id


def test_bos_quirks_as_in_lm_eval(tiny_llama):
    lm = m.load(tiny_llama)
    bos = lm.prefix_token_id
    assert lm.tokenizer.bos_token == "<s>"
    plain = lm.encode("hello there")
    assert plain[0] == bos and bos not in plain[1:]  # default add_special_tokens puts BOS in
    assert lm.encode("<s>hello there") == plain  # already starts with the prefix text: no second BOS
    assert lm.encode("hello there", add_special_tokens=False) == plain[1:]
    ctx, cont = lm.encode_pair("Question: 2 plus 2?\nAnswer:", " 4")
    assert ctx[0] == bos and cont and bos not in cont
    assert ctx + cont == lm.encode("Question: 2 plus 2?\nAnswer: 4")  # encoded jointly, then split


def test_encode_pair_moves_trailing_space_and_handles_empty_context(tiny_gpt2):
    lm = m.load(tiny_gpt2)
    ctx, cont = lm.encode_pair("The keys to the cabinet ", " are here.")
    assert ctx == lm.encode("The keys to the cabinet")
    assert ctx + cont == lm.encode("The keys to the cabinet  are here.")
    assert lm.encode_pair("", "are here.") == ([lm.prefix_token_id], lm.encode("are here."))
    eot = "<|endoftext|>are here."  # the continuation starts with the prefix token: it becomes the context
    assert lm.encode_pair("", eot) == ([lm.prefix_token_id], lm.encode("are here."))


def test_resolve_max_length_order():
    tok = SimpleNamespace(model_max_length=m.TOKENIZER_INFINITY)
    assert m.resolve_max_length(SimpleNamespace(n_positions=7, max_position_embeddings=9), tok) == 7
    assert m.resolve_max_length(SimpleNamespace(max_position_embeddings=9), tok) == 9
    nested = SimpleNamespace(text_config=SimpleNamespace(n_ctx=5), max_position_embeddings=9)
    assert m.resolve_max_length(nested, tok) == 5
    assert m.resolve_max_length(SimpleNamespace(), tok) == 2048
    assert m.resolve_max_length(SimpleNamespace(), SimpleNamespace(model_max_length=300)) == 300


def test_a_gguf_directory_needs_exactly_one_file(tmp_path):
    (tmp_path / "model.Q4.gguf").write_bytes(b"GGUF")
    assert m.check_directory(tmp_path) == tmp_path  # gguf is a dependency: no config.json needed
    (tmp_path / "other.gguf").write_bytes(b"GGUF")
    with pytest.raises(m.ModelError, match="several \\*.gguf files"):
        m.check_directory(tmp_path)


def test_a_gguf_model_evaluates_exactly_like_its_safetensors_twin(tiny_llama, tmp_path):
    """The same Llama written as one GGUF file (llama.cpp's layout, tokenizer as metadata): same tokens, same
    numbers on every bundled suite."""
    from bot.evaluation import run
    from bot.evaluation.tiny import to_gguf

    gguf = to_gguf(tiny_llama, tmp_path / "gguf")
    assert [p.name for p in gguf.iterdir()] == ["model.gguf"] and m.check_directory(gguf) == gguf
    twin, original = m.load(gguf), m.load(tiny_llama)
    for text in ("The cat sat on the mat.", " 12 + 7 = 19", "Überraschung! naïve café"):
        assert twin.encode(text) == original.encode(text)
    a, b = run.evaluate(str(tiny_llama)), run.evaluate(str(gguf))
    assert b["results"] == a["results"] and b["items"] == a["items"] and sum(a["n"].values()) == 336
