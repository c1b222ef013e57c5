"""bot.repo_config (+ bot.config_schema, the evaluation and welcome sections): .github/steward.yml validation."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pytest

from bot import repo_config
from bot.config_schema import setting
from bot.evaluation.config import EvaluationConfig
from bot.repo_config import ConfigError, Problem, RepoConfig, parse, register_section
from bot.welcome import ISSUE, WelcomeConfig

FULL = """\
evaluation:
  model: models/tiny
  build: python scripts/build_tiny.py
  paths: ["models/**", "eval/*.yaml"]
  suites: [arith, eval/pol.yaml]
  thresholds: {acc: 0.02, bits_per_byte: 0.01}
  max_length: 512
  batch_size: 8
  device: cuda:0
welcome:
  issue: "Hi @{author}, thanks!"
  pull_request: "Thanks @{author}; see {contributing}."
  discussion: "Welcome to {repository}."
  merged: "Well done @{author}."
  contributing: docs/CONTRIBUTING.md
  ai_policy: https://example.org/ai
"""
MINIMAL = "evaluation:\n  model: models/tiny\n  suites: [arith]\n"


def problems(text: str | bytes | None, **kwargs) -> list[str]:
    result = parse(text, **kwargs)
    assert isinstance(result, ConfigError), result
    return [str(p) for p in result.problems]


def only(text: str) -> str:
    (problem,) = problems(text)
    return problem


def test_full_file() -> None:
    config = parse(FULL)
    assert isinstance(config, RepoConfig)
    evaluation = config.get(EvaluationConfig)
    assert evaluation == EvaluationConfig(
        model="models/tiny", build="python scripts/build_tiny.py", paths=("models/**", "eval/*.yaml"),
        suites=("arith", "eval/pol.yaml"), thresholds={"acc": 0.02, "bits_per_byte": 0.01}, max_length=512,
        batch_size=8, device="cuda:0",
    )  # fmt: skip
    welcome = config.get(WelcomeConfig)
    assert welcome is not None and welcome.contributing == "docs/CONTRIBUTING.md"
    assert welcome.ai_policy == "https://example.org/ai"
    assert config.enabled("evaluation") and config.enabled("welcome")


def test_minimal_file_gets_defaults() -> None:
    config = parse(MINIMAL)
    assert isinstance(config, RepoConfig)
    evaluation = config.get(EvaluationConfig)
    assert evaluation is not None
    assert (evaluation.build, evaluation.paths, evaluation.max_length) == (None, ("**",), None)
    assert (evaluation.batch_size, evaluation.device, dict(evaluation.thresholds)) == (1, "auto", {})
    assert config.get(WelcomeConfig) is None and not config.enabled("welcome")


def test_sections_are_frozen() -> None:
    config = parse(FULL)
    assert isinstance(config, RepoConfig)
    evaluation = config.get(EvaluationConfig)
    with pytest.raises(AttributeError):
        evaluation.model = "x"  # type: ignore[misc, union-attr]
    with pytest.raises(TypeError):
        evaluation.thresholds["acc"] = 1.0  # type: ignore[index, union-attr]
    with pytest.raises(TypeError):
        config.sections["x"] = 1  # type: ignore[index]


def test_empty_section_turns_the_feature_on_with_defaults() -> None:
    config = parse("welcome:\n")
    assert isinstance(config, RepoConfig)
    assert config.get(WelcomeConfig) == WelcomeConfig()
    assert WelcomeConfig().issue == ISSUE and config.get(EvaluationConfig) is None


@pytest.mark.parametrize("text", [None, "", "\n", "# only a comment\n", "---\n", "~\n"])
def test_no_file_or_empty_file_turns_everything_off(text: str | None) -> None:
    config = parse(text)
    assert isinstance(config, RepoConfig) and dict(config.sections) == {}


def test_bytes_accepted_and_non_utf8_refused() -> None:
    assert isinstance(parse(MINIMAL.encode()), RepoConfig)
    assert problems(b"welcome:\n  issue: \xff\n") == ["the file is not UTF-8 text (byte 18)"]


def test_unknown_key_with_suggestion() -> None:
    assert only("evaluation:\n  modle: m\n  model: m\n  suites: [a]\n") == (
        "evaluation.modle: unknown key; did you mean model?"
    )


def test_unknown_top_level_key() -> None:
    assert only("evalution: {}\n") == "evalution: unknown key; did you mean evaluation?"
    assert only("zzz: {}\n") == f"zzz: unknown key; expected one of {', '.join(repo_config.sections())}"


def test_section_must_be_a_mapping() -> None:
    assert only("welcome: 3\n") == "welcome: expected a mapping, got 3"
    assert only("welcome: [a]\n") == "welcome: expected a mapping, got a list"


def test_required_keys() -> None:
    assert problems("evaluation:\n") == [
        "evaluation.model: required key is missing",
        "evaluation.suites: required key is missing",
    ]


def test_threshold_must_be_a_number() -> None:
    text = MINIMAL + "  thresholds: {acc: high}\n"
    assert only(text) == 'evaluation.thresholds.acc: expected a number, got "high"'


def test_threshold_unknown_metric_and_negative() -> None:
    assert problems(MINIMAL + "  thresholds: {acc_nrom: 0.1, acc: -1, bits_per_byte: .nan}\n") == [
        "evaluation.thresholds.acc_nrom: unknown key; did you mean acc_norm?",
        "evaluation.thresholds.acc: expected a number at least 0, got -1.0",
        "evaluation.thresholds.bits_per_byte: expected a finite number, got nan",
    ]


def test_integer_fields() -> None:
    assert problems(MINIMAL + "  batch_size: 0\n  max_length: 2.5\n") == [
        "evaluation.max_length: expected an integer, got 2.5",
        "evaluation.batch_size: expected an integer between 1 and 4096, got 0",
    ]
    assert only(MINIMAL + "  batch_size: true\n") == "evaluation.batch_size: expected an integer, got true"


def test_ints_accepted_as_numbers() -> None:
    config = parse(MINIMAL + "  thresholds: {acc: 1}\n")
    assert isinstance(config, RepoConfig)
    assert config.get(EvaluationConfig).thresholds["acc"] == 1.0  # type: ignore[union-attr]


def test_lists() -> None:
    assert only(MINIMAL.replace("[arith]", "arith")) == 'evaluation.suites: expected a list, got "arith"'
    assert only(MINIMAL.replace("[arith]", "[]")) == "evaluation.suites: expected at least 1 item(s), got 0"
    assert only(MINIMAL.replace("[arith]", "[arith, 3]")) == "evaluation.suites[1]: expected a string, got 3"


def test_suite_references() -> None:
    assert problems(MINIMAL.replace("[arith]", "['Bad Name', ../x.yaml, /abs.yml]")) == [
        'evaluation.suites[0]: expected a bundled suite name or a task file ending in .yaml, got "Bad Name"',
        'evaluation.suites[1]: expected a path inside the repository, got "../x.yaml"',
        "evaluation.suites[2]: expected a relative path with '/' separators, got \"/abs.yml\"",
    ]


def test_model_and_paths_stay_inside_the_repository() -> None:
    text = "evaluation:\n  model: models/../../etc\n  suites: [a]\n  paths: ['C:/x', '']\n"
    assert problems(text) == [
        'evaluation.model: expected a path inside the repository, got "models/../../etc"',
        "evaluation.paths[0]: expected a relative path with '/' separators, got \"C:/x\"",
        "evaluation.paths[1]: expected a non-empty path",
    ]


def test_device() -> None:
    assert only(MINIMAL + "  device: gpu\n") == 'evaluation.device: expected auto, cpu, mps, cuda or cuda:N, got "gpu"'
    for device in ("auto", "cpu", "mps", "cuda", "cuda:1"):
        assert isinstance(parse(MINIMAL + f"  device: {device}\n"), RepoConfig)


def test_optional_field_accepts_null_only_where_optional() -> None:
    assert isinstance(parse(MINIMAL + "  build: null\n  max_length: ~\n"), RepoConfig)
    assert only(MINIMAL + "  device: null\n") == "evaluation.device: expected a string, got nothing"


def test_welcome_templates() -> None:
    text = "welcome:\n  issue: 'Hi {name}'\n  discussion: 'Hi {author'\n  merged: '  '\n  pull_request: 7\n"
    assert problems(text) == [
        "welcome.issue: unknown placeholder {name}; expected one of {author}, {repository}, {contributing}, "
        "{ai_policy}",
        "welcome.pull_request: expected a string, got 7",
        "welcome.discussion: not a valid template (expected '}' before end of string); "
        "write {{ and }} for literal braces",
        "welcome.merged: expected a non-empty message",
    ]


def test_many_problems_at_once_in_one_error() -> None:
    text = "evaluation:\n  modle: x\n  thresholds: {acc: high}\n  batch_size: 0\nwelcome: 3\nfoo: 1\n"
    assert problems(text) == [
        "evaluation.modle: unknown key; did you mean model?",
        "evaluation.model: required key is missing",
        "evaluation.suites: required key is missing",
        'evaluation.thresholds.acc: expected a number, got "high"',
        "evaluation.batch_size: expected an integer between 1 and 4096, got 0",
        "welcome: expected a mapping, got 3",
        f"foo: unknown key; expected one of {', '.join(repo_config.sections())}",
    ]


def test_problems_are_capped() -> None:
    text = "welcome:\n" + "".join(f"  key{i}: 1\n" for i in range(80))
    found = problems(text)
    assert len(found) == repo_config.MAX_PROBLEMS + 1
    assert found[-1] == "… and 30 more problems"


def test_invalid_yaml_reports_line_and_column() -> None:
    assert (
        only("welcome:\n  issue: [a\n") == "line 3, column 1: invalid YAML: expected ',' or ']', but got '<stream end>'"
    )
    assert (
        only("welcome:\n issue: a\n  merged: b\n")
        == "line 3, column 9: invalid YAML: mapping values are not allowed here"
    )


def test_unsafe_tags_refused() -> None:
    assert only("welcome: !!python/object/apply:os.system [ls]\n") == (
        "line 1, column 10: invalid YAML: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'"
    )


@pytest.mark.parametrize("text", ["- evaluation\n", "just text\n", "3\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    assert only(text).startswith("expected a mapping of section names to settings at the top level, got ")


def test_size_cap_before_parsing() -> None:
    text = "# " + "x" * repo_config.MAX_BYTES + "\n"
    assert only(text) == f"the file is {len(text)} bytes; the limit is 65536"


def test_anchors_and_aliases_work() -> None:
    text = (
        "evaluation:\n  model: models/tiny\n  suites: &s [arith, eval/a.yaml]\n  paths: *s\n"
        "  thresholds: &t {acc: 0.1}\n"
    )
    config = parse(text)
    assert isinstance(config, RepoConfig)
    assert config.get(EvaluationConfig).paths == ("arith", "eval/a.yaml")  # type: ignore[union-attr]


def test_merge_keys_work() -> None:
    text = "welcome:\n  <<: {issue: 'a', merged: 'b'}\n  merged: 'c'\n"
    config = parse(text)
    assert isinstance(config, RepoConfig)
    assert (config.get(WelcomeConfig).issue, config.get(WelcomeConfig).merged) == ("a", "c")  # type: ignore[union-attr]


def test_billion_laughs_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    start = time.perf_counter()
    assert only("\n".join(lines) + "\n") == "the file expands to more than 10000 values through aliases"
    assert time.perf_counter() - start < 1.0


def test_recursive_alias_refused() -> None:
    assert only("welcome: &w {issue: *w}\n") == "welcome.issue: line 1: an alias refers to a value that contains it"


def test_duplicate_keys_refused() -> None:
    assert only("welcome: {}\nwelcome: {issue: x}\n") == "welcome: line 2: duplicate key"


def test_deep_nesting_refused() -> None:
    assert only("a: " + "[" * 40 + "]" * 40 + "\n") == f"a{'[0]' * 32}: nested more than 32 levels deep"
    assert only("[" * 20_000) == "invalid YAML: nested more than 32 levels deep"


def test_markdown_rendering() -> None:
    error = ConfigError((Problem("", "line 1, column 2: invalid YAML: x"), Problem("welcome.issue", "bad *x* `y`")))
    assert error.markdown(sha="0123456789abcdef") == (
        "### `.github/steward.yml` is invalid\n\n"
        "Steward found 2 problems in `.github/steward.yml` at `0123456789ab`:\n\n"
        "- line 1, column 2: invalid YAML: x\n"
        "- `welcome.issue`: bad \\*x\\* \\`y\\`\n\n"
        "Fix the file and push again; a section present turns its feature on, absent turns it off.\n"
    )


def test_markdown_escapes_user_text() -> None:
    result = parse("welcome:\n  'x`<b>[link](http://e)': 1\n")
    assert isinstance(result, ConfigError)
    body = result.markdown()
    assert "1 problem in" in body
    assert "- `welcome.x'<b>[link](http://e)`: unknown key; expected one of issue" in body


def test_register_section_rules_and_custom_registry() -> None:
    @dataclass(frozen=True)
    class Votes:
        threshold: float = setting(0.5, minimum=0, maximum=1)
        mode: Literal["comments", "reactions"] = "comments"
        voters: tuple[str, ...] = ()
        weights: Mapping[str, int] = setting({})

    registry = {"votes": Votes}
    config = parse("votes: {threshold: 1, voters: [a, b], weights: {a: 2}}\n", registry=registry)
    assert isinstance(config, RepoConfig)
    assert config.get(Votes) == Votes(threshold=1.0, voters=("a", "b"), weights={"a": 2})
    assert problems("votes: {threshold: 2, mode: all, weights: {1: 1}}\n", registry=registry) == [
        "votes.threshold: expected a number between 0 and 1, got 2.0",
        'votes.mode: expected one of comments, reactions, got "all"',
        "votes.weights.1: expected a string key, got 1",
    ]

    @dataclass
    class Mutable:
        x: int = 1

    with pytest.raises(TypeError, match="must be a frozen dataclass"):
        register_section("mutable", Mutable)
    with pytest.raises(ValueError, match="already registered to EvaluationConfig"):
        register_section("evaluation", Votes)
    assert register_section("evaluation", EvaluationConfig) is EvaluationConfig  # idempotent
    assert {"evaluation", "welcome"} <= set(repo_config.sections())
    assert all(registered is not Votes for registered in repo_config.sections().values())


def test_cache_per_repository_and_sha() -> None:
    repo_config.clear_cache()
    calls: list[str] = []

    def fetch(text: str | None):
        return lambda: calls.append("fetch") or text

    first = repo_config.load("o/r", "a" * 40, fetch(MINIMAL))
    assert repo_config.load("o/r", "a" * 40, fetch("bogus: 1\n")) is first
    assert isinstance(repo_config.load("o/r", "b" * 40, fetch("bogus: 1\n")), ConfigError)
    assert isinstance(repo_config.load("o/other", "a" * 40, fetch(None)), RepoConfig)
    assert calls == ["fetch"] * 3
    repo_config.clear_cache()


def test_cache_is_bounded_and_failures_are_not_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    repo_config.clear_cache()
    monkeypatch.setattr(repo_config, "CACHE_SIZE", 2)
    calls: list[str] = []

    def fetch() -> str:
        calls.append("fetch")
        return MINIMAL

    for sha in ("1", "2", "1", "3", "1", "2"):  # "2" is evicted by "3" ("1" was used more recently)
        repo_config.load("o/r", sha, fetch)
    assert len(calls) == 4

    def broken() -> str:
        raise ConnectionError("GitHub is down")

    with pytest.raises(ConnectionError):
        repo_config.load("o/r", "4", broken)
    assert repo_config.load("o/r", "4", fetch) is not None and len(calls) == 5
    repo_config.clear_cache()


def test_mapping_field_must_be_a_mapping_and_error_str() -> None:
    result = parse(MINIMAL + "  thresholds: [acc]\n")
    assert isinstance(result, ConfigError)
    assert str(result) == "evaluation.thresholds: expected a mapping, got a list"


def test_fetch_reads_the_file_at_a_commit_through_the_app_and_caches_it(runtime, github):
    from bot import gh
    from tests.fake_github.rest import add_installation
    from tests.github_app import app_settings

    gh.reset_caches()
    repo_config.clear_cache()
    repo = github.add_repo("octo", "models", id=4242, installation_id=9)
    add_installation(github, 9)
    runtime.settings = app_settings(runtime.settings, github)
    repo.contents[("a" * 40, ".github/steward.yml")] = b"welcome:\n  bogus: 1\n"
    fetched = repo_config.fetch(runtime, "octo/models", "a" * 40, installation_id=9)
    assert isinstance(fetched, repo_config.ConfigError) and fetched.problems[0].path == "welcome.bogus"
    assert repo_config.fetch(runtime, "octo/models", "b" * 40, installation_id=9).sections == {}  # no file there
    repo_config.fetch(runtime, "octo/models", "a" * 40, installation_id=9)  # cached: no second request
    assert len(github.requests_to("GET", r"/repos/octo/models/contents/.*")) == 2
    gh.reset_caches()
    repo_config.clear_cache()
