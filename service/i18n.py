"""The pages in Chinese and English: which language a request gets, and the switch between them.

The words live in one gettext catalogue (``service/translations/zh/LC_MESSAGES/messages.po``,
English message ids) read through Flask-Babel. A page's language comes from ``?lang=zh|en``
(remembered in a cookie), then the cookie, then the browser's ``Accept-Language``; English when
none of them says.
Data keep their own language tags: a Chinese page still shows an English name as English.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, Response, request
from flask_babel import Babel, get_locale, gettext

from kg.errors import Message

LANGUAGES = ("en", "zh")
DEFAULT = "en"
COOKIE = "rarekg_lang"
NAMES = {"en": "English", "zh": "中文"}
HTML_LANG = {"en": "en", "zh": "zh-Hans"}


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue; it is translated where it is shown."""
    return message


# The words the pages' scripts show, translated into the page (a JSON block the scripts read).
JS_WORDS = (
    N_("SPARQL query"), N_("Recent queries"), N_("Answer:"), N_("yes"), N_("no"),
    N_("Download:"), N_("Sort by"), N_("Result pages"), N_("Previous"), N_("Next"),
    N_("Page %(page)s of %(pages)s (rows %(first)s–%(last)s)"), N_("The query does not parse"),
    N_("The query could not run"), N_("line %(line)s, column %(column)s"),
    N_("Your query is still in the editor above."), N_("Show where (line %(line)s)"),
    N_("Error: see below."), N_("%(n)s row(s)"), N_("%(n)s triple(s)"), N_("in %(ms)s ms"),
    N_("Running…"), N_("The service did not answer:"),
    N_("This query is too long to share as a link; download the result or copy the query."),
    N_("Example in the editor: %(title)s. Run it with the Run button or Ctrl+Enter."),
    N_("Table"), N_("Chart"), N_("Label column"), N_("Number column"),
    N_("No column of this result holds numbers."), N_("Showing the first %(n)s rows."),
    N_("Suggestions"), N_("only the first part is shown; the downloads hold all"),
    N_("Show the examples"), N_("Hide the examples"),
)


def js_words() -> dict[str, str]:
    return {"__lang": language(), **{word: str(gettext(word)) for word in JS_WORDS}}


def translate(message: str) -> str:
    """``message`` in the page's language: a ``kg.errors.Message`` by its template (the values
    filled in again), any other text as it is in the catalogue (or unchanged)."""
    if isinstance(message, Message):
        text = gettext(message.template)
        return str(text % message.params) if message.params else str(text)
    return str(gettext(message))


def select_language() -> str:
    """The language of this request's page (``en`` or ``zh``)."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def language() -> str:
    """The language Flask-Babel chose for this request."""
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


def switch_href(to: str) -> str:
    """This page's address in the language ``to`` (other parameters kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + "?" + urlencode([*args, ("lang", to)])


def install(app: Flask) -> None:
    """Flask-Babel on ``app``, the template helpers and the cookie that remembers a choice."""
    Babel(app, locale_selector=select_language, default_translation_directories="translations")

    @app.context_processor
    def words() -> dict[str, object]:
        lang = language()
        other = next(x for x in LANGUAGES if x != lang)
        return {
            "lang": lang,
            "html_lang": HTML_LANG[lang],
            "other_lang": other,
            "other_lang_name": NAMES[other],
            "lang_href": switch_href(other),
            "js_words": js_words(),
        }

    @app.after_request
    def remember(response: Response) -> Response:
        asked = request.args.get("lang", "")
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax")
        if response.mimetype == "text/html":
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response
