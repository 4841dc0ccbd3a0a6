"""``jlis-kg serve`` in a child process: start it on a free loopback port, learn its URL,
stop it.  Used by the tests, ``benchmarks/load.py`` and anyone scripting the endpoint."""
from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

_LISTENING = re.compile(r"http://127\.0\.0\.1:(\d+)/")


def start_server(build_dir: Path, *options: str, timeout: float = 120.0, cwd: Path | None = None):
    """``jlis-kg --build-dir BUILD serve --port 0 --quiet OPTIONS…``; returns (process, base URL)
    once the server says where it listens.  RuntimeError, with what it printed, if it does not."""
    process = subprocess.Popen(
        [sys.executable, "-m", "jlis_kg.cli", "--build-dir", str(build_dir), "serve", "--port", "0", "--quiet",
         *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd,
        env=dict(os.environ, PYTHONUNBUFFERED="1"))
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline and process.poll() is None:
        ready, _, _ = select.select([process.stdout], [], [], 0.5)
        if ready:
            line = process.stdout.readline()
            break
    match = _LISTENING.search(line)
    if not match:
        stop_process(process)
        said = line.strip() or (process.stderr.read().strip()[:300] if not process.stderr.closed else "")
        raise RuntimeError(f"the server did not start: {said}")
    return process, f"http://127.0.0.1:{match.group(1)}"


def stop_process(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """Terminate a child process (killed if it does not end within ``timeout`` seconds) and
    close its pipes."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream:
            stream.close()
