"""Typed tables, split by domain; importing this package registers them all on ``Base.metadata``."""

from bot.models.app import BackfillState, MarkedComment, OutboundWrite
from bot.models.community import Contribution
from bot.models.community import ContributorTotal as ContributorTotal  # kept on write
from bot.models.evaluation import EvalApproval as EvalApproval  # PR evaluation (issue 4)
from bot.models.evaluation import EvalResultCache as EvalResultCache
from bot.models.evaluation import EvalRun as EvalRun
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
from bot.models.governance import DiscussionReply as DiscussionReply  # issue 6
from bot.models.governance import ExcludedItem as ExcludedItem
from bot.models.governance import PullApproval as PullApproval  # OWNERS approvals, per head SHA
from bot.models.inbox import Delivery
from bot.models.jobs import Job
from bot.models.metrics import HealthFigures as HealthFigures  # figures served while fresh
from bot.models.metrics import MetricValue as MetricValue  # daily metric snapshots
from bot.models.ops import ClockLease as ClockLease  # clock lease; API usage
from bot.models.ops import GitHubUsage as GitHubUsage
from bot.models.people import Affiliation as Affiliation  # M13 Elephant Factor: organisation periods
from bot.models.people import ListOptOut as ListOptOut  # dashboard opt-out of named lists
from bot.models.periodic import LadderReport as LadderReport  # issue 6 §6-8: lifecycle, ladder, votes
from bot.models.periodic import LifecycleMark as LifecycleMark
from bot.models.periodic import LifecycleRun as LifecycleRun
from bot.models.periodic import Vote as Vote

__all__ = [
    "BackfillState", "Job", "MarkedComment", "OutboundWrite",
    "CheckRun", "CheckSuite", "Comment", "Contribution", "Delivery", "Discussion", "GitRef", "Hook",
    "Installation", "Issue", "Label", "Membership", "Person", "PersonLogin", "PullRequest", "Push",
    "Release", "Repository", "Review",
]
