"""The demo community's generator: deterministic, and shaped like a real community (no database)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.demo.generate import DEFAULT_MONTHS, DEFAULT_PEOPLE, generate
from bot.demo.payloads import FULL_NAME

END = datetime(2026, 11, 28, 12, 30, tzinfo=UTC)


def _fingerprint(deliveries) -> list[tuple[str, str, str]]:
    return [(d.delivery_id, d.event, json.dumps(d.payload, sort_keys=True)) for d in deliveries]


def test_same_seed_same_deliveries_other_seed_other_deliveries():
    first = generate(11, end=END, people=20, months=3)
    assert _fingerprint(first) == _fingerprint(generate(11, end=END, people=20, months=3))
    assert _fingerprint(first) != _fingerprint(generate(12, end=END, people=20, months=3))
    assert [d.at for d in first] == sorted(d.at for d in first)  # fed in the order it happened
    assert all(d.at < END for d in first)


def _people(deliveries):
    """Every human account that acts (the sender), with its number of acts and the days it acted on."""
    acts: Counter = Counter()
    days: dict[int, set] = {}
    bots = set()
    for d in deliveries:
        sender = d.payload["sender"]
        if sender["type"] == "Bot":
            bots.add(sender["login"])
            continue
        acts[sender["id"]] += 1
        days.setdefault(sender["id"], set()).add(d.at.date())
    return acts, days, bots


@pytest.fixture(scope="module")
def full():
    return generate(end=END, people=DEFAULT_PEOPLE, months=DEFAULT_MONTHS)


def test_full_size_has_the_shape_the_issue_asks_for(full):
    acts, days, bots = _people(full)
    assert len(acts) >= 300
    assert full[0].at <= END - timedelta(days=18 * 31)  # at least 18 months of history ending now
    assert full[-1].at >= END - timedelta(days=1)
    kinds = Counter((d.event, d.payload.get("action")) for d in full)
    for kind in [("issues", "opened"), ("issues", "closed"), ("issues", "labeled"), ("pull_request", "opened"),
                 ("pull_request", "closed"), ("pull_request_review", "submitted"),
                 ("pull_request_review_comment", "created"), ("issue_comment", "created"),
                 ("discussion", "created"), ("discussion_comment", "created"), ("discussion", "answered"),
                 ("gollum", None), ("push", None), ("star", "created"), ("fork", None), ("release", "published")]:
        assert kinds[kind] > 0, kind
    merged = [d for d in full if d.event == "pull_request" and d.payload["pull_request"]["merged"]]
    assert merged and any(d.payload["pull_request"]["head"]["repo"]["id"] != d.payload["repository"]["id"]
                          for d in merged)  # fork PRs among the merged ones
    docs = [d for d in full if d.event == "push" and any(p.endswith((".md", ".rst"))
                                                         for c in d.payload["commits"] for p in c["modified"])]
    assert docs
    assert {"dependabot[bot]", "github-actions[bot]"} <= bots
    assert all(d.payload["repository"]["full_name"] == FULL_NAME for d in full)
    assert all(not d.payload["repository"]["private"] for d in full)


def test_first_timers_return_or_vanish_and_activity_is_heavy_tailed(full):
    acts, days, _ = _people(full)
    once = [p for p in acts if len(days[p]) == 1]
    returning = [p for p in acts if len(days[p]) >= 3]
    assert len(once) >= 0.2 * len(acts)  # many show up on one day and vanish
    assert len(returning) >= 0.3 * len(acts)  # others come back on several days
    ranked = sorted(acts.values(), reverse=True)
    top = ranked[: len(ranked) // 10]
    assert sum(top) >= 0.5 * sum(ranked)  # the busiest 10% do at least half of the acts
    assert ranked[0] >= 10 * ranked[len(ranked) // 2]  # the busiest does 10x the median


def test_discussion_answers_are_credited_to_a_comment_by_someone_else(full):
    for d in full:
        if d.event == "discussion" and d.payload["action"] == "answered":
            answer, discussion = d.payload["answer"], d.payload["discussion"]
            assert answer["user"]["id"] != discussion["user"]["id"]
            assert discussion["answer_chosen_at"] >= answer["created_at"]
