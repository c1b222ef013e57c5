"""The README's complete ``.github/steward.yml`` example is valid and names every registered section."""

from __future__ import annotations

from pathlib import Path

from bot import repo_config

README = Path(__file__).resolve().parents[1] / "README.md"
START = "```yaml\n# .github/steward.yml — complete example\n"


def test_the_complete_example_is_valid_and_covers_every_section():
    text = README.read_text(encoding="utf-8")
    example = text[text.index(START) + len("```yaml\n"):]
    config = repo_config.parse(example[:example.index("```")])
    assert isinstance(config, repo_config.RepoConfig), config.markdown()
    assert set(config.sections) == set(repo_config.sections())


def test_an_unknown_key_in_the_example_would_be_reported():
    text = README.read_text(encoding="utf-8")
    example = text[text.index(START) + len("```yaml\n"):]
    broken = example[:example.index("```")].replace("  days_until_stale: 90", "  days_until_stael: 90")
    error = repo_config.parse(broken)
    assert isinstance(error, repo_config.ConfigError)
    assert [p.path for p in error.problems] == ["lifecycle.days_until_stael"]
