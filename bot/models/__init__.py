"""Typed tables, split by domain; importing this package registers them all on ``Base.metadata``."""

from bot.models.app import BackfillState, MarkedComment, OutboundWrite
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
from bot.models.jobs import Job

__all__ = [
    "BackfillState", "Job", "MarkedComment", "OutboundWrite",
    "CheckRun", "CheckSuite", "Comment", "Contribution", "Delivery", "Discussion", "GitRef", "Hook",
    "Installation", "Issue", "Label", "Membership", "Person", "PersonLogin", "PullRequest", "Push",
    "Release", "Repository", "Review",
]
