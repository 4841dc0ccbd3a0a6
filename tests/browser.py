"""A headless Chromium driven over the Chrome DevTools Protocol (websockets, no Playwright
download): the browser the browser tests share.

``Browser(block_loopback=False)`` cuts every host off but loopback (a proxy that does
not exist; Chromium never proxies loopback), for pages served by a test server on
127.0.0.1; ``block_loopback=True`` cuts loopback off too, for pages opened from disk
that must need no network at all.  The page's requests, console errors, uncaught
exceptions and failed loads are recorded (``requested_urls``, ``errors``).
"""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Browser:
    """A headless Chromium with one page; every host but loopback unreachable (and
    loopback too with ``block_loopback``)."""

    def __init__(self, width: int = 1500, height: int = 950, block_loopback: bool = False):
        from websockets.sync.client import connect

        self.profile = tempfile.mkdtemp(prefix="jlis-serve-chromium-")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars", "--mute-audio",
             # a proxy that does not exist: only loopback (which Chromium never proxies) is reachable
             "--proxy-server=127.0.0.1:9", *(["--proxy-bypass-list=<-loopback>"] if block_loopback else []),
             f"--user-data-dir={self.profile}",
             "--remote-debugging-port=0", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.time() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            if time.time() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start")
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        pages = []
        while not pages and time.time() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
                pages = [t for t in json.load(response) if t.get("type") == "page"]
            time.sleep(0.05)
        self._connection = connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self.ws = self._connection.__enter__()
        self.next_id = 0
        self.events: list[dict] = []
        for method in ("Page.enable", "Runtime.enable", "Network.enable", "Log.enable"):
            self.send(method)
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    def send(self, method: str, timeout: float = 60, **params) -> dict:
        self.next_id += 1
        ident = self.next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        deadline = time.time() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.time())))
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def eval(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails'].get('exception', {}).get('description')}")
        return result["result"].get("value")

    def wait_event(self, method: str, since: int, timeout: float = 30) -> dict:
        """The first DevTools event ``method`` received after ``self.events[since]``."""
        deadline = time.time() + timeout
        while True:
            for event in self.events[since:]:
                if event.get("method") == method:
                    return event
            remaining = deadline - time.time()
            if remaining <= 0:
                raise TimeoutError(f"no {method} within {timeout} s")
            try:
                self.events.append(json.loads(self.ws.recv(timeout=remaining)))
            except TimeoutError:
                continue

    def navigate(self, url: str, timeout: float = 30) -> None:
        """Load ``url`` and wait for its load event."""
        mark = len(self.events)
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired", mark, timeout)

    def wait_for(self, expression: str, timeout: float = 30, what: str = "") -> None:
        deadline = time.time() + timeout
        while not self.eval(f"!!({expression})"):
            if time.time() > deadline:
                raise TimeoutError(f"{what or expression}: not reached; errors: {self.errors()}")
            time.sleep(0.1)

    def open(self, url: str, ready: str, timeout: float = 30) -> None:
        """A fresh page at ``url``, once ``ready`` holds there.  A load event of an earlier
        page may still be queued unread, so "a load event came" does not prove the new page
        is there: the old window is marked, and only an unmarked one counts."""
        self.eval("window.__replaced = true")
        self.navigate("about:blank")  # a fresh page, even when only the #fragment differs
        self.send("Page.navigate", url=url)
        self.wait_for(f"!window.__replaced && ({ready})", timeout, f"{url} ready")

    def wait_until(self, expression: str, timeout: float = 5):
        """The value of ``expression`` once it is truthy (or the last value after ``timeout``):
        what a user sees once the page has reacted, without guessing a sleep."""
        deadline = time.time() + timeout
        while True:
            value = self.eval(expression)
            if value or time.time() > deadline:
                return value
            time.sleep(0.1)

    def screenshot(self, path: Path) -> Path:
        time.sleep(0.3)
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def errors(self) -> list[str]:
        out = []
        for event in self.events:
            method = event.get("method")
            if method == "Runtime.exceptionThrown":
                out.append(event["params"]["exceptionDetails"].get("exception", {}).get("description", "exception"))
            elif method == "Runtime.consoleAPICalled" and event["params"].get("type") == "error":
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in event["params"]["args"]))
            elif method == "Log.entryAdded" and event["params"]["entry"].get("level") == "error":
                out.append(event["params"]["entry"].get("text", ""))
            elif method == "Network.loadingFailed" and not event["params"].get("canceled"):
                out.append(f"loading failed: {event['params'].get('errorText')}")
        return out

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                self._connection.__exit__(None, None, None)
        finally:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


