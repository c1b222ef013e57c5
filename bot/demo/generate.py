"""The whole demo as a list of deliveries: deterministic for a seed, a size and an end time."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.demo import payloads as p
from bot.demo.community import Act, Actor, Plan, plan
from bot.demo.lifecycle import Story

DEFAULT_SEED = 2026
DEFAULT_PEOPLE = 320
DEFAULT_MONTHS = 19
WIKI_PAGES = ("Home", "Training-recipes", "Evaluation-guide", "FAQ", "Roadmap")


@dataclass(frozen=True)
class DemoDelivery:
    delivery_id: str
    event: str
    at: datetime  # when it happened (the delivery is fed now; its payload carries this time)
    payload: dict[str, Any]


def _star(story: Story, act: Act) -> None:
    story.emit(act.at, "star", "created", act.actor, starred_at=p.iso(act.at))


def _fork(story: Story, act: Act) -> None:
    forkee = p.repository(act.at, act.at, 0, 0)
    fork_id = 7_000_000_000 + act.actor.id
    forkee.update(id=fork_id, node_id=p.node_id("Repository", fork_id), full_name=f"{act.actor.login}/{p.NAME}",
                  owner=p.user(act.actor), html_url=f"{p.WEB}/{act.actor.login}/{p.NAME}", fork=True)
    story.emit(act.at, "fork", None, act.actor, forkee=forkee)


def _docs_push(story: Story, act: Act) -> None:
    """Maintainers push docs straight to main (a docs contribution); others send them as pull requests."""
    if act.actor.role != "maintainer":
        story.pull_request(act.actor, act.at)
        return
    after, before = p.sha("push", act.at.isoformat()), p.sha("push-before", act.at.isoformat())
    path = story.rng.choice(("docs/index.md", "docs/training.md", "README.md", "docs/eval/suites.rst"))
    commit = {"id": after, "tree_id": p.sha("tree", after), "distinct": True, "message": f"docs: update {path}",
              "timestamp": p.iso(act.at), "url": f"{p.WEB}/{p.FULL_NAME}/commit/{after}",
              "author": {"name": act.actor.login, "email": f"{act.actor.id}+{act.actor.login}@users.noreply",
                         "username": act.actor.login},
              "committer": {"name": act.actor.login, "email": f"{act.actor.id}+{act.actor.login}@users.noreply",
                            "username": act.actor.login},
              "added": [], "removed": [], "modified": [path]}
    story.emit(act.at, "push", None, act.actor, ref="refs/heads/main", before=before, after=after, created=False,
               deleted=False, forced=False, base_ref=None,
               compare=f"{p.WEB}/{p.FULL_NAME}/compare/{before[:12]}...{after[:12]}", commits=[commit],
               head_commit=commit, pusher={"name": act.actor.login, "email": None})


def _releases(story: Story, plan_: Plan) -> None:
    t, n = plan_.start + timedelta(days=20), 1
    while t < plan_.end:
        author = story.rng.choice(plan_.maintainers)
        release_id = 8_000_000_000 + n
        release = {"id": release_id, "node_id": p.node_id("Release", release_id), "tag_name": f"v0.{n}.0",
                   "target_commitish": "main", "name": f"tinyllm 0.{n}", "draft": False, "prerelease": False,
                   "author": p.user(author), "created_at": p.iso(t), "published_at": p.iso(t),
                   "html_url": f"{p.WEB}/{p.FULL_NAME}/releases/tag/v0.{n}.0", "assets": [], "body": "Changes."}
        story.emit(t, "release", "published", author, release=release)
        t, n = t + timedelta(days=story.rng.uniform(25, 40)), n + 1


def _wiki(story: Story, plan_: Plan) -> None:
    """Wiki edits of the last days. ``gollum`` carries no timestamp, so Steward dates them at receipt (the
    feed, i.e. now): only recent edits are generated, where that is true to within days."""
    editors = [a for a in plan_.people if a.active_at(plan_.end - timedelta(days=1))] or plan_.maintainers
    for i in range(8):
        at = plan_.end - timedelta(hours=story.rng.uniform(1, 72))
        who: Actor = story.rng.choice(editors)
        page = story.rng.choice(WIKI_PAGES)
        story.emit(at, "gollum", None, who, pages=[{
            "page_name": page, "title": page.replace("-", " "), "summary": None,
            "action": "edited" if i else "created", "sha": p.sha("wiki", page, i),
            "html_url": f"{p.WEB}/{p.FULL_NAME}/wiki/{page}"}])


ORGANISATIONS = (("Tiny Labs", 5), ("Acme AI", 3), ("Globex Research", 2), ("University of Example", 2),
                 ("Initech", 1), ("Hooli", 1))


def _affiliations(story: Story, plan_: Plan, rng: random.Random) -> None:
    """Maintainers and most regulars say where they work, with ``/affiliation`` in a comment an hour after
    their first act (the Elephant Factor's self-service); one-shot contributors never do."""
    names, weights = zip(*ORGANISATIONS, strict=True)
    topics = sorted((i for kind in ("issue", "discussion") for i in story.items[kind]), key=lambda i: i.created_at)
    for actor in plan_.people:
        if actor.role == "one_shot" or actor.joined is None or (actor.role == "regular" and rng.random() < 0.15):
            continue
        at = max(actor.joined, topics[0].created_at if topics else actor.joined) + timedelta(hours=1)
        items = [i for i in topics if i.created_at < at]
        if items:
            name = rng.choice(names[:3]) if actor.role == "maintainer" else rng.choices(names, weights)[0]
            story.comment(rng.choice(items[-20:]), actor, at, f"For the dashboards:\n/affiliation {name}")


def generate(seed: int = DEFAULT_SEED, *, end: datetime, people: int = DEFAULT_PEOPLE,
             months: int = DEFAULT_MONTHS) -> list[DemoDelivery]:
    """Every delivery of the demo community in time order; the same arguments give the same deliveries."""
    rng = random.Random(seed)
    plan_ = plan(rng, end.replace(microsecond=0), people=people, months=months)
    story = Story(rng, plan_)
    handlers = {"issue": lambda a: story.issue(a.actor, a.at),
                "pull_request": lambda a: story.pull_request(a.actor, a.at),
                "discussion": lambda a: story.start_discussion(a.actor, a.at),
                "comment": lambda a: story.community_comment(a.actor, a.at),
                "review": lambda a: story.community_review(a.actor, a.at),
                "star": lambda a: _star(story, a), "fork": lambda a: _fork(story, a),
                "docs_push": lambda a: _docs_push(story, a)}
    for act in plan_.acts:
        handlers[act.kind](act)
    _releases(story, plan_)
    _wiki(story, plan_)
    _affiliations(story, plan_, random.Random(f"affiliations:{seed}"))  # last: every earlier event stays the same
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"steward-demo:{seed}:{people}:{months}:{end.isoformat()}")
    ordered = sorted(story.events, key=lambda e: (e[0], e[1]))
    return [DemoDelivery(str(uuid.uuid5(namespace, str(i))), event, at, payload)
            for i, (at, _, event, payload) in enumerate(ordered)]
