"""The evaluation sandbox: a scrubbed environment (asserted with a probe), limits, no network where possible."""

from __future__ import annotations

import json
import re
import socket
import sys
from pathlib import Path

from bot.evaluation import sandbox

PROBE = "import json, os; print(json.dumps(dict(os.environ)))"
SECRETS = {name: f"value-of-{name.lower()}-do-not-leak" for name in (
    "GITHUB_TOKEN", "GITHUB_PRIVATE_KEY", "STEWARD_GITHUB_PRIVATE_KEY", "STEWARD_WEBHOOK_SECRET",
    "STEWARD_DATABASE_URL", "AWS_SECRET_ACCESS_KEY", "HF_TOKEN", "GH_TOKEN")}


def test_the_sandbox_environment_holds_no_token_key_or_secret(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    done = sandbox.run_python(["-c", PROBE])
    assert done.returncode == 0, done.stderr
    env = json.loads(done.stdout)
    assert not [name for name in env if name.startswith(("GITHUB_", "STEWARD_", "GH_", "AWS_"))]
    assert not [name for name, value in env.items() if any(v in value for v in SECRETS.values())]
    assert not [name for name in env if re.search(r"(^|_)(TOKEN|KEY|SECRET|PASSWORD)(_|$)", name)]
    assert env == sandbox.environment(env["HOME"])  # built from scratch: nothing else got in
    assert env["HF_HUB_OFFLINE"] == "1" and env["HF_DATASETS_OFFLINE"] == "1"


def test_the_wall_time_limit_kills_the_process_group():
    done = sandbox.run_python(["-c", "import subprocess, sys, time;"
                               " subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
                               " time.sleep(60)"], wall_s=1.0)
    assert done.timed_out and done.returncode == -9


def test_the_memory_limit_applies():
    done = sandbox.run_python(["-c", "x = bytearray(512 * 1024 * 1024)"], memory_bytes=256 * 1024**2)
    assert done.returncode != 0 and "MemoryError" in done.stderr


def test_a_stop_request_kills_the_child():
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) >= 2

    done = sandbox.run_python(["-c", "import time; time.sleep(60)"], should_stop=stop)
    assert done.stopped and not done.timed_out and done.returncode == -9


def test_no_network_inside_when_the_os_allows_it(httpserver):
    httpserver.expect_request("/").respond_with_data("reachable")
    port = httpserver.port
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass  # reachable from here
    probe = (f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=5)\n"
             "    print('connected')\nexcept OSError as e:\n    print('refused', e.errno)")
    done = sandbox.run_python(["-c", probe])
    assert done.returncode == 0, done.stderr
    if sandbox.network_isolated():
        assert done.stdout.startswith("refused")
    else:  # no user namespaces on this machine: the fallback is logged, and the child does reach the network
        assert sys.platform != "linux" or done.stdout.startswith("connected")


def test_last_line_of_stderr_is_the_reason():
    done = sandbox.run_python(["-c", "import sys; print('noise', file=sys.stderr); sys.exit('bad model: x.bin')"])
    assert done.returncode == 1 and done.last_line() == "bad model: x.bin"


UNMOUNT_AND_READ = """
import ctypes, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
out = {}
for path in sys.argv[1:]:
    unmounted = libc.umount2(path.encode(), 2)  # MNT_DETACH: try to uncover what is underneath
    try:
        out[path] = open(path).read() if os.path.isfile(path) else sorted(os.listdir(path))
    except OSError as exc:
        out[path] = f"error {exc.errno}"
    out[path + " umount"] = unmounted
print(json.dumps(out))
"""


def test_stewards_credentials_and_database_are_out_of_sight(tmp_path):
    from bot.settings import Settings

    instance, folder = tmp_path / "instance", tmp_path / "private"
    instance.mkdir()
    folder.mkdir()
    (instance / "github-app.json").write_text('{"pem": "PRIVATE KEY"}')
    (tmp_path / "app.pem").write_text("ANOTHER KEY")
    (folder / "notes").write_text("private")
    for name in ("steward.db", "steward.db-wal"):
        (tmp_path / name).write_text("ROWS")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'steward.db'}", instance_dir=str(instance),
                        github_private_key_path=str(tmp_path / "app.pem"))
    paths = sandbox.secret_paths(settings)
    assert {instance / "github-app.json", tmp_path / "app.pem", tmp_path / "steward.db",
            tmp_path / "steward.db-wal", tmp_path / "steward.db-shm"} <= set(paths)
    assert {p for p in paths if "postgresql" in str(p)} == {Path(d).resolve() for d in sandbox.PG_SOCKET_DIRS}
    targets = [str(instance / "github-app.json"), str(tmp_path / "app.pem"), str(tmp_path / "steward.db"),
               str(tmp_path / "steward.db-wal"), str(folder)]
    done = sandbox.run_python(["-c", UNMOUNT_AND_READ, *targets], hide=[*paths, folder])
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    if sandbox.files_hidden():
        assert all(seen[f"{t} umount"] == -1 for t in targets)  # locked: the cover cannot be lifted
        assert not [t for t in targets[:4] if seen[t] not in ("", "error 20")]  # /dev/null, or not even that
        assert seen[str(folder)] in ([], "error 13")  # an empty tmpfs
        reader = "import os, sys; print(repr(open(sys.argv[1]).read()), os.listdir(sys.argv[2]))"
        plain = sandbox.run_python(["-c", reader, targets[0], str(folder)], hide=[*paths, folder])
        assert plain.stdout == "'' []\n", plain.stderr  # what a reader sees without trying to unmount
    else:  # no mount namespaces on this machine: the fallback is logged, and the child reads them
        assert sys.platform != "linux" or seen[targets[0]] == '{"pem": "PRIVATE KEY"}'
    assert (instance / "github-app.json").read_text() == '{"pem": "PRIVATE KEY"}'  # nothing changed outside
    assert sandbox.run_python(["-c", "print('fine')"], hide=[tmp_path / "absent"]).stdout == "fine\n"
