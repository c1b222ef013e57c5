"""GraphQL route of the fake: POST /graphql (see ``tests/fake_github/__init__.py``).

Each query is parsed and VALIDATED with graphql-core against GitHub's public schema
(``../shared/github-api/schema.graphql``, built once per process); an invalid one gets GitHub's
``{"errors": [...]}`` answer. A valid one is executed by graphql-core over views of ``fake.state``
(``graphql_views.py``): dicts whose connection fields are callables taking the field's arguments.
Connections follow GitHub: ``first``/``last`` required and at most 100, opaque cursors, ``pageInfo``,
``totalCount``.

Failure injection beyond ``fake.fail_next``: ``fake.graphql_failures[n] = status`` answers the n-th
GraphQL request (1-based, counted in ``fake.graphql_count``) with that status.
"""

from __future__ import annotations

import threading

from graphql import GraphQLError, GraphQLSchema, build_ast_schema, execute, parse, validate

from tests.fake_github import FakeGitHub, json_response
from tests.fake_github.graphql_views import NotFound, root
from tests.shared import SHARED

SCHEMA_PATH = SHARED / "github-api" / "schema.graphql"
_schema: GraphQLSchema | None = None
_schema_lock = threading.Lock()


def schema() -> GraphQLSchema:
    """GitHub's schema, built once per process (1.2 MB of SDL; it repeats two fields, hence assume_valid)."""
    global _schema
    with _schema_lock:
        if _schema is None:
            _schema = build_ast_schema(parse(SCHEMA_PATH.read_text()), assume_valid_sdl=True)
        return _schema


def _formatted(error: GraphQLError) -> dict:
    out = dict(error.formatted)
    if isinstance(error.original_error, NotFound):
        out["type"] = "NOT_FOUND"
    return out


def run_query(fake: FakeGitHub, query: str, variables: dict | None = None, operation: str | None = None) -> dict:
    """Validate and execute one query over the fake's state; GitHub's response body."""
    try:
        document = parse(query)
    except GraphQLError as exc:
        return {"errors": [_formatted(exc)]}
    errors = validate(schema(), document)
    if errors:
        return {"errors": [_formatted(e) for e in errors]}
    result = execute(schema(), document, root_value=root(fake), variable_values=variables or {},
                     operation_name=operation)
    body: dict = {"data": result.data}
    if result.errors:
        body["errors"] = [_formatted(e) for e in result.errors]
    return body


def install(fake: FakeGitHub) -> None:
    fake.graphql_count = 0
    fake.graphql_failures = {}

    @fake.route("POST", r"/graphql")
    def graphql(request):
        fake.graphql_count += 1
        status = fake.graphql_failures.pop(fake.graphql_count, None)
        if status is not None:
            return json_response({"message": f"injected {status}"}, status)
        if not request.headers.get("Authorization"):
            return json_response({"message": "This endpoint requires you to be authenticated.",
                                  "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"},
                                 401)
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return json_response({"message": "Problems parsing JSON"}, 400)
        return json_response(run_query(fake, payload["query"], payload.get("variables"), payload.get("operationName")))
