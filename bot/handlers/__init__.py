"""The single list of enabled handlers. ``context`` comes first: it records who and where."""

from bot.handlers import (
    automation,
    checks,
    commands,
    comments,
    content,
    context,
    discussions,
    evaluation,
    governance,
    installations,
    issues,
    pull_requests,
    repository,
    reviews,
)
from bot.routing import Router

router = Router(
    context.router,
    installations.router,
    repository.router,
    content.router,
    issues.router,
    pull_requests.router,
    evaluation.router,  # after pull_requests: the PR row exists; PR evaluation triggers (issue 4)
    reviews.router,
    comments.router,
    commands.router,
    discussions.router,
    governance.router,
    checks.router,
    automation.router,  # last: the contribution rows it reads are written above
)
