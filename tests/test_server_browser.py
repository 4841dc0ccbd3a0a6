"""``jlis-kg serve`` in a real browser: Debian's headless Chromium over the DevTools Protocol.

Every host but loopback is cut off (a dead proxy), and the test records every request
the page makes: the query page must load and work from this server alone.  It checks
that the page loads with YASGUI and the named queries, that a named query runs with a
parameter and its rows show in the results table, and that an entity page shows its
evidence with document, line and quote.  Screenshots go to ``test-artifacts/``
(git-ignored).  Skipped when Chromium is not installed (``.ci/run`` installs it).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import CHROMIUM, Browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


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
