"""The interactive HTML page in a real browser: Debian's headless Chromium, driven over the
Chrome DevTools Protocol (websockets, no Playwright download).

It opens the exported page from disk with the network cut off, checks that it draws the
nodes, that the year filter, the comparison, the search and the details panel work, and
that no script fails.  Screenshots are kept in ``test-artifacts/`` (git-ignored) for a
person to look at.  Skipped when Chromium is not installed (``.ci/run`` installs it).
"""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from browser import CHROMIUM
from browser import Browser as SharedBrowser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


class Browser(SharedBrowser):
    """The shared driver (tests/browser.py), on a page opened from disk: no network at all."""

    def __init__(self):
        super().__init__(width=1600, height=1000, block_loopback=True)

    def open(self, url: str, ready: str = "window.jlisGraph && window.jlisGraph.ready", timeout: float = 30) -> None:
        super().open(url, ready, timeout)
        time.sleep(0.3)  # let the canvas paint


# Visibility is read with ele.visible(), never the ':visible' selector: Cytoscape caches
# selector matches and answers ':visible' from before a filter change for a moment
# (seen: law nodes with display none still matched right after the kind filter).


def painted_pixels(browser: Browser) -> int:
    """How many pixels of the graph's canvases are not blank."""
    return browser.eval("""(() => {
        let count = 0;
        for (const canvas of document.querySelectorAll('#graph canvas')) {
            const ctx = canvas.getContext('2d');
            if (!ctx || !canvas.width) continue;
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < data.length; i += 16) if (data[i] > 0) count++;
        }
        return count;
    })()""")


@pytest.fixture(scope="module")
def page(build_dir, tmp_path_factory):
    from jlis_kg.export.html import write_html
    from jlis_kg.graph import load

    out = tmp_path_factory.mktemp("html") / "jlis-graph.html"
    write_html(load(build_dir), out)
    return out


@pytest.fixture(scope="module")
def browser():
    chromium = Browser()
    yield chromium
    chromium.close()


def test_the_page_draws_the_graph_offline(page, browser):
    browser.open(page.as_uri())
    counts = browser.eval("jlisGraph.counts()")
    assert counts["nodes"] > 100 and counts["edges"] > 50, counts
    drawn = browser.eval("jlisGraph.cy.nodes().filter(n => n.visible()).length")
    assert drawn >= counts["nodes"]
    assert painted_pixels(browser) > 5000, "the canvas stayed blank"
    # Every label is drawn in a CJK font that the machine has.
    assert browser.eval("document.fonts.check('12px \"Noto Sans CJK JP\"', '総合行政ネットワーク')")
    # Nothing was fetched from the network: the page is one file.
    assert browser.eval("performance.getEntriesByType('resource').filter(r => !r.name.startsWith('file:')).length") == 0
    browser.screenshot(ARTIFACTS / "html-all-years.png")
    assert browser.errors() == []


def test_the_year_filter_changes_what_is_shown(page, browser):
    browser.open(page.as_uri())
    all_years = browser.eval("jlisGraph.counts()")
    shown = {}
    for year in browser.eval("jlisGraph.data.years"):
        browser.eval(f"document.querySelector('input[name=year][value=\"{year}\"]').click()")
        shown[year] = browser.eval("jlisGraph.counts()")
        assert browser.eval("document.getElementById('status').dataset.year") == str(year)
        assert shown[year]["nodes"] < all_years["nodes"], (year, shown[year], all_years)
        visible_js = "jlisGraph.cy.nodes().filter(n => n.visible()).not('.cluster').map(n => n.id()).sort()"
        expected_js = f"jlisGraph.data.nodes.filter(n => !n.cluster && n.years.includes({year})).map(n => n.id).sort()"
        browser.wait_until(f"JSON.stringify({visible_js}) === JSON.stringify({expected_js})")
        visible, expected = set(browser.eval(visible_js)), set(browser.eval(expected_js))
        assert visible == expected, (year, sorted(visible ^ expected)[:5])
        browser.screenshot(ARTIFACTS / f"html-fy{year}.png")
    assert len({(c["nodes"], c["edges"]) for c in shown.values()}) > 1, shown
    # The address keeps the filter, so the view can be linked.
    assert browser.eval("location.hash").startswith("#year=")
    browser.eval("document.querySelector('input[name=year][value=\"all\"]').click()")
    assert browser.eval("jlisGraph.counts()") == all_years
    assert browser.errors() == []


def test_the_relation_and_kind_filters_hide_and_show(page, browser):
    browser.open(page.as_uri())
    before = browser.eval("jlisGraph.counts()")
    part_of = "jlisGraph.data.edges.filter(e => e.relation === 'jlis:partOf' && !jlisGraph.cy.getElementById(e.id).hasClass('hidden')).length"
    assert browser.eval(part_of) > 0
    browser.eval("document.querySelector('[data-relation=\"jlis:partOf\"]').click()")
    assert browser.eval(part_of) == 0
    assert browser.eval("jlisGraph.counts()")["edges"] < before["edges"]
    browser.eval("document.querySelector('[data-kind=\"law\"]').click()")
    assert browser.wait_until("jlisGraph.cy.nodes('.k-law').filter(n => n.visible()).length === 0"), \
        browser.eval("jlisGraph.cy.nodes('.k-law').filter(n => n.visible()).map(n => n.id() + ' ' + n.classes().join(' '))")
    assert browser.eval("jlisGraph.counts()")["nodes"] < before["nodes"]
    browser.screenshot(ARTIFACTS / "html-without-part-of-and-laws.png")
    browser.eval("document.getElementById('reset').click()")
    assert browser.eval("jlisGraph.counts()") == before
    assert browser.errors() == []


def test_search_and_details_show_relations_with_evidence(page, browser):
    browser.open(page.as_uri())
    browser.eval("(() => { const s = document.getElementById('search'); s.value = 'LGWAN';"
                 " s.dispatchEvent(new Event('input')); })()")
    results = browser.eval("[...document.querySelectorAll('#search-results [data-node]')].map(li => li.dataset.node)")
    assert results[0].endswith("/system/lgwan"), results
    browser.eval("document.querySelector('#search-results [data-node]').click()")
    details = browser.eval("document.getElementById('details').innerText")
    assert "総合行政ネットワーク" in details and "Local Government Wide Area Network" in details
    assert "LGWAN-ASP" in details  # LGWAN-ASP is delivered via LGWAN
    assert "Impact: what stops if it fails" in details
    assert "自治体中間サーバー・プラットフォーム" in details  # through LGWAN-ASP
    assert "fy2023-report:" in details  # a citation: document and line
    assert browser.eval("document.querySelectorAll('#details .evidence q').length") > 0
    assert browser.eval("jlisGraph.cy.$(':selected').id()").endswith("/system/lgwan")
    browser.screenshot(ARTIFACTS / "html-lgwan-details.png")
    # An English name finds the same entity; a Japanese alias finds its entity.
    assert browser.eval("jlisGraph.findNodes('Local Government Wide Area Network')[0]").endswith("/system/lgwan")
    assert browser.eval("jlisGraph.findNodes('住基ネット')[0]").endswith("/system/juki-net")
    assert browser.errors() == []


def test_the_comparison_colours_changes(page, browser):
    browser.open(page.as_uri())
    years = browser.eval("jlisGraph.data.years")
    browser.eval(f"jlisGraph.setCompare(true, {years[0]}, {years[-1]})")
    classes = browser.eval("['added', 'removed', 'kept'].map(c => jlisGraph.cy.nodes('.ch-' + c).filter(n => n.visible()).length)")
    assert all(count > 0 for count in classes), classes
    assert browser.eval("location.hash") == f"#compare={years[0]},{years[-1]}"
    browser.screenshot(ARTIFACTS / f"html-compare-fy{years[0]}-fy{years[-1]}.png")
    assert browser.errors() == []


def test_a_linked_view_opens_on_its_entity(page, browser):
    browser.open(page.as_uri() + "#year=2023&node=system/jichitai-chukan-server-platform")
    assert browser.eval("jlisGraph.state().year") == 2023
    details = browser.eval("document.getElementById('details').innerText")
    assert "自治体中間サーバー・プラットフォーム" in details and "LGWAN-ASP" in details
    browser.screenshot(ARTIFACTS / "html-platform-fy2023.png")
    assert browser.errors() == []


@pytest.mark.skipif(not shutil.which("dot"), reason="Graphviz is not installed")
def test_the_svg_renders_in_the_browser(build_dir, browser, tmp_path):
    """The static SVG, opened as a page: its labels are laid out in a real CJK font."""
    from jlis_kg.export import export
    from jlis_kg.graph import load

    svg = tmp_path / "dependencies.svg"
    export(load(build_dir), "svg", svg)
    browser.open(svg.as_uri(), ready="document.readyState === 'complete'")
    assert browser.eval("document.fonts.check('13px \"Noto Sans CJK JP\"', '住民基本台帳')")
    assert browser.eval("document.querySelectorAll('g.node').length") > 20
    browser.screenshot(ARTIFACTS / "svg-in-browser.png")

