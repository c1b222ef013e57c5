"""REST routes of the fake (see ``tests/fake_github/__init__.py``)."""

from __future__ import annotations

from tests.fake_github import FakeGitHub, json_response


def install(fake: FakeGitHub) -> None:
    @fake.route("GET", r"/app")
    def get_app(request):
        return json_response(fake.state.app)

    @fake.route("GET", r"/rate_limit")
    def rate_limit(request):
        core = {"limit": 5000, "remaining": 4999, "reset": 4102444800, "used": 1}
        return json_response({"resources": {"core": core, "graphql": core}, "rate": core})
