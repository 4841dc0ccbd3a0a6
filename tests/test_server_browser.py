"""``jlis-kg serve`` in a real browser: Debian's headless Chromium over the DevTools Protocol.

Every host but loopback is cut off (a dead proxy), and the test records every request
the page makes: the query page must load and work from this server alone.  It checks
that the page loads with YASGUI and the named queries, that a named query runs with a
parameter and its rows show in the results table, and that an entity page shows its
evidence with document, line and quote.  Screenshots go to ``test-artifacts/``
(git-ignored).  Skipped when Chromium is not installed (``.ci/run`` installs it).
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

import pytest

from test_server import start_server, stop_server

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


class Browser:
    """A headless Chromium with one page; every host but loopback unreachable."""

    def __init__(self, width: int = 1500, height: int = 950):
        from websockets.sync.client import connect

        self.profile = tempfile.mkdtemp(prefix="jlis-serve-chromium-")
        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--hide-scrollbars", "--mute-audio",
             # a proxy that does not exist: only loopback (which Chromium never proxies) is reachable
             "--proxy-server=127.0.0.1:9", f"--user-data-dir={self.profile}",
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

    def wait_for(self, expression: str, timeout: float = 30, what: str = "") -> None:
        deadline = time.time() + timeout
        while not self.eval(f"!!({expression})"):
            if time.time() > deadline:
                raise TimeoutError(f"{what or expression}: not reached; errors: {self.errors()}")
            time.sleep(0.1)

    def open(self, url: str, ready: str, timeout: float = 30) -> None:
        self.send("Page.navigate", url=url)
        self.wait_for(ready, timeout, f"{url} ready")

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


@pytest.fixture(scope="module")
def server(build_dir):
    process, base = start_server(build_dir)
    yield base
    stop_server(process)


@pytest.fixture(scope="module")
def browser():
    chromium = Browser()
    yield chromium
    chromium.close()


def only_loopback(urls: list[str], base: str) -> list[str]:
    return [u for u in urls if not (u.startswith(base) or u.startswith(("data:", "blob:", "about:")))]


def test_the_query_page_loads_offline_with_the_named_queries(server, browser):
    browser.events.clear()
    browser.open(server + "/", ready="window.jlisQuery && window.jlisQuery.ready && document.querySelector('.CodeMirror')")
    names = browser.eval("Array.from(document.querySelectorAll('.named-query')).map(d => d.dataset.query)")
    assert {"dependents", "legal-basis", "evidence", "documents"} <= set(names)
    assert browser.eval("document.querySelector('.yasqe .CodeMirror') !== null"), "the YASGUI editor is on the page"
    browser.screenshot(ARTIFACTS / "serve-query-page.png")
    assert not browser.errors()
    assert not only_loopback(browser.requested_urls(), server), "the page fetched something from another host"


def test_a_named_query_runs_from_the_page_and_its_rows_show(server, browser):
    browser.events.clear()
    browser.open(server + "/", ready="window.jlisQuery && window.jlisQuery.ready")
    # open the named query, type a parameter, press Run: as a person would
    browser.eval("""(() => {
        const d = document.querySelector('.named-query[data-query="dependents"]');
        d.open = true;
        d.querySelector('input[name="system"]').value = 'LGWAN';
        d.querySelector('button[type="submit"]').click();
    })()""")
    browser.wait_for("document.querySelectorAll('.yasr tbody tr').length > 0", 30, "result rows")
    text = browser.eval("document.querySelector('.yasr').innerText")
    assert "LGWAN-ASP" in text and "国税電子申告・納税システム" in text
    editor = browser.eval("jlisQuery.yasgui.getTab().getQuery()")
    assert "VALUES (?system) { (<https://w3id.org/jlis-kg/id/system/lgwan>) }" in editor
    browser.eval("document.querySelector('.named-query[data-query=\"dependents\"]').scrollIntoView()")
    browser.screenshot(ARTIFACTS / "serve-named-query.png")
    assert not browser.errors()
    assert not only_loopback(browser.requested_urls(), server)


def test_a_query_typed_in_the_editor_runs(server, browser):
    browser.open(server + "/", ready="window.jlisQuery && window.jlisQuery.ready")
    runs = browser.eval("jlisQuery.runs")
    browser.eval("""(() => { const tab = jlisQuery.yasgui.getTab();
        tab.setQuery('SELECT ?law ?label WHERE { ?law a jlis:Law ; skos:prefLabel ?label . FILTER(lang(?label) = "ja") } ORDER BY ?label');
        return tab.query(); })()""")
    browser.wait_for(f"jlisQuery.runs > {runs} && document.querySelectorAll('.yasr tbody tr').length > 0", 30)
    assert "住民基本台帳法" in browser.eval("document.querySelector('.yasr').innerText")


def test_an_entity_page_shows_its_evidence(server, browser):
    browser.events.clear()
    browser.open(server + "/id/system/lgwan-asp", ready="document.readyState === 'complete' && document.querySelector('h1')")
    assert browser.eval("document.querySelector('h1').innerText") == "LGWAN-ASP"
    evidence = browser.eval("""Array.from(document.querySelectorAll('table.evidence tr.evidence')).map(tr =>
        Array.from(tr.cells).map(td => td.innerText))""")
    assert evidence, "no evidence rows"
    delivered = [row for row in evidence if "deliveredVia" in row[1] and row[0] == "this"]
    assert delivered, evidence[:3]
    subject, _, obj, document, line, quote = delivered[0]
    assert subject == "this" and obj == "総合行政ネットワーク"
    assert document.startswith("sources/") and int(line) > 0
    source = (ROOT / "data" / document).read_text(encoding="utf-8").split("\n")
    assert quote.strip("「」") == source[int(line) - 1], "the quote is the line of the source file"
    years = browser.eval("Array.from(document.querySelectorAll('table.years tr td:first-child')).map(td => td.innerText)")
    assert {"2016", "2018", "2020", "2023"} <= set(years)
    assert browser.eval("document.querySelectorAll('table.relations.in tr').length") > 0
    browser.screenshot(ARTIFACTS / "serve-entity-lgwan-asp.png")
    browser.eval("document.getElementById('evidence').scrollIntoView()")
    browser.screenshot(ARTIFACTS / "serve-entity-lgwan-asp-evidence.png")
    # follow a relation to the other entity's page
    browser.eval("document.querySelector('table.relations.out a[href=\"/id/system/lgwan\"]').click()")
    browser.wait_for("location.pathname === '/id/system/lgwan' && document.querySelector('h1')", 30)
    assert browser.eval("document.querySelector('h1').innerText") == "総合行政ネットワーク"
    assert not browser.errors()
    assert not only_loopback(browser.requested_urls(), server)
