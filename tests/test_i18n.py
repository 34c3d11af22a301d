"""The pages in Chinese and English: one catalogue, complete and compiled; the language chosen by
``?lang``, a remembered cookie or ``Accept-Language``; Chinese words on Chinese pages, including the
messages of a refused submission."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from kg.paths import ROOT
from kg.server import create_app

HTML = {"Accept": "text/html"}
CATALOGUE = ROOT / "service" / "translations" / "zh" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "_l": None, "N_": None,
            "add": (2,)}
METHODS = [("service/**.py", "python"), ("kg/contrib/contribution.py", "python"),
           ("kg/contrib/checks.py", "python"), ("kg/coverage.py", "python"),
           ("service/templates/**.html", "jinja2")]


def _catalogue() -> dict[str, str]:
    with (CATALOGUE / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def _extracted() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS, comment_tags=()):
        if isinstance(message, tuple):
            message = message[0]
        if message:
            found.add(message)
    return found


def test_every_message_of_the_pages_has_its_chinese_translation() -> None:
    catalogue = _catalogue()
    missing = sorted(_extracted() - set(catalogue))
    assert not missing, f"not in the catalogue (run `make translations`): {missing[:10]}"
    empty = sorted(k for k, v in catalogue.items() if not v.strip())
    assert not empty, f"no Chinese yet: {empty[:10]}"
    for msgid, text in catalogue.items():
        placeholders = set(re.findall(r"%\((\w+)\)s", msgid))
        assert set(re.findall(r"%\((\w+)\)s", text)) == placeholders, msgid


def test_the_compiled_catalogue_is_the_catalogue() -> None:
    with (CATALOGUE / "messages.po").open("rb") as f:
        catalogue = read_po(f)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert (CATALOGUE / "messages.mo").read_bytes() == compiled.getvalue(), \
        "messages.mo is out of date: run `make translations`"


def test_language_comes_from_the_parameter_then_the_cookie_then_the_browser(
        client: FlaskClient) -> None:
    english = client.get("/gaps", headers=HTML).get_data(as_text=True)
    assert '<html lang="en">' in english and "Gaps in the rare-disease ecosystem" in english
    browser = client.get("/gaps", headers={**HTML, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-Hans">' in browser.get_data(as_text=True)
    chosen = client.get("/gaps?lang=zh", headers=HTML)
    html = chosen.get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html and "罕见病生态缺口" in html
    assert "rarekg_lang=zh" in chosen.headers.get("Set-Cookie", "")
    # remembered: the next page, without the parameter, is Chinese too
    again = client.get("/search", headers=HTML).get_data(as_text=True)
    assert '<html lang="zh-Hans">' in again and "<h1>搜索</h1>" in again
    # every page links to the other language, keeping its parameters
    assert re.search(r'id="lang-switch" href="/search\?lang=en"', again)
    back = client.get("/search?q=Fabry&lang=en", headers=HTML).get_data(as_text=True)
    assert 'href="/search?q=Fabry&amp;lang=zh"' in back


def test_chinese_pages_have_chinese_chrome(client: FlaskClient) -> None:
    for path, words in (("/?lang=zh", ("查询图谱", "示例问题", "运行查询")),
                        ("/vocab?lang=zh", ("词汇表", "定义域")),
                        ("/id/disease/cn1-086?lang=zh", ("概览", "患者组织", "来源")),
                        ("/contribute?lang=zh", ("提交审核",))):
        html = client.get(path, headers=HTML).get_data(as_text=True)
        for word in words:
            assert word in html, (path, word)
        assert '<html lang="zh-Hans">' in html


def test_a_refused_submission_is_explained_in_chinese(store_dir: Path, tmp_path: Path) -> None:
    app = create_app({"store": str(store_dir), "executors": 1,
                      "submissions_dir": str(tmp_path / "subs"), "submission_rate_limit": 0})
    app.testing = True
    client = app.test_client()
    form = client.get("/contribute?lang=zh", headers=HTML)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    answer = client.post("/contribute?lang=zh", headers=HTML, data={
        "csrf_token": token, "kind": "new", "name_zh": "测试组织", "foundingDate": "去年春天",
        "contact_name": "测试", "contact_email": "someone@example.org"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422, html.split("<main", 1)[1][:800]
    assert "不是日期（YYYY、YYYY-MM 或 YYYY-MM-DD）" in html
    assert "is not a date" not in html
    app.extensions["rarekg_checker"].close()
    app.extensions["rarekg_writer"].close()


def test_the_api_keeps_english_messages(client: FlaskClient) -> None:
    answer = client.post("/api/submissions?lang=zh", json={"kind": "bogus"},
                         headers={"Accept": "application/json"})
    assert answer.status_code in (403, 422)
    assert not re.search(r"[\u4e00-\u9fff]", answer.get_data(as_text=True).split('"fields"')[0])


def test_catalogue_file_is_utf8_po() -> None:
    text = Path(CATALOGUE / "messages.po").read_text(encoding="utf-8")
    assert '"Language: zh\\n"' in text
