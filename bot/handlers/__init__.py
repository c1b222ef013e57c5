"""The single list of enabled handlers. ``context`` comes first: it records who and where."""

from bot.handlers import (
    checks,
    commands,
    comments,
    content,
    context,
    discussions,
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
    reviews.router,
    comments.router,
    commands.router,
    discussions.router,
    checks.router,
)
