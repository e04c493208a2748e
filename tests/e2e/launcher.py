"""Runs `sangkien` commands for the end-to-end tests in forked processes that skip the imports.

Each `python -m bot …` spends about a second importing the bot and its libraries before it does
anything, and the CLI tests run it a few hundred times. This server imports all of that once,
then forks one child per command: the child gets its own argv, environment, working directory,
stdin and stdout/stderr files, runs `bot.cli.main` exactly as `python -m bot` does, and exits
with its code. What differs from a fresh interpreter is only what happened at import time, and
nothing of ours reads the environment or the working directory then (the configuration is read
by `main`). Tests that need a fresh interpreter (a start that fails, signals, a long-running
`sangkien run`) still use `subprocess` directly.

Protocol, one JSON line each way on stdin/stdout: {"args", "env", "cwd", "stdin", "timeout"} in,
{"returncode", "stdout", "stderr"} or {"timeout": true} out (outputs base64 of the bytes).
"""

from __future__ import annotations

import atexit
import base64
import importlib
import json
import os
import pkgutil
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "schedules", "storage")
LAZY = ("alembic.command", "alembic.config", "openpyxl", "telegram.ext")
"""Libraries the commands import inside functions, loaded here so no child has to."""


def preload() -> None:
    for package in PACKAGES:
        for info in pkgutil.walk_packages([str(ROOT / package)], prefix=f"{package}."):
            if not info.name.startswith("storage.migrations") and not info.name.endswith("__main__"):
                importlib.import_module(info.name)
    for name in LAZY:
        importlib.import_module(name)


def child(request: dict, stdin: int, stdout: int, stderr: int) -> None:
    """Become `python -m bot *args` in this forked process; never returns."""
    code = 1
    try:
        for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
            os.dup2(fd, target)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - the process's own
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)  # noqa: SIM115
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()
        sys.argv = [str(ROOT / "bot" / "__main__.py"), *request["args"]]
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from bot.cli import main

        code = main(request["args"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (exc.code is not None)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    except BaseException:  # the interpreter prints any uncaught error and exits 1
        traceback.print_exc()
        code = 1
    finally:
        try:
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(int(code or 0))


def run(request: dict) -> dict:
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stdout, \
            tempfile.TemporaryFile() as stderr:
        stdin.write(request["stdin"].encode())
        stdin.seek(0)
        pid = os.fork()
        if pid == 0:
            child(request, stdin.fileno(), stdout.fileno(), stderr.fileno())
        pidfd = os.pidfd_open(pid)
        try:
            ready, _, _ = select.select([pidfd], [], [], request["timeout"])
        finally:
            os.close(pidfd)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"timeout": True}
        _, status = os.waitpid(pid, 0)
        outputs = {}
        for name, file in (("stdout", stdout), ("stderr", stderr)):
            file.seek(0)
            outputs[name] = base64.b64encode(file.read()).decode()
        return {"returncode": os.waitstatus_to_exitcode(status), **outputs}


def serve() -> None:
    preload()
    # A fork copies only the thread that forks: a lock held by any other thread would stay held.
    assert threading.active_count() == 1, threading.enumerate()
    requests = sys.stdin.buffer
    replies = sys.stdout.buffer
    print(json.dumps({"ready": True}), file=sys.stdout, flush=True)
    for line in requests:
        reply = run(json.loads(line))
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()


class Launcher:
    """The test process's side: one server per test process, started on first use."""

    def __init__(self) -> None:
        self._server: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def run(self, args: Sequence[str], *, env: dict[str, str], cwd: Path, stdin: str,
            timeout: float) -> subprocess.CompletedProcess[str]:
        request = {"args": list(args), "env": env, "cwd": str(cwd), "stdin": stdin,
                   "timeout": timeout}
        with self._lock:
            server = self._started()
            assert server.stdin is not None and server.stdout is not None
            server.stdin.write(json.dumps(request).encode() + b"\n")
            server.stdin.flush()
            line = server.stdout.readline()
        if not line:
            self._server = None
            raise RuntimeError("the launcher stopped; its stderr went to the test's output")
        reply = json.loads(line)
        command = [sys.executable, "-m", "bot", *args]
        if reply.get("timeout"):
            raise subprocess.TimeoutExpired(command, timeout)
        out, err = (base64.b64decode(reply[name]).decode() for name in ("stdout", "stderr"))
        return subprocess.CompletedProcess(command, reply["returncode"], out, err)

    def _started(self) -> subprocess.Popen[bytes]:
        if self._server is None or self._server.poll() is not None:
            env = {k: v for k, v in os.environ.items() if not k.startswith("SANGKIEN")}
            self._server = subprocess.Popen(
                [sys.executable, "-m", "tests.e2e.launcher"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, cwd=ROOT, env=env | {"PYTHONPATH": str(ROOT)})
            assert self._server.stdout is not None
            if not self._server.stdout.readline():
                raise RuntimeError("the launcher did not start; its stderr went to the test's output")
            atexit.register(self.stop)
        return self._server

    def stop(self) -> None:
        if self._server is not None and self._server.poll() is None:
            assert self._server.stdin is not None
            self._server.stdin.close()
            self._server.wait(timeout=10)


if __name__ == "__main__":
    serve()
