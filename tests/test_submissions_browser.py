"""The contribution form and the review page in Chromium (Playwright, Debian's Chromium, the launch
of tests/test_browser.py) against a real ``rarekg serve`` process with an update token: a new
organization typed into /contribute, its disease found by name, approved on /review, is then on its
page with its self-reported provenance and out of question 1's answer, with no restart."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Server, scratch
from tests.examples import example_query
from tests.submitting import TOKEN, code_of, diseases_without_organization, serving_a_copy
from tests.test_browser import ARGS, CHROMIUM, SHARED_SHOTS, Tab, require_playwright

pytestmark = pytest.mark.server


def _with_chromium(test: Callable[[Any], None]) -> None:
    """Run ``test(browser)`` with Debian's Chromium, launched as tests/test_browser.py launches it.
    Playwright's sync API allows one instance per thread and that module keeps its own open for the
    session, so this one runs in a thread of its own."""
    sync_playwright = require_playwright()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                try:
                    test(browser)
                finally:
                    browser.close()
        except BaseException as exc:  # handed to the test's own thread below
            failures.append(exc)

    thread = threading.Thread(target=run, name="chromium")
    thread.start()
    thread.join(600)
    assert not thread.is_alive(), "the browser test did not finish in 600 s"
    if failures:
        raise failures[0]


@pytest.fixture()
def shots(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "screenshots"
    folder.mkdir()
    yield folder
    SHARED_SHOTS.mkdir(exist_ok=True)
    for shot in folder.iterdir():
        shutil.copy(shot, SHARED_SHOTS / shot.name)


@pytest.fixture(scope="module")
def writable_server(request: pytest.FixtureRequest, store_dir: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with scratch(request, tmp_path_factory, "contribute-browser") as root, serving_a_copy(
            store_dir, root) as server:
        yield server


def _q01(url: str) -> set[str]:
    query = urllib.parse.urlencode({"query": example_query("q01")})
    with urllib.request.urlopen(f"{url}/sparql?{query}", timeout=60) as r:
        data = json.loads(r.read())
    return {b["disease"]["value"] for b in data["results"]["bindings"]}


def test_a_new_organization_through_the_form_and_the_review_page(
        writable_server: Server, shots: Path, store_dir: Path) -> None:
    missing = diseases_without_organization(store_dir)
    disease = missing[len(missing) // 2]
    assert disease["disease"] in _q01(writable_server.url)
    _with_chromium(lambda browser: _form_and_review(browser, writable_server, shots, disease))


def _form_and_review(chromium: Any, writable_server: Server, shots: Path,
                     disease: dict[str, str]) -> None:
    code = code_of(disease)
    tab = Tab(chromium, writable_server, shots)
    page = tab.open("/contribute?lang=zh")
    assert page.inner_text("h1") == "提交信息"
    assert not page.is_visible("#target")  # correction fields only for corrections
    page.fill("#name_zh", "浏览器测试<b>罕见病</b>关爱中心")
    page.fill("#name_en", "Browser Test Rare Disease Care Centre")
    # find the disease by its Chinese name: the list narrows to it
    page.fill("#disease-search", disease["name_zh"])
    page.wait_for_selector(f"li.found[data-code='{code}']")
    hidden = page.locator("#disease-list li.hidden").count()
    assert hidden > 150
    page.check(f"li[data-code='{code}'] input")
    page.select_option("#registrationStatus", "unregistered")
    page.select_option("#organizationType", "disease-specific")
    page.check("input[name=activity][value=meetups]")
    page.fill("#foundingDate", "2020-03")
    page.fill("#location", "杭州")
    page.fill("#contact_email", "browser.contact@example.org")
    tab.shot("contribute-01-form-filled")
    page.click("#send")
    page.wait_for_selector("#received")
    tab.shot("contribute-02-received")
    link = page.get_attribute("#status-link", "href")
    assert link and link.startswith("/contribute/")
    sub_id = link.rsplit("/", 1)[-1]
    assert page.inner_text("#status") == "等待审核"

    # the maintainer gives the token once, sees the diff, approves
    page = tab.open("/review")
    page.fill("#reviewer", "Maintainer Chen")
    page.fill("#token", TOKEN)
    page.click("#sign-in")
    page.wait_for_selector("#pending")
    page.click(f"a[href='/review/{sub_id}']")
    page.wait_for_selector("#diff")
    assert page.locator("#diff tr[data-property=servesDisease] .added").count() == 1
    assert "browser.contact@example.org" in page.inner_text("#contact")
    assert "浏览器测试<b>罕见病</b>关爱中心" in page.inner_text("#diff")  # markup shown as text
    tab.shot("contribute-03-review-diff")
    page.click("#approve")
    page.wait_for_selector("#status.status-approved")
    tab.shot("contribute-04-approved")

    # served at once by the same server: the page with its provenance, question 1
    page = tab.open("/id/org/browser-test-rare-disease-care-centre")
    text = page.inner_text("main")
    assert "浏览器测试<b>罕见病</b>关爱中心" in text
    assert "由 Maintainer Chen 审核通过" in text
    assert f"submission-{sub_id}" in text
    tab.shot("contribute-05-record-page")
    assert disease["disease"] not in _q01(writable_server.url)
    page = tab.open(f"/contribute/{sub_id}?lang=en")
    assert page.inner_text("#status") == "approved: in the graph"
    assert "browser.contact@example.org" not in page.content()
    tab.close()
    assert tab.dialogs == []
