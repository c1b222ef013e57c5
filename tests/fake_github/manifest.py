"""App-manifest routes of the fake (see ``__init__.py``).

- ``POST /app-manifests/{code}/conversions``: 201 with the real shape of ``integration-from-manifest``
  (new id, secrets, a real RSA private key, URLs on the fake's base URL) for a code registered in
  ``fake.state.manifest_codes``; 404 otherwise. A code works once. No authentication, as on GitHub.
- ``POST /settings/apps/new`` and ``/organizations/{org}/settings/apps/new``: what the user's browser
  does on GitHub (form field ``manifest``, query ``state``), confirmed at once: registers a code built
  from the manifest and answers 302 to ``redirect_url?code=…&state=…``; 422 for a manifest GitHub rejects.

``fake.state.manifest_codes`` maps a code to fields that override the defaults (``{}`` is fine); tests
register codes directly or with ``register_code(fake, **fields)``.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import secrets
from typing import Any
from urllib.parse import urlencode

from werkzeug import Request, Response

from tests.fake_github import EXAMPLES, FakeGitHub, json_response


@functools.cache
def private_key_pem() -> str:
    """One RSA key per test process, PKCS#1 PEM like GitHub's, usable for App JWTs against the fake."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption()).decode()


def _rebase(value: Any, base_url: str) -> Any:
    """Point every github.com / api.github.com URL of an example at the fake's own base URL."""
    if isinstance(value, dict):
        return {key: _rebase(item, base_url) for key, item in value.items()}
    if isinstance(value, list):
        return [_rebase(item, base_url) for item in value]
    if isinstance(value, str):
        return re.sub(r"^https://(api\.)?github\.com", base_url, value)
    return value


def conversion(fake: FakeGitHub, fields: dict[str, Any]) -> dict[str, Any]:
    """The full conversion answer: the example with fresh ids and secrets, then ``fields`` on top."""
    body = _rebase(copy.deepcopy(EXAMPLES["integration-from-manifest"]), fake.base_url)
    body.update(id=fake.state.new_id(), client_id=f"Iv1.{secrets.token_hex(8)}",
                client_secret=secrets.token_hex(20), webhook_secret=secrets.token_hex(20), pem=private_key_pem())
    body.update(fields)
    body.setdefault("node_id", f"A_{body['id']}")
    body["html_url"] = fields.get("html_url") or fake.url(f"/apps/{body['slug']}")
    return body


def register_code(fake: FakeGitHub, code: str | None = None, **fields: Any) -> str:
    code = code or secrets.token_hex(10)
    fake.state.manifest_codes[code] = fields
    return code


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "app"


def install(fake: FakeGitHub) -> None:
    @fake.route("POST", r"/app-manifests/(?P<code>[^/]+)/conversions")
    def convert(request: Request, code: str) -> Response:
        fields = fake.state.manifest_codes.pop(code, None)
        if fields is None:
            return json_response({"message": "Not Found",
                                  "documentation_url": "https://docs.github.com/rest/apps/apps"}, 404)
        return json_response(conversion(fake, fields), 201)

    @fake.route("POST", r"(?:/organizations/(?P<org>[^/]+))?/settings/apps/new")
    def create_from_manifest(request: Request, org: str | None = None) -> Response:
        try:
            manifest = json.loads(request.form.get("manifest", ""))
        except ValueError:
            return json_response({"message": "manifest is not JSON"}, 422)
        missing = [key for key in ("url", "redirect_url") if not manifest.get(key)]
        if not (manifest.get("hook_attributes") or {}).get("url"):
            missing.append("hook_attributes.url")
        if missing:
            return json_response({"message": f"manifest lacks {', '.join(missing)}"}, 422)
        name = manifest.get("name") or "app"
        owner = dict(EXAMPLES["simple-user"], login=org, type="Organization") if org else EXAMPLES["simple-user"]
        code = register_code(fake, name=name, slug=_slug(name), description=manifest.get("description", ""),
                             external_url=manifest["url"], owner=_rebase(owner, fake.base_url),
                             permissions=manifest.get("default_permissions", {}),
                             events=manifest.get("default_events", []))
        query = {"code": code, **({"state": request.args["state"]} if "state" in request.args else {})}
        separator = "&" if "?" in manifest["redirect_url"] else "?"
        return Response(status=302, headers={"Location": manifest["redirect_url"] + separator + urlencode(query)})
