"""From the community's acts to timed webhook deliveries: each item's life (labels, answers, reviews, merges,
accepted answers) is drawn when it is opened, and every delivery carries the item as it stands then."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate, count
from typing import Any

from bot.demo import payloads as p
from bot.demo.community import Actor, Plan, pick_responder

TOPICS = ("tokenizer", "KV cache", "eval harness", "LoRA adapters", "quantization", "data loader", "model card",
          "perplexity", "checkpoint loading", "sampling", "docs", "CLI", "benchmarks", "attention mask")
ISSUE_TITLES = ("{t}: crash on empty input", "{t} is slow on CPU", "Wrong results from {t}", "Support for {t}?",
                "{t} docs are out of date", "Flaky test around {t}")
PR_TITLES = ("Fix {t} edge case", "Speed up {t}", "Add tests for {t}", "Refactor {t}", "Document {t}")
DISCUSSION_TITLES = ("How do I use {t}?", "Idea: rethink {t}", "Best settings for {t}?", "Show and tell: {t}")
CATEGORIES = {"Q&A": True, "Ideas": False, "General": False}  # name: answerable
CATEGORY_IDS = {"Q&A": 31_000_001, "Ideas": 31_000_002, "General": 31_000_003}


@dataclass
class Item:
    kind: str  # issue | pull_request | discussion
    id: int
    number: int
    author: Actor
    created_at: datetime
    title: str
    body: str
    labels: list[tuple[str, datetime]] = field(default_factory=list)
    closed_at: datetime | None = None
    merged: bool = False  # PR merged; for an issue: closed as completed
    merged_by: Actor | None = None
    issue_id: int = 0
    fork: bool = False
    head_repo_id: int = p.REPO_ID
    branch: str = "main"
    head_sha: str = ""
    commits: int = 1
    additions: int = 0
    deletions: int = 0
    changed_files: int = 1
    category: str = "General"


def hours(rng: random.Random, median: float, sigma: float = 1.2) -> timedelta:
    """A log-normal delay (response and merge times are heavy-tailed) with the given median in hours."""
    return timedelta(hours=rng.lognormvariate(math.log(median), sigma))


class Story:
    """Walks the plan's acts in time order, collecting (time, order, event, payload) for every delivery."""

    def __init__(self, rng: random.Random, plan: Plan) -> None:
        self.rng, self.plan = rng, plan
        self.events: list[tuple[datetime, int, str, dict[str, Any]]] = []
        self.seq = count()
        self.ids = count(1)
        self.numbers = count(1)
        self.items: dict[str, list[Item]] = {"issue": [], "pull_request": [], "discussion": []}
        self.regulars = [a for a in plan.community if a.role == "regular"]
        self.regular_weights = list(accumulate(a.weight for a in self.regulars))
        self.stars = sorted(a.at for a in plan.acts if a.kind == "star")
        self.forks = sorted(a.at for a in plan.acts if a.kind == "fork")

    # -- plumbing -------------------------------------------------------------------------------------------
    def emit(self, at: datetime, event: str, action: str | None, sender: Actor, **objects: Any) -> None:
        if at >= self.plan.end:
            return
        repo = p.repository(self.plan.start - timedelta(days=400), at, bisect_right(self.stars, at),
                            bisect_right(self.forks, at))
        self.events.append((at, next(self.seq), event, p.envelope(action, sender, repo, **objects)))

    def responder(self, at: datetime, author: Actor) -> Actor:
        return pick_responder(self.rng, self.plan, at, author, self.regulars)

    def someone(self, at: datetime, author: Actor) -> Actor:
        """A weighted pick among returning contributors active at ``at`` (heavy hitters answer more)."""
        for _ in range(6):
            person = self.rng.choices(self.regulars, cum_weights=self.regular_weights)[0]
            if person.id != author.id and person.active_at(at):
                return person
        return self.responder(at, author)

    def recent(self, kind: str, at: datetime, not_by: Actor) -> Item | None:
        items = self.items[kind]
        for _ in range(4):
            if not items:
                return None
            item = items[-1 - min(len(items) - 1, int(self.rng.expovariate(1 / 25)))]
            if item.author.id != not_by.id and item.created_at < at:
                return item
        return None

    def new_item(self, kind: str, author: Actor, at: datetime, titles: tuple[str, ...]) -> Item:
        number = next(self.numbers)
        base = {"issue": 2_000_000_000, "pull_request": 3_000_000_000, "discussion": 6_000_000_000}[kind]
        title = self.rng.choice(titles).format(t=self.rng.choice(TOPICS))
        item = Item(kind, base + number, number, author, at, title, f"{title}.\n\n(synthetic demo data)")
        self.items[kind].append(item)
        return item

    def comment(self, item: Item, who: Actor, at: datetime, body: str) -> dict[str, Any] | None:
        if at >= self.plan.end:
            return None
        if item.kind == "discussion":
            c = p.comment(next(self.ids) + 4_000_000_000, who, at, p.issue_like(item, at, "discussion")["html_url"],
                          body)
            c.update(discussion_id=item.id, parent_id=None, child_comment_count=0, repository_url=p.FULL_NAME)
            self.emit(at, "discussion_comment", "created", who, comment=c, discussion=self.discussion(item, at))
            return c
        issue = p.pr_as_issue(item, at) if item.kind == "pull_request" else p.issue_like(item, at, "issue")
        c = p.comment(next(self.ids) + 4_000_000_000, who, at, issue["html_url"], body)
        self.emit(at, "issue_comment", "created", who, issue=issue, comment=c)
        return c

    def discussion(self, item: Item, at: datetime, answer: dict | None = None, chosen: datetime | None = None):
        out = p.issue_like(item, at, "discussion")
        out.update(category={"id": CATEGORY_IDS[item.category], "name": item.category, "slug": item.category.lower(),
                             "emoji": ":speech_balloon:", "is_answerable": CATEGORIES[item.category],
                             "repository_id": p.REPO_ID},
                   answer_html_url=answer["html_url"] if answer else None,
                   answer_chosen_at=p.iso(chosen) if chosen else None,
                   answer_chosen_by=p.user(item.author) if answer else None, comments=0)
        return out

    # -- acts ----------------------------------------------------------------------------------------------
    def issue(self, author: Actor, t0: datetime) -> None:
        rng = self.rng
        item = self.new_item("issue", author, t0, ISSUE_TITLES)
        if rng.random() < 0.78:
            item.closed_at = t0 + hours(rng, 96, 1.4)
            item.merged = rng.random() < 0.8
        if rng.random() < 0.6:
            name = rng.choice(list(p.LABELS))
            at = t0 + hours(rng, 1.5, 1.0)
            item.labels.append((name, at))
        self.emit(t0, "issues", "opened", author, issue=p.issue_like(item, t0, "issue"))
        for name, at in item.labels:
            self.emit(at, "issues", "labeled", self.responder(at, author), issue=p.issue_like(item, at, "issue"),
                      label=p.label(name))
        last = t0
        if rng.random() < 0.88:
            last = t0 + hours(rng, 8, 1.5)
            self.comment(item, self.responder(last, author), last, "Thanks for the report! Looking into it.")
        elif item.closed_at is None and t0 + timedelta(days=30) < self.plan.end:
            self.comment(item, self.plan.bots["stale"], t0 + timedelta(days=30), "This issue has had no activity.")
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3, 5))):
            last += hours(rng, 12, 1.0)
            self.comment(item, author if rng.random() < 0.4 else self.someone(last, author), last, "More details.")
        if item.closed_at is not None:
            closer = author if rng.random() < 0.25 else self.responder(item.closed_at, author)
            self.emit(item.closed_at, "issues", "closed", closer, issue=p.issue_like(item, item.closed_at, "issue"))

    def pull_request(self, author: Actor, t0: datetime) -> None:
        rng = self.rng
        item = self.new_item("pull_request", author, t0, PR_TITLES)
        if author.is_bot:
            item.title = f"Bump {rng.choice(('torch', 'numpy', 'safetensors', 'jinja2', 'pytest'))} version"
        item.issue_id = 2_000_000_000 + item.number
        item.fork = author.role not in ("maintainer", "bot")
        item.head_repo_id = 7_000_000_000 + author.id if item.fork else p.REPO_ID
        item.branch = f"{'dependabot/pip' if author.is_bot else 'topic'}/{item.number}"
        item.head_sha = p.sha("head", item.number)
        item.additions, item.deletions = int(rng.paretovariate(1.1) * 10), int(rng.paretovariate(1.3) * 4)
        item.changed_files = 1 + int(rng.paretovariate(1.5))
        reviews: list[tuple[datetime, Actor, str]] = []
        if author.is_bot:
            at = t0 + hours(rng, 10, 1.0)
            reviews.append((at, self.responder(at, author), "approved"))
        elif rng.random() < 0.9:
            at = t0 + hours(rng, 16, 1.2)
            reviewer = self.responder(at, author)
            if rng.random() < 0.35:
                reviews.append((at, reviewer, "changes_requested"))
                at += hours(rng, 30, 1.0)
            reviews.append((at, reviewer, "approved" if rng.random() < 0.8 else "commented"))
        roll = rng.random()
        if reviews and roll < (0.9 if author.is_bot else 0.72):
            item.closed_at, item.merged = reviews[-1][0] + hours(rng, 4, 1.0), True
            item.merged_by = reviews[-1][1]
        elif roll < 0.86:
            item.closed_at = t0 + hours(rng, 200, 1.0)
        self.emit(t0, "pull_request", "opened", author, number=item.number, pull_request=p.pull_request(item, t0))
        if rng.random() < 0.7:
            self.comment(item, self.plan.bots["actions"], t0 + timedelta(minutes=3), "CI: all checks passed.")
        for i, (at, reviewer, state) in enumerate(reviews):
            review_id = 5_000_000_000 + next(self.ids)
            review = {"id": review_id, "node_id": p.node_id("PullRequestReview", review_id), "user": p.user(reviewer),
                      "body": None, "commit_id": item.head_sha, "submitted_at": p.iso(at), "state": state,
                      "html_url": f"{p.WEB}/{p.FULL_NAME}/pull/{item.number}#pullrequestreview-{review_id}",
                      "author_association": reviewer.association}
            self.emit(at, "pull_request_review", "submitted", reviewer, review=review,
                      pull_request=p.pull_request(item, at))
            if i == 0 and rng.random() < 0.35:
                inline = p.comment(4_000_000_000 + next(self.ids), reviewer, at, review["html_url"], "Nit: rename?")
                inline.update(pull_request_review_id=review_id, path="src/tinyllm/model.py", line=42,
                              commit_id=item.head_sha, in_reply_to_id=None)
                self.emit(at, "pull_request_review_comment", "created", reviewer, comment=inline,
                          pull_request=p.pull_request(item, at))
        if item.closed_at is not None:
            closer = item.merged_by or self.responder(item.closed_at, author)
            self.emit(item.closed_at, "pull_request", "closed", closer, number=item.number,
                      pull_request=p.pull_request(item, item.closed_at))

    def start_discussion(self, author: Actor, t0: datetime) -> None:
        rng = self.rng
        item = self.new_item("discussion", author, t0, DISCUSSION_TITLES)
        item.category = rng.choices(list(CATEGORIES), (6, 2, 2))[0]
        self.emit(t0, "discussion", "created", author, discussion=self.discussion(item, t0))
        at, answers = t0, []
        for i in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            at += hours(rng, 10 if i == 0 else 14, 1.3)
            who = self.responder(at, author) if i == 0 else self.someone(at, author)
            c = self.comment(item, who, at, "Have you tried the default settings?")
            if c is not None and who.id != author.id:
                answers.append(c)
        if answers and CATEGORIES[item.category] and rng.random() < 0.65:
            chosen = at + hours(rng, 6, 1.0)
            self.emit(chosen, "discussion", "answered", author, answer=answers[0],
                      discussion=self.discussion(item, chosen, answers[0], chosen))

    def community_comment(self, actor: Actor, at: datetime) -> None:
        kind = self.rng.choices(("issue", "pull_request", "discussion"), (5, 3, 2))[0]
        item = self.recent(kind, at, actor)
        if item is not None:
            self.comment(item, actor, at, "I can reproduce this too.")

    def community_review(self, actor: Actor, at: datetime) -> None:
        item = self.recent("pull_request", at, actor)
        if item is None or (item.closed_at is not None and item.closed_at <= at):
            return
        review_id = 5_000_000_000 + next(self.ids)
        review = {"id": review_id, "node_id": p.node_id("PullRequestReview", review_id), "user": p.user(actor),
                  "body": "Looks good to me.", "commit_id": item.head_sha, "submitted_at": p.iso(at),
                  "state": "commented", "author_association": actor.association,
                  "html_url": f"{p.WEB}/{p.FULL_NAME}/pull/{item.number}#pullrequestreview-{review_id}"}
        self.emit(at, "pull_request_review", "submitted", actor, review=review, pull_request=p.pull_request(item, at))
