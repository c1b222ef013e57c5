"""Welcoming first-time contributors (issue 6 §3): the ``welcome:`` section of ``.github/steward.yml``.

Messages are ``str.format`` templates; the placeholders are ``PLACEHOLDERS``.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from bot.config_schema import relative_path, setting
from bot.repo_config import register_section

PLACEHOLDERS = ("author", "repository", "contributing", "ai_policy")

ISSUE = "Thanks for opening your first issue here, @{author}! A maintainer will take a look soon."
PULL_REQUEST = (
    "Thanks for your first pull request to {repository}, @{author}! Please read {contributing} while you wait for"
    " a review."
)
DISCUSSION = "Welcome to the {repository} discussions, @{author}! Thanks for starting your first one."
MERGED = "Congratulations on your first merged pull request, @{author}! 🎉"


def template(value: str) -> str | None:
    """A non-empty ``str.format`` template using only ``PLACEHOLDERS``."""
    if not value.strip():
        return "expected a non-empty message"
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        return f"not a valid template ({exc}); write {{{{ and }}}} for literal braces"
    for name in fields:
        if name not in PLACEHOLDERS:
            return f"unknown placeholder {{{name}}}; expected one of {', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
    return None


@dataclass(frozen=True)
class WelcomeConfig:
    issue: str = setting(ISSUE, check=template, help="posted on a person's first issue")
    pull_request: str = setting(PULL_REQUEST, check=template, help="posted on a person's first pull request")
    discussion: str = setting(DISCUSSION, check=template, help="posted on a person's first discussion")
    merged: str = setting(MERGED, check=template, help="posted when a person's first pull request is merged")
    contributing: str = setting("CONTRIBUTING.md", check=relative_path, help="linked as {contributing}")
    ai_policy: str | None = setting(None, help="a link to the policy on AI-generated contributions, as {ai_policy}")


register_section("welcome", WelcomeConfig)
