"""Typed tables, split by domain; importing this package registers them all on ``Base.metadata``."""

from bot.models.community import Contribution
from bot.models.github import (
    CheckRun,
    CheckSuite,
    Comment,
    Discussion,
    GitRef,
    Hook,
    Installation,
    Issue,
    Label,
    Membership,
    Person,
    PersonLogin,
    PullRequest,
    Push,
    Release,
    Repository,
    Review,
)
from bot.models.inbox import Delivery

__all__ = [
    "CheckRun", "CheckSuite", "Comment", "Contribution", "Delivery", "Discussion", "GitRef", "Hook",
    "Installation", "Issue", "Label", "Membership", "Person", "PersonLogin", "PullRequest", "Push",
    "Release", "Repository", "Review",
]
