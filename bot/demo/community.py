"""Who the demo community is and what each person does, drawn from one seeded RNG (no clock, no I/O).

The shape follows what open-source projects look like: a handful of maintainers who answer most issues
and review most pull requests; a heavy tail of contributors (activity weights from a Pareto law, so a few
people do much and most do little); about half of the newcomers appear once and vanish, the others return
for a while; newcomers arrive at a growing rate; bots open dependency PRs and comment on every PR.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MAINTAINERS = 6
PARETO_ALPHA = 1.3  # activity weights: heavy-tailed (a few people do much, most do little)
ONE_SHOT = 0.5  # share of newcomers who act once and vanish
# What a community member's acts are (weights); maintainers act through the item lifecycles instead.
ACTS = (("issue", 32), ("pull_request", 20), ("discussion", 10), ("comment", 20), ("review", 6), ("star", 7),
        ("fork", 3), ("docs_push", 2))
STEMS = ("ada", "bao", "chidi", "dana", "emeka", "farah", "goran", "hana", "ines", "jun", "kofi", "lena", "mateo",
         "nadia", "oskar", "priya", "quinn", "rosa", "sami", "tariq", "uma", "vera", "wen", "xochi", "yusuf", "zoe",
         "arjun", "bea", "cyril", "dmitri", "elif", "femi", "gita", "hugo", "ivo", "jia", "kai", "luca", "mira",
         "noor", "otto", "pia", "rafa", "sven", "tomas", "ugo", "vik", "yara")
SUFFIXES = ("", "-dev", "_ml", "42", "-codes", "x", "-ai", "_py", "99", "-oss", "7", "-lab")


@dataclass(frozen=True)
class Actor:
    id: int
    login: str
    role: str  # maintainer | regular | one_shot | bot
    association: str  # author_association on their items: MEMBER, CONTRIBUTOR, NONE
    weight: float = 1.0
    joined: datetime | None = None
    leaves: datetime | None = None

    @property
    def is_bot(self) -> bool:
        return self.role == "bot"

    def active_at(self, t: datetime) -> bool:
        return self.joined is not None and self.leaves is not None and self.joined <= t <= self.leaves


@dataclass(frozen=True)
class Act:
    at: datetime
    kind: str
    actor: Actor


@dataclass
class Plan:
    start: datetime
    end: datetime
    maintainers: list[Actor]
    community: list[Actor]
    bots: dict[str, Actor]
    acts: list[Act] = field(default_factory=list)

    @property
    def people(self) -> list[Actor]:
        return [*self.maintainers, *self.community]


BOTS = {"dependabot": Actor(49699333, "dependabot[bot]", "bot", "NONE"),
        "actions": Actor(41898282, "github-actions[bot]", "bot", "NONE"),
        "stale": Actor(26384082, "stale[bot]", "bot", "NONE")}


def _login(rng: random.Random, taken: set[str]) -> str:
    while True:
        login = rng.choice(STEMS) + rng.choice(SUFFIXES)
        if login in taken:
            login += str(rng.randrange(10, 1000))
        if login not in taken:
            taken.add(login)
            return login


def plan(rng: random.Random, end: datetime, *, people: int, months: int) -> Plan:
    """The people and their acts over ``months`` ending at ``end``; maintainers' acts come from lifecycles."""
    start = end - timedelta(days=round(months * 30.44))
    span = end - start
    taken: set[str] = set()
    size = max(2, min(MAINTAINERS, people // 50))  # a small demo (tests) has a smaller core team
    maintainers = [Actor(5_000_001 + i, _login(rng, taken), "maintainer", "MEMBER", weight=40.0, joined=start,
                         leaves=end) for i in range(size)]
    community = []
    for i in range(max(0, people - size)):
        joined = start + span * (rng.random() ** 0.7)  # arrivals grow over time
        weight = min(rng.paretovariate(PARETO_ALPHA), 60.0)
        one_shot = rng.random() < ONE_SHOT
        stays = timedelta(0) if one_shot else timedelta(days=rng.expovariate(1 / (60 * min(weight, 6))))
        community.append(Actor(5_100_001 + i, _login(rng, taken), "one_shot" if one_shot else "regular",
                               "NONE", weight=weight, joined=joined, leaves=min(end, joined + stays)))
    result = Plan(start, end, maintainers, community, dict(BOTS))
    kinds, weights = zip(*ACTS, strict=True)
    for actor in community:
        assert actor.joined is not None and actor.leaves is not None
        if rng.random() < 0.35:  # many first show interest (a star) before contributing: the funnel's D0
            result.acts.append(Act(actor.joined - timedelta(hours=rng.uniform(1, 240)), "star", actor))
        count = 1 if actor.role == "one_shot" else max(2, min(60, round(actor.weight * 1.2)))
        first = rng.choices(("issue", "discussion", "pull_request", "comment"), (5, 2, 2, 1))[0]
        result.acts.append(Act(actor.joined, first, actor))
        window = (actor.leaves - actor.joined).total_seconds()
        for _ in range(count - 1):
            kind = rng.choices(kinds, weights)[0]
            result.acts.append(Act(actor.joined + timedelta(seconds=rng.uniform(0, window)), kind, actor))
    for maintainer in maintainers:  # maintainers open PRs of their own, about one every four weeks
        t = start + timedelta(days=rng.uniform(0, 28))
        while t < end:
            result.acts.append(Act(t, rng.choices(("pull_request", "docs_push", "issue"), (6, 2, 1))[0], maintainer))
            t += timedelta(days=rng.expovariate(1 / 28))
    t = start + timedelta(days=3)
    while t < end:  # dependabot: a dependency bump every other week
        result.acts.append(Act(t, "pull_request", BOTS["dependabot"]))
        t += timedelta(days=14, hours=rng.uniform(-12, 12))
    result.acts = sorted((a for a in result.acts if start <= a.at < end), key=lambda a: (a.at, a.actor.id, a.kind))
    return result


def pick_responder(rng: random.Random, plan: Plan, at: datetime, author: Actor, regulars: list[Actor]) -> Actor:
    """Who answers at ``at``: mostly a maintainer, sometimes a returning community member active then."""
    if regulars and rng.random() < 0.3:
        for _ in range(6):
            person = rng.choice(regulars)
            if person.id != author.id and person.active_at(at):
                return person
    while True:
        maintainer = rng.choice(plan.maintainers)
        if maintainer.id != author.id:
            return maintainer
