"""The pages for their readers, in Chromium: both languages with a switch on every page, a phone's
screen, the query editor (line numbers, completion, errors marked, history, a chart of a result),
Back and Forward through results, pages that summarize, suggestions as you type.

Screenshots of each page at 1,280 and 390 px in both languages go to the screenshot folder
(``11-<lang>-<width>-<page>.png``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import Server
from tests.test_browser import ARGS, CHROMIUM, Q1, Tab, editor_text, require_playwright, set_editor
from tests.test_browser import shots as shots

pytestmark = pytest.mark.server

PAGES = {
    "form": "/",
    "question-1": "/?" + urlencode({"query": "SELECT ?list (COUNT(?e) AS ?entries) WHERE { "
                                             "?e rk:inList ?list } GROUP BY ?list"}),
    "disease": "/id/disease/cn1-086",
    "organization": "/id/org/beijing-porcelain-doll-rare-disease-care-center",
    "search": "/search?q=Fabri",
    "gaps": "/gaps",
    "vocab": "/vocab",
    "contribute": "/contribute",
    "download": "/download",
}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    sync_playwright = require_playwright()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def _tab(chromium: Any, server: Server, shots: Path, width: int, lang: str) -> Tab:
    t = Tab(chromium, server, shots, width=width, height=900 if width > 500 else 844)
    t.page.context.set_extra_http_headers({"Accept-Language": "zh-CN,zh;q=0.9" if lang == "zh"
                                           else "en-GB,en;q=0.9"})
    return t


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_in_both_languages_at_both_widths(chromium: Any, server: Server, shots: Path,
                                                     lang: str, width: int) -> None:
    tab = _tab(chromium, server, shots, width, lang)
    try:
        for name, path in PAGES.items():
            page = tab.open(path)
            html_lang = page.get_attribute("html", "lang")
            assert html_lang == ("zh-Hans" if lang == "zh" else "en"), (name, html_lang)
            # the switch names the other language
            assert page.inner_text("#lang-switch") == ("English" if lang == "zh" else "中文")
            nav = page.inner_text("header.site nav")
            assert ("查询" in nav and "提交信息" in nav) if lang == "zh" else \
                ("Query" in nav and "Contribute" in nav), nav
            if width == 390:
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= 390, f"{name} is {scroll} px wide at 390"
            tab.shot(f"11-{lang}-{width}-{name}")
    finally:
        tab.close()


def test_the_switch_changes_the_language_and_it_is_remembered(chromium: Any, server: Server,
                                                              shots: Path) -> None:
    tab = _tab(chromium, server, shots, 1280, "en")
    try:
        page = tab.open("/gaps")
        assert "Gaps in the rare-disease ecosystem" in page.inner_text("h1")
        page.click("#lang-switch")
        page.wait_for_load_state("networkidle")
        assert page.inner_text("h1") == "罕见病生态缺口"
        page = tab.open("/search")  # no parameter: the choice is remembered
        assert page.inner_text("h1") == "搜索"
        tab.shot("12-switch-remembered")
    finally:
        tab.close()


def test_on_a_phone_run_brings_the_results_into_view(chromium: Any, server: Server,
                                                     shots: Path) -> None:
    tab = _tab(chromium, server, shots, 390, "zh")
    try:
        page = tab.open("/")
        assert page.evaluate("document.getElementById('gallery-fold').open") is False
        page.click("#gallery-fold > summary")
        page.click(f"#example-{Q1} a[data-action=run]")
        page.wait_for_selector("table.result-table tbody tr")
        page.wait_for_timeout(400)
        top = page.evaluate("document.getElementById('results').getBoundingClientRect().top")
        assert 0 <= top < 844, top
        # a wide table scrolls inside its box, not the page
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # lists by a short name in tables
        cells = page.locator("table.result-table tbody td").all_inner_texts()
        assert any("第一批" in c or "第二批" in c for c in cells)
        assert not any("罕见病目录" in c for c in cells)
        tab.shot("13-phone-results-in-view", full=False)
    finally:
        tab.close()


def test_the_editor_completes_marks_remembers_and_charts(chromium: Any, server: Server,
                                                         shots: Path) -> None:
    tab = _tab(chromium, server, shots, 1280, "en")
    try:
        page = tab.open("/")
        set_editor(page, "SELECT ?d WHERE { ?d a rk:RareDis")
        page.keyboard.press("End")
        page.keyboard.press("Control+End")
        page.keyboard.press("Control+Space")
        page.wait_for_selector(".cm-tooltip-autocomplete")
        assert "rk:RareDisease" in page.inner_text(".cm-tooltip-autocomplete")
        tab.shot("14-editor-completion", full=False)
        page.keyboard.press("Enter")
        page.keyboard.type(" }")
        assert editor_text(page).startswith("SELECT ?d WHERE { ?d a rk:RareDisease")
        # brackets are matched while the caret is on one
        page.keyboard.press("ArrowLeft")
        assert page.locator("#query-editor .cm-matchingBracket").count() >= 1
        # a result with a number column can be drawn as a chart
        query = ("SELECT ?list (COUNT(?e) AS ?entries) WHERE { ?e rk:inList ?list } "
                 "GROUP BY ?list")
        set_editor(page, query)
        page.press("#query-editor .cm-content", "Control+Enter")
        page.wait_for_selector("table.result-table tbody tr")
        page.click("#view-chart")
        page.wait_for_selector("#result-chart rect.bar")
        assert page.locator("#result-chart rect.bar").count() == 2
        labels = page.locator("#result-chart text.chart-value").all_text_contents()
        assert sorted(labels) == ["121", "86"]
        assert "view=chart" in page.url
        tab.shot("15-result-chart")
        # the queries run here are in this browser's history
        options = page.locator("#history option").all_inner_texts()
        assert any("COUNT(?e)" in o for o in options), options
        set_editor(page, "ASK {}")
        page.select_option("#history", index=1)
        assert editor_text(page) == query
    finally:
        tab.close()


def test_back_and_forward_show_the_results_of_each_state(chromium: Any, server: Server,
                                                         shots: Path) -> None:
    tab = _tab(chromium, server, shots, 1280, "en")
    try:
        page = tab.open("/")
        set_editor(page, "SELECT ?e WHERE { ?x rk:entryNumber ?e ; rk:inList "
                         "<https://w3id.org/rarekg/id/list/cn1> }")
        page.press("#query-editor .cm-content", "Control+Enter")
        page.wait_for_selector("nav.pager")
        first_page = page.locator("table.result-table tbody tr").first.inner_text()
        page.click("nav.pager button:has-text('Next')")
        assert "page=2" in page.url
        second_page = page.locator("table.result-table tbody tr").first.inner_text()
        assert second_page != first_page
        page.go_back()
        page.wait_for_timeout(300)
        assert "page=2" not in page.url
        assert page.locator("table.result-table tbody tr").first.inner_text() == first_page
        page.go_forward()
        page.wait_for_timeout(300)
        assert page.locator("table.result-table tbody tr").first.inner_text() == second_page
        assert "Page 2 of 3" in page.inner_text("nav.pager")
        tab.shot("16-back-forward", full=False)
    finally:
        tab.close()


def test_a_disease_page_summarizes_and_search_forgives(chromium: Any, server: Server,
                                                       shots: Path) -> None:
    tab = _tab(chromium, server, shots, 1280, "zh")
    try:
        page = tab.open("/id/disease/cn1-086")
        assert page.is_visible("#summary")
        counts = page.locator("#summary ul.counts li").count()
        assert counts >= 8
        assert int(page.inner_text("#count-organizations strong")) >= 2
        tab.shot("17-disease-at-a-glance-zh")
        # suggestions as you type in the header box
        page.fill("#site-search", "Fabr")
        page.wait_for_selector("#site-search-suggestions option", state="attached")
        values = page.eval_on_selector_all("#site-search-suggestions option",
                                           "os => os.map(o => o.value)")
        assert any("法布雷" in v or "Fabry" in v for v in values), values
        # a misspelling still finds the disease
        page = tab.open("/search?q=Fabri")
        assert "/id/disease/cn1-027" in page.get_attribute("ol.hits li a", "href")
        tab.shot("18-search-forgives")
    finally:
        tab.close()
