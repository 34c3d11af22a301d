"""The web pages in a real browser: Playwright driving Debian's Chromium against a real
``rarekg serve`` process.  Each test saves screenshots (a folder under the pytest temporary
directory, copied to /tmp/rarekg-screenshots at the end).

Outside CI the tests are skipped, with a message, when /usr/bin/chromium or the playwright package
is missing; in CI (``CI=true``) they fail instead.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import IN_CI, Server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHARED_SHOTS = Path("/tmp/rarekg-screenshots")
OI_ZH = "成骨不全症\uff08脆骨病\uff09"
Q1 = "q01-diseases-without-patient-organization"

pytestmark = pytest.mark.server


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    if any(folder.iterdir()):
        shutil.rmtree(SHARED_SHOTS, ignore_errors=True)
        shutil.copytree(folder, SHARED_SHOTS)
        SHARED_SHOTS.chmod(0o755)  # for whoever looks at them next


def require_playwright() -> Any:
    """Playwright's ``sync_playwright``, once Debian's Chromium and the package are there (a skip
    with the way to install them outside CI, a failure in CI)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} not found: install Debian's Chromium (apt-get install -y "
                     "chromium) to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    return sync_playwright


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One browser for this module, closed at its end: Playwright's sync API runs an event loop
    that must not outlive the module, or other modules cannot start their own."""
    sync_playwright = require_playwright()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


class Tab:
    """A page that records console errors, page errors and dialogs, and saves screenshots."""

    def __init__(self, browser: Any, server: Server, shots: Path, width: int = 1280,
                 height: int = 900) -> None:
        self.server = server
        self.shots = shots
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.set_default_timeout(30_000)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)

    def open(self, path: str) -> Any:
        self.page.goto(self.server.url + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shot(self, name: str, full: bool = True) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=full)

    def close(self) -> None:
        self.page.close()
        assert self.errors == [], self.errors


@pytest.fixture()
def tab(chromium: Any, server: Server, shots: Path) -> Iterator[Tab]:
    t = Tab(chromium, server, shots)
    yield t
    t.close()


@pytest.fixture()
def phone(chromium: Any, server: Server, shots: Path) -> Iterator[Tab]:
    t = Tab(chromium, server, shots, width=390, height=844)
    yield t
    t.close()


def editor_text(page: Any) -> str:
    return str(page.evaluate("window.rarekgEditor.get()"))


def set_editor(page: Any, text: str) -> None:
    page.evaluate("t => window.rarekgEditor.set(t)", text)
    page.click("#query-editor .cm-content")


def test_question_1_runs_and_a_row_leads_to_its_page(tab: Tab) -> None:
    page = tab.open("/")
    tab.shot("01-form")
    # the gallery can be searched
    page.fill("#example-filter", "患者组织")
    assert page.is_visible(f"#example-{Q1}")
    page.fill("#example-filter", "no example has these words")
    assert page.is_visible("#no-examples")
    page.fill("#example-filter", "")
    # choosing question 1 fills the editor; Run shows its rows
    page.click(f"#example-{Q1} a[data-action=use]")
    assert "rk:organizationCount 0" in editor_text(page)
    # the editor highlights the query and numbers its lines
    assert page.locator("#query-editor .cm-content span").count() > 10
    assert page.locator("#query-editor .cm-lineNumbers .cm-gutterElement").count() > 5
    assert page.input_value("#query") == editor_text(page)  # the form's field follows
    page.click("#run")
    page.wait_for_selector("table.result-table tbody tr")
    rows = page.locator("table.result-table tbody tr").count()
    assert rows == 50  # the first page of more than 50
    summary = page.inner_text("#results .summary")
    assert re.search(r"^\d+ row\(s\) · (\d+|< 1) ms", summary), summary
    assert "?query=" in page.url  # the state is a URL
    assert page.locator("#results .downloads a").count() == 4  # with the CSV for Excel
    tab.shot("02-question-1-results")
    # sort and page, still in the URL
    page.click("table.result-table th button:has-text('entry')")
    assert "sort=entry" in page.url
    page.click("nav.pager button:has-text('Next')")
    assert "page=2" in page.url
    # a row's link opens the disease's page
    link = page.locator("table.result-table tbody tr a.iri[href^='/id/disease/']").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(href)
    assert page.is_visible("h1")
    assert page.is_visible("#sources-heading")
    tab.shot("03-row-to-resource-page")


def test_the_basics_work_without_javascript(chromium: Any, server: Server, shots: Path) -> None:
    context = chromium.new_context(java_script_enabled=False, viewport={"width": 1280,
                                                                         "height": 900})
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.click(f"#example-{Q1} a[data-action=run]")  # a plain link that opens and runs
        page.wait_for_selector("table.result-table tbody tr")
        assert page.locator("table.result-table tbody tr").count() == 50
        page.click("nav.pager a[rel=next]")
        assert "page=2" in page.url
        page.fill("#query", "SELECT ?x WHERE { VALUES ?x { 1 2 3 } }")
        page.click("#run")  # the form submits
        page.wait_for_selector("table.result-table tbody tr")
        assert page.locator("table.result-table tbody tr").count() == 3
        page.click("table.result-table th a")  # sorting is a link too
        page.click("table.result-table th a")
        assert page.locator("table.result-table tbody td").first.inner_text() == "3"
        page.screenshot(path=str(shots / "00-without-javascript.png"), full_page=True)
        page.fill("#site-search", "渐冻症")
        page.press("#site-search", "Enter")
        page.click("ol.hits li a")
        assert page.url.endswith("/id/disease/cn1-004")
    finally:
        context.close()


def test_shared_url_opens_and_runs_the_query(tab: Tab) -> None:
    query = ("PREFIX rk: <https://w3id.org/rarekg/vocab#> SELECT ?entry ?disease WHERE { "
             "?e rk:inList <https://w3id.org/rarekg/id/list/cn2> ; rk:entryNumber ?entry ; "
             "rk:entryOf ?disease }")
    page = tab.open("/?" + urlencode({"query": query, "sort": "entry", "desc": "1"}))
    assert page.input_value("#query") == query
    first = page.locator("table.result-table tbody tr").first.locator("td").first.inner_text()
    assert first.strip() == "86"  # sorted by entry, descending, as the URL says
    assert "86 row(s)" in page.inner_text("#results .summary")


def test_ctrl_enter_runs_and_an_error_is_shown_with_the_query_kept(tab: Tab) -> None:
    page = tab.open("/")
    broken = "SELECT ?x WHERE { ?x ?p }"
    set_editor(page, broken)
    page.press("#query-editor .cm-content", "Control+Enter")
    page.wait_for_selector("#results .error")
    assert "line 1" in page.inner_text("#results .error h3")
    assert editor_text(page) == broken
    page.wait_for_selector("#query-editor .cm-lintRange-error")  # marked where it stopped
    page.click("#show-where")  # puts the caret where the parser stopped
    selected = page.evaluate("(v => v.state.sliceDoc(v.state.selection.main.from, "
                             "v.state.selection.main.to))(window.rarekgEditor.view)")
    assert selected == "}"
    # known prefixes need no PREFIX line
    set_editor(page, "SELECT ?d WHERE { ?d a rk:RareDisease } LIMIT 3")
    page.press("#query-editor .cm-content", "Control+Enter")
    page.wait_for_selector("table.result-table tbody tr")
    assert page.locator("table.result-table tbody tr").count() == 3
    tab.shot("04-error-then-known-prefixes")


def test_search_by_folk_name_reaches_osteogenesis_imperfecta(tab: Tab) -> None:
    page = tab.open("/")
    page.fill("#site-search", "瓷娃娃")
    page.press("#site-search", "Enter")
    page.wait_for_selector("ol.hits li")
    first = page.locator("ol.hits li").first
    assert OI_ZH in first.inner_text()
    tab.shot("05-search-folk-name")
    first.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/id/disease/cn1-086")
    assert OI_ZH in page.inner_text("h1")
    assert "关于公布第一批罕见病目录的通知" in page.inner_text(".where")
    assert page.locator(".evidence blockquote").count() > 0  # quotes of the facts
    tab.shot("06-osteogenesis-imperfecta")


def test_markup_in_a_literal_runs_nothing(tab: Tab) -> None:
    evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2; alert(2)">'
    query = "SELECT ?x WHERE { BIND (" + json.dumps(evil) + " AS ?x) }"
    page = tab.open("/?" + urlencode({"query": query}))
    cell = page.locator("table.result-table tbody td").first
    assert cell.inner_text() == evil
    assert page.locator("table.result-table img").count() == 0
    page.click("#run")  # and through the script that renders answers in place
    page.wait_for_selector("table.result-table tbody td")
    assert page.locator("table.result-table tbody td").first.inner_text() == evil
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert tab.dialogs == []
    tab.shot("07-markup-in-a-result-shown-as-text")
    page = tab.open("/search?" + urlencode({"q": evil}))
    assert evil in page.inner_text("h2")
    assert page.evaluate("window.__pwned") is None
    assert tab.dialogs == []
    tab.shot("07-markup-in-a-search-shown-as-text")


def test_gap_dashboard_shows_its_charts_and_opens_the_queries(tab: Tab) -> None:
    page = tab.open("/gaps")
    assert page.locator("figure.chart svg").count() == 2
    assert page.locator("figure.chart svg rect.bar").count() >= 8
    assert page.locator("figure.chart svg").first.bounding_box()["height"] > 100
    assert "known to this graph" in page.inner_text(".coverage")
    tab.shot("08-gaps")
    number = page.locator("table.gaps tbody tr").first.locator("td").nth(1).locator("a").first
    expected = int(number.inner_text())
    number.click()
    page.wait_for_selector("#results .summary")
    assert f"{expected} row(s)" in page.inner_text("#results .summary")
    tab.shot("09-gaps-number-opens-its-query", full=False)


@pytest.mark.parametrize("path", ["/", f"/?query=__{Q1}", "/id/disease/cn1-086",
                                  "/search?q=%E7%93%B7%E5%A8%83%E5%A8%83", "/gaps", "/vocab"])
def test_pages_fit_a_phone(phone: Tab, path: str) -> None:
    if path.startswith("/?query=__"):
        page = phone.open("/")
        href = page.get_attribute(f"#example-{Q1} a[data-action=run]", "href")
        page = phone.open(href)
        page.wait_for_selector("table.result-table")
    else:
        page = phone.open(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width} px wide"
    name = {"/": "form", "/gaps": "gaps", "/vocab": "vocab"}.get(path) or (
        "question-1" if "query" in path else "search" if "search" in path else "disease")
    phone.shot(f"10-phone-{name}")
