"""Populate a fake repository with a realistic, deterministic history, and the oracle of what it holds.

``populate(fake, repo, issues=…, prs=…, comments_per_item=…, discussions=…)`` fills ``FakeRepo`` with
REST-shaped issues, pull requests (open, draft, merged, closed unmerged; changed paths, some under docs),
issue comments, reviews in every state with review comments and replies, releases (one draft), and
GraphQL-shaped discussions (Q&A ones with chosen answers) with comments and replies. People include a
bot (``dependabot[bot]``). ``heavy=True`` adds the rare items whose nested connections need follow-up
pages: an issue with 120 comments, a PR with 35 reviews, a review with 25 comments, a PR with 130 files
whose only docs path is the last, and a discussion with 60 comments.

``expected(repo)`` counts rows and contributions per kind straight from the state, by the webhook rules.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from bot.contributions import is_docs_path
from tests.fake_github.graphql_views import actor

BASE = datetime(2021, 1, 4, 9, 0, tzinfo=UTC)
USERS = [{"login": f"dev{k}", "id": 8_100_000 + k, "type": "User", "html_url": f"https://github.com/dev{k}"}
         for k in range(40)]
BOT = {"login": "dependabot[bot]", "id": 49699333, "type": "Bot", "html_url": "https://github.com/apps/dependabot"}
MAINTAINER = USERS[0]


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def populate(fake, repo, *, issues: int = 600, prs: int = 450, comments_per_item: int = 3, reviews_per_pr: int = 2,
             review_comments_per_review: int = 1, discussions: int = 30, comments_per_discussion: int = 3,
             releases: int = 12, heavy: bool = True, seed: int = 7) -> None:
    rng = random.Random(seed)
    new_id = fake.state.new_id
    url = f"https://github.com/{repo.full_name}"
    kinds = ["issue"] * issues + ["pr"] * prs
    rng.shuffle(kinds)
    start = max([0, *repo.issues, *repo.discussions])
    heavy_offsets = {kinds.index(k) + 1 for k in ("issue", "pr") if heavy and k in kinds}
    for offset, kind in enumerate(kinds, 1):
        n = start + offset
        created = BASE + timedelta(hours=7 * n)
        updated = created + timedelta(hours=rng.randint(1, 400))
        author = BOT if kind == "pr" and rng.random() < 0.05 else rng.choice(USERS)
        item = {"id": new_id(), "node_id": f"I_{n}", "number": n, "title": f"{kind} {n}", "body": "text",
                "user": author, "labels": [{"name": name} for name in rng.sample(["bug", "docs", "enhancement"],
                                                                              rng.randint(0, 2))],
                "assignees": [rng.choice(USERS)] if rng.random() < 0.3 else [], "locked": False,
                "author_association": "CONTRIBUTOR", "created_at": iso(created), "updated_at": iso(updated),
                "state": "open", "closed_at": None}
        heavy_here = offset in heavy_offsets
        comments = 120 if heavy_here and kind == "issue" else comments_per_item
        if kind == "issue":
            item.update(html_url=f"{url}/issues/{n}", state_reason=None,
                        milestone={"title": "v1"} if rng.random() < 0.2 else None)
            if rng.random() < 0.4:
                item.update(state="closed", closed_at=iso(updated),
                            state_reason=rng.choice(["completed", "not_planned"]))
            repo.issues[n] = item
        else:
            _pull_request(repo, rng, item, url, updated, reviews_per_pr, review_comments_per_review,
                          heavy_here, new_id)
        item["comments"] = comments
        repo.issue_comments[n] = [_comment(new_id(), rng.choice(USERS), created + timedelta(minutes=k + 1),
                                           f"{item['html_url']}#issuecomment-") for k in range(comments)]
    for k in range(discussions):
        _discussion(repo, rng, start + len(kinds) + k + 1, url, comments_per_discussion,
                    60 if heavy and k == 0 else comments_per_discussion, new_id)
    for k in range(releases):
        at = BASE + timedelta(days=30 * k)
        draft = k == releases - 1
        repo.releases.append({"id": new_id(), "tag_name": f"v0.{k}", "name": f"0.{k}", "draft": draft,
                              "prerelease": k % 4 == 3, "html_url": f"{url}/releases/tag/v0.{k}",
                              "created_at": iso(at), "published_at": None if draft else iso(at + timedelta(hours=1)),
                              "author": MAINTAINER})


def _comment(cid: int, user: dict, at: datetime, link: str, **extra) -> dict:
    return {"id": cid, "body": f"comment {cid}", "user": user, "created_at": iso(at),
            "updated_at": iso(at + timedelta(minutes=5)), "author_association": "CONTRIBUTOR",
            "html_url": f"{link}{cid}", **extra}


def _pull_request(repo, rng, item, url, updated, reviews_per_pr, per_review, heavy_here, new_id) -> None:
    n = item["number"]
    roll = rng.random()
    merged = roll < 0.4
    item.update(html_url=f"{url}/pull/{n}", draft=roll > 0.9, merged=merged,
                merged_at=iso(updated) if merged else None, merged_by=MAINTAINER if merged else None,
                head={"ref": f"feature-{n}", "sha": f"{n:040x}", "repo": {"id": repo.id}},
                base={"ref": "main", "sha": f"{n + 1:040x}"}, additions=n % 50, deletions=n % 7)
    if merged or 0.4 <= roll < 0.55:
        item.update(state="closed", closed_at=iso(updated))
    paths = [f"src/module_{n}_{k}.py" for k in range(rng.randint(1, 4))]
    if rng.random() < 0.3:
        paths.append(rng.choice(["docs/guide.md", "README.md", "model_card.md", "docs/api/index.rst"]))
    if heavy_here:
        paths = [f"src/f{k}.py" for k in range(129)] + ["docs/late.md"]
    item["changed_files"] = len(paths)
    repo.pulls[n] = item
    repo.issues[n] = {**item, "id": new_id(), "pull_request": {"html_url": item["html_url"]}}
    repo.pull_files[n] = paths
    created = datetime.fromisoformat(item["created_at"].replace("Z", "+00:00"))
    reviews, comments = [], []
    for k in range(35 if heavy_here else reviews_per_pr):
        rid = new_id()
        reviewer = rng.choice(USERS)
        state = ["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"][(n + k) % 4]
        at = created + timedelta(hours=k + 1)
        reviews.append({"id": rid, "user": reviewer, "state": state,
                        "html_url": f"{url}/pull/{n}#pullrequestreview-{rid}",
                        "submitted_at": iso(at), "commit_id": item["head"]["sha"], "author_association": "MEMBER"})
        for j in range(25 if heavy_here and k == 0 else per_review):
            extra = {"pull_request_review_id": rid, "path": "src/x.py"}
            if j:
                extra["in_reply_to_id"] = comments[-1]["id"]
            comments.append(_comment(new_id(), reviewer, at + timedelta(minutes=j), f"{url}/pull/{n}#discussion_r",
                                     **extra))
    repo.reviews[n], repo.review_comments[n] = reviews, comments


def _discussion(repo, rng, n, url, replies_budget, comment_count, new_id) -> None:
    created = BASE + timedelta(hours=5 * n + 3)
    qa = n % 3 != 0
    author = rng.choice(USERS)
    comments = []
    for k in range(comment_count):
        at = created + timedelta(hours=k + 1)
        top = _gql_comment(new_id(), rng.choice(USERS), at, f"{url}/discussions/{n}#discussioncomment-")
        comments.append(top)
        if k < replies_budget:
            comments.append(_gql_comment(new_id(), author, at + timedelta(minutes=30),
                                         f"{url}/discussions/{n}#discussioncomment-", replyTo=top["databaseId"]))
    answer = next((c for c in comments if not c["replyTo"]), None) if qa and n % 2 == 0 else None
    chosen = created + timedelta(days=2)
    if answer:
        answer["isAnswer"] = True
    repo.discussions[n] = {
        "databaseId": new_id(), "number": n, "title": f"discussion {n}", "closed": n % 5 == 0, "locked": False,
        "url": f"{url}/discussions/{n}", "createdAt": iso(created), "updatedAt": iso(chosen + timedelta(hours=1)),
        "authorAssociation": "CONTRIBUTOR", "author": actor(author),
        "category": {"name": "Q&A" if qa else "General"}, "labels": [],
        "answerChosenAt": iso(chosen) if answer else None, "answerChosenBy": actor(author) if answer else None,
    }
    repo.discussion_comments[n] = comments


def _gql_comment(cid: int, user: dict, at: datetime, link: str, replyTo: int | None = None) -> dict:  # noqa: N803
    return {"databaseId": cid, "body": f"comment {cid}", "url": f"{link}{cid}", "createdAt": iso(at),
            "updatedAt": iso(at + timedelta(minutes=2)), "authorAssociation": "CONTRIBUTOR", "author": actor(user),
            "replyTo": {"databaseId": replyTo} if replyTo else None, "isAnswer": False}


def expected(repo) -> dict:
    """Rows and contributions per kind that importing ``repo`` must produce, by the webhook rules."""
    issues = [i for i in repo.issues.values() if "pull_request" not in i]
    pulls = list(repo.pulls.values())
    reviews = [r for rs in repo.reviews.values() for r in rs]
    d_comments = [c for cs in repo.discussion_comments.values() for c in cs]
    docs = [p for p in pulls if (p.get("merged") or p["state"] == "open")
            and any(is_docs_path(path) for path in repo.pull_files.get(p["number"], []))]
    kinds = Counter({
        "issue_opened": len(issues), "pr_opened": len(pulls), "pr_merged": sum(bool(p.get("merged")) for p in pulls),
        "review": sum(r["state"] != "PENDING" for r in reviews),
        "issue_comment": sum(len(cs) for cs in repo.issue_comments.values()),
        "review_comment": sum(len(cs) for cs in repo.review_comments.values()),
        "discussion_opened": len(repo.discussions), "discussion_comment": len(d_comments),
        "discussion_answer": sum(bool(c["isAnswer"]) for c in d_comments),
        "release": sum(1 for r in repo.releases if not r["draft"] and r["published_at"]),
        "docs_change": len(docs),
    })
    rows = {"issues": len(issues), "pull_requests": len(pulls), "reviews": len(reviews),
            "discussions": len(repo.discussions), "releases": len(repo.releases),
            "comments": {"issue": kinds["issue_comment"], "review": kinds["review_comment"],
                         "discussion": kinds["discussion_comment"]}}
    return {"rows": rows, "contributions": +kinds}
