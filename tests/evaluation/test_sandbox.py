"""The evaluation sandbox: a scrubbed environment (asserted with a probe), limits, no network where possible."""

from __future__ import annotations

import json
import re
import socket
import sys

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
