"""The GitHub App credentials file that the /setup flow writes, and the manifest-code conversion.

The file is JSON in the instance folder (``STEWARD_INSTANCE_DIR``, default ``instance/``): the App's id,
slug, page, client id and the three secrets (client secret, webhook secret, private key), plus the API
URL it was registered on. It is created with mode 0600 in a 0700 folder, written atomically, and never
overwritten by the setup flow. ``Settings.from_env`` fills unset GitHub variables from it.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests

log = logging.getLogger(__name__)

FILENAME = "github-app.json"
DEFAULT_INSTANCE_DIR = "instance"
CONVERSION_TIMEOUT_S = 15.0
_TEXT_FIELDS = ("slug", "html_url", "client_id", "client_secret", "webhook_secret", "pem", "api_url")


class CredentialsError(ValueError):
    """The credentials file exists but cannot be used. The message names the file, never a secret."""


class ConversionError(RuntimeError):
    """GitHub did not turn the manifest code into credentials. ``status`` is GitHub's HTTP status, if any."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class AppCredentials:
    id: int
    slug: str
    html_url: str
    client_id: str
    client_secret: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    pem: str = field(repr=False)
    api_url: str

    @classmethod
    def from_mapping(cls, data: Any, api_url: str | None = None) -> AppCredentials:
        """Build from GitHub's conversion answer (``api_url`` given) or from the file; ValueError names
        the first missing or malformed field, never a value."""
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        values = dict(data, api_url=api_url) if api_url is not None else dict(data)
        app_id = values.get("id")
        if isinstance(app_id, bool) or not isinstance(app_id, int) or app_id <= 0:
            raise ValueError("field 'id' is missing or not a positive integer")
        for name in _TEXT_FIELDS:
            if not isinstance(values.get(name), str) or not values[name]:
                raise ValueError(f"field {name!r} is missing or empty")
        return cls(id=app_id, **{name: values[name] for name in _TEXT_FIELDS})


def path_in(instance_dir: str | os.PathLike[str]) -> Path:
    return Path(instance_dir) / FILENAME


def load(path: str | os.PathLike[str]) -> AppCredentials | None:
    """The credentials in ``path``, or None if there is no such file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CredentialsError(f"cannot read the GitHub App credentials file {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("%s is readable by other users (mode %o); it holds secrets: chmod 600 it",
                    path, stat.S_IMODE(mode))
    try:
        return AppCredentials.from_mapping(json.loads(raw))
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too; its message quotes no content
        raise CredentialsError(f"the GitHub App credentials file {path} is not usable: {exc}") from None


def save(creds: AppCredentials, path: str | os.PathLike[str], *, exclusive: bool = True) -> Path:
    """Write ``creds`` atomically with mode 0600, creating the folder with mode 0700 if needed.

    ``exclusive``: raise FileExistsError instead of replacing an existing file (two setups racing)."""
    path = Path(path)
    folder = private_dir(path.parent)
    tmp = folder / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            os.fchmod(out.fileno(), 0o600)
            json.dump(asdict(creds), out, indent=2)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        if exclusive:
            os.link(tmp, path)  # atomic, and fails if the file already exists
        else:
            os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(folder)
    return path


def private_dir(folder: str | os.PathLike[str]) -> Path:
    """``folder``, created with mode 0700 if missing (an existing folder keeps its mode)."""
    folder = Path(folder)
    if not folder.is_dir():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    return folder


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def convert_manifest_code(api_url: str, code: str, *, timeout: float = CONVERSION_TIMEOUT_S) -> AppCredentials:
    """``POST {api_url}/app-manifests/{code}/conversions``: the code is the only credential (no auth).

    GitHub answers 201 with the new App and its secrets; a code works once and for one hour."""
    if not code:
        raise ConversionError("GitHub sent no code")
    url = f"{api_url.rstrip('/')}/app-manifests/{quote(code, safe='')}/conversions"
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28",
               "User-Agent": "steward-setup"}
    try:
        response = requests.post(url, headers=headers, timeout=timeout)
    except requests.RequestException as exc:
        raise ConversionError(f"could not reach GitHub at {api_url}: {type(exc).__name__}") from None
    if response.status_code != 201:
        raise ConversionError(f"GitHub answered HTTP {response.status_code} to the code conversion"
                              f"{_github_message(response)}", response.status_code)
    try:
        return AppCredentials.from_mapping(response.json(), api_url=api_url)
    except ValueError as exc:
        raise ConversionError(f"GitHub's conversion answer is not usable: {exc}", response.status_code) from None


def _github_message(response: requests.Response) -> str:
    """GitHub's own error ``message`` (short, secret-free), never the rest of the body."""
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        return ""
    return f": {message[:200]}" if isinstance(message, str) and message else ""
