"""GraphQL route of the fake: POST /graphql (see ``tests/fake_github/__init__.py``)."""

from __future__ import annotations

from tests.fake_github import FakeGitHub, json_response


def install(fake: FakeGitHub) -> None:
    @fake.route("POST", r"/graphql")
    def graphql(request):
        return json_response({"errors": [{"message": "no resolver for this query in the fake yet"}]}, 200)
