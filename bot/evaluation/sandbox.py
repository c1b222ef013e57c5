"""Run PR-controlled work (model files, suite data) in a child process that holds nothing worth stealing.

- **Environment built from scratch** (``environment``): a minimal ``PATH``, a private ``HOME`` and caches inside
  the run's temporary directory, the Hub offline (``HF_HUB_OFFLINE=1``, ``HF_DATASETS_OFFLINE=1``,
  ``TRANSFORMERS_OFFLINE=1``). Nothing is copied from the parent's environment, so no token, key,
  ``GITHUB_*`` or ``STEWARD_*`` value can reach the child.
- **Limits**: a wall-time limit (the whole process group is killed), an address-space limit (``RLIMIT_AS``;
  ``memory_bytes=None`` leaves it off, for CUDA, which reserves far more address space than it uses), no core
  dumps, and a stop check polled every ``POLL_S`` (a superseded run is killed early).
- **No network** where the OS allows it: the child runs under ``unshare --net --map-root-user`` (a new,
  empty network namespace). Where that is refused (no user namespaces), it runs without one and a warning
  is logged once; ``network_isolated()`` says which.
- **Steward's secrets and data out of sight** where the OS allows it (``files_hidden()``): in a new mount
  namespace, ``hide`` paths (``secret_paths``: the App credentials file, the private-key file, the SQLite
  database and its journals, PostgreSQL's socket folders) are covered, a file by ``/dev/null`` and a folder
  by an empty tmpfs; then the command runs in a further user and mount namespace, where those mounts are
  locked: it cannot unmount them to see what is underneath, though it runs as the same Unix user.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
POLL_S = 0.5
OUTPUT_MAX = 64 * 1024  # bytes of stdout/stderr kept
DEFAULT_WALL_S = 1800.0
DEFAULT_MEMORY = 16 * 1024**3
_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False
    stopped: bool = False  # killed because ``should_stop`` said so

    def last_line(self) -> str:
        """The last line the command wrote to stderr, else to stdout, else its exit status."""
        for stream in (self.stderr, self.stdout):
            lines = [line for line in stream.splitlines() if line.strip()]
            if lines:
                return lines[-1].strip()[:500]
        return f"exit status {self.returncode}"


def environment(home: str | os.PathLike[str]) -> dict[str, str]:
    """The child's whole environment: nothing inherited."""
    home = str(home)
    return {
        "PATH": _PATH, "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "HF_HOME": os.path.join(home, "hf"), "XDG_CACHE_HOME": os.path.join(home, "cache"),
        "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1", "TOKENIZERS_PARALLELISM": "false",
        "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
        # The Steward package itself (trusted code) must be importable from the scrubbed interpreter.
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }  # fmt: skip


@functools.cache
def network_isolated() -> bool:
    """Whether ``unshare --net --map-root-user`` works here (checked once per process)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        log.warning("sandbox: no unshare(1); evaluations run WITH network access")
        return False
    return _succeeds([unshare, "--net", "--map-root-user", "--", "/bin/true"],
                     "sandbox: unshare --net is refused here (no user namespaces); evaluations run WITH network access")


# Runs as root of the first namespace: cover each path before "--", then drop into a nested user namespace.
_HIDE = ('set -e; while [ "$1" != -- ]; do if [ -d "$1" ]; then mount -t tmpfs -o size=4k,mode=0 steward-hidden "$1";'
         ' elif [ -e "$1" ]; then mount --bind /dev/null "$1"; fi; shift; done; shift;'
         ' exec unshare --user --mount --map-current-user -- "$@"')
PG_SOCKET_DIRS = ("/run/postgresql", "/var/run/postgresql")


@functools.cache
def files_hidden() -> bool:
    """Whether paths can be hidden from the child (mount + user namespaces; checked once per process)."""
    if not network_isolated():
        return False
    with tempfile.TemporaryDirectory(prefix="steward-probe-") as probe:
        (Path(probe) / "secret").write_text("x")
        return _succeeds(_hiding([Path(probe)], ["/bin/sh", "-c", f'test ! -e "{probe}/secret"']),
                         "sandbox: mount namespaces are refused here; evaluations can read files Steward can read")


def _hiding(hide: Sequence[Path], argv: Sequence[str]) -> list[str]:
    """``argv`` with no network and ``hide`` covered (``_HIDE``)."""
    return [shutil.which("unshare") or "unshare", "--net", "--mount", "--map-root-user", "--", "/bin/sh", "-c", _HIDE,
            "sh", *(str(p) for p in hide), "--", *argv]


def _succeeds(probe: list[str], refused: str) -> bool:
    """Whether ``probe`` exits 0; if not, ``refused`` is logged as a warning."""
    try:
        done = subprocess.run(probe, env={"PATH": _PATH}, capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is None or done.returncode != 0:
        log.warning(refused)
        return False
    return True


def secret_paths(settings: Any) -> list[Path]:
    """What an evaluation must not read: credentials, the database, PostgreSQL's local sockets."""
    from sqlalchemy.engine import make_url

    paths = [Path(settings.credentials_path)]
    if settings.github_private_key_path:
        paths.append(Path(settings.github_private_key_path))
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        database = Path(url.database)
        paths += [database, *(Path(f"{database}{suffix}") for suffix in ("-wal", "-shm", "-journal"))]
    paths += [Path(d) for d in PG_SOCKET_DIRS]
    return [p.resolve() for p in paths]


def _limits(memory_bytes: int | None) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        if memory_bytes is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_python(args: Sequence[str], *, cwd: str | os.PathLike[str] | None = None, wall_s: float = DEFAULT_WALL_S,
               memory_bytes: int | None = DEFAULT_MEMORY, should_stop: Callable[[], bool] | None = None,
               hide: Sequence[Path] = ()) -> Result:
    """``python <args>`` in the sandbox (this interpreter, a scrubbed environment, the limits above)."""
    return run([sys.executable, "-s", *args], cwd=cwd, wall_s=wall_s, memory_bytes=memory_bytes,
               should_stop=should_stop, hide=hide)


def run(argv: Sequence[str], *, cwd: str | os.PathLike[str] | None = None, wall_s: float = DEFAULT_WALL_S,
        memory_bytes: int | None = DEFAULT_MEMORY, should_stop: Callable[[], bool] | None = None,
        hide: Sequence[Path] = ()) -> Result:
    """Any command in the sandbox: a scrubbed environment, the limits above, no network and ``hide`` out of
    sight where possible."""
    with tempfile.TemporaryDirectory(prefix="steward-sandbox-") as home:
        argv = list(argv)
        if hide and files_hidden():
            argv = _hiding(hide, argv)
        elif network_isolated():
            argv = [shutil.which("unshare") or "unshare", "--net", "--map-root-user", "--", *argv]
        out_path, err_path = Path(home) / ".stdout", Path(home) / ".stderr"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            child = subprocess.Popen(argv, cwd=cwd or home, env=environment(home), stdin=subprocess.DEVNULL,
                                     stdout=out, stderr=err, preexec_fn=_limits(memory_bytes),  # noqa: PLW1509
                                     start_new_session=True, close_fds=True)
            timed_out = stopped = False
            deadline = time.monotonic() + wall_s
            while child.poll() is None:
                if time.monotonic() >= deadline:
                    timed_out = True
                elif should_stop is not None and should_stop():
                    stopped = True
                if timed_out or stopped:
                    _kill(child)
                    break
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=POLL_S)
        return Result(child.returncode, _tail(out_path), _tail(err_path), timed_out, stopped)


def _kill(child: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def _tail(path: Path) -> str:
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - OUTPUT_MAX))
        return handle.read().decode("utf-8", "replace")
