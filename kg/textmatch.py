"""Finding names inside free text, in English and in Chinese, for disease resolution
(``kg.resolve``).

English is matched word by word: text and names are reduced to the same normal form (lower case,
NFKC, possessives and plural endings dropped, British spellings as American, hyphens as spaces,
roman type numbers as digits), and a name matches only a whole run of words of the text (an
Aho-Corasick automaton over the words, so ``MG`` never matches inside ``MGUS``).  Chinese has no
spaces: names are found as substrings after both sides drop ``氏`` and spaces and spell
``综合症``/``症候群`` as ``综合征``; a name ending in ``症`` or ``病`` also matches with the other
ending.  Short abbreviations (``HAE``, ``aHUS``) match only as written; two-letter ones never.

Every match keeps its span in the original text, so a link can quote the words it was made from.
Of overlapping matches the leftmost, then longest, is kept (``非典型溶血性尿毒症综合征`` is not
also ``溶血性尿毒症综合征``; ``获得性血友病A`` is acquired haemophilia, not also ``血友病A``).
``型`` is dropped with ``氏`` (``纯合子型家族性高胆固醇血症`` is the list's
``纯合子家族性高胆固醇血症``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:'s\b)?")
_CJK = re.compile(r"[\u3400-\u9fff]")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7"}
_BRITISH = (
    ("haem", "hem"),
    ("anaem", "anem"),
    ("aemia", "emia"),
    ("oedem", "edem"),
    ("oesoph", "esoph"),
    ("paediatr", "pediatr"),
    ("tumour", "tumor"),
    ("leukaem", "leukem"),
)
_ZH_SAME = (("综合症", "综合征"), ("症候群", "综合征"), ("粘", "黏"), ("喋", "蝶"))
_ZH_DROP = frozenset("氏型的 \u3000\t\r\n")
_BRACKETED = re.compile(r"[(（][^()（）]{1,24}[)）]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _word(token: str) -> str:
    w = token.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    for old, new in _BRITISH:
        w = w.replace(old, new)
    if len(w) > 4 and w.endswith("oses"):
        return w[:-4] + "osis"
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "is", "us", "os")):
        return w[:-1]
    return w


def words(text: str) -> list[tuple[str, int, int]]:
    """The normal words of ``text`` with their spans; ``type II`` gives ``type 2``."""
    s = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    out: list[tuple[str, int, int]] = []
    for m in _WORD.finditer(s):
        w = _word(m.group())
        if out and out[-1][0] == "type" and w in _ROMAN:
            w = _ROMAN[w]
        out.append((w, m.start(), m.end()))
    return out


def english_key(name: str) -> str:
    """The normal form of an English name: its normal words joined by single spaces."""
    return " ".join(w for w, _s, _e in words(name))


def chinese_key(name: str) -> str:
    """The normal form of a Chinese name (NFKC, no ``氏`` or spaces, one spelling)."""
    s = "".join(c for c in unicodedata.normalize("NFKC", name) if c not in _ZH_DROP)
    for old, new in _ZH_SAME:
        s = s.replace(old, new)
    return s.lower()


def chinese_variants(name: str) -> set[str]:
    """The name and, when it ends in ``症`` or ``病`` after three or more characters, the name with
    the other ending (``亨廷顿舞蹈病`` / ``亨廷顿舞蹈症``); a name ending in ``症`` after four or
    more characters also without it (``二氢蝶啶还原酶缺乏症`` / ``…缺乏``); a name ending in
    ``肿瘤`` also in ``瘤`` and the other way round (``胃肠胰神经内分泌肿瘤`` / ``…瘤``)."""
    key = chinese_key(name)
    out = {key}
    if len(key) >= 4 and key[-1] in "症病":
        out.add(key[:-1] + ("病" if key[-1] == "症" else "症"))
    if len(key) >= 5 and key[-1] == "症":
        out.add(key[:-1])
    if len(key) >= 5 and key.endswith("肿瘤"):
        out.add(key[:-2] + "瘤")
    elif len(key) >= 4 and key.endswith("瘤"):
        out.add(key[:-1] + "肿瘤")
    return out


def abbreviation(name: str) -> bool:
    """A short all-capital abbreviation (``PNH``, ``aHUS``): matched only as written."""
    s = name.strip()
    return 2 <= len(s) <= 7 and " " not in s and s.isascii() and sum(c.isupper() for c in s) >= 2


@dataclass(frozen=True)
class Hit:
    """One name found in a text: its span in the text, the key it matched and what it names."""

    start: int
    end: int
    key: str
    value: object


class Matcher:
    """Aho-Corasick automata over the normal forms of English names, Chinese names and
    abbreviations; ``add`` a name with any value, ``freeze`` once, then ``find``."""

    def __init__(self) -> None:
        self._en: dict[str, list[object]] = {}
        self._zh: dict[str, list[object]] = {}
        self._abbr: dict[str, list[object]] = {}
        self._auto: tuple[ahocorasick.Automaton, ahocorasick.Automaton] | None = None

    def add(self, name: str, value: object) -> None:
        if not name or not name.strip():
            return
        if abbreviation(name):
            if len(name.strip()) >= 3:  # two letters (FD, KS, MG) name too many things
                self._abbr.setdefault(name.strip(), []).append(value)
        elif has_cjk(name):
            for key in chinese_variants(name):
                self._zh.setdefault(key, []).append(value)
        else:
            key = english_key(name)
            if len(key) >= 4:
                self._en.setdefault(key, []).append(value)

    def freeze(self) -> None:
        en, zh = ahocorasick.Automaton(), ahocorasick.Automaton()
        for key in self._en:
            en.add_word(f" {key} ", key)
        for key in self._zh:
            zh.add_word(key, key)
        for auto in (en, zh):
            auto.make_automaton()
        self._auto = (en, zh)

    def values(self, key: str) -> list[object]:
        return self._en.get(key) or self._zh.get(key) or self._abbr.get(key) or []

    def find(self, text: str) -> list[Hit]:
        """Every name in ``text`` (leftmost-longest), also where a short remark in brackets
        interrupts it (``tetrahydrobiopterin (BH4) deficiency``)."""
        hits = self._find(text)
        blanked = _BRACKETED.sub(lambda m: " " * len(m.group()), text)
        if blanked != text:
            spans = {(h.start, h.end) for h in hits}
            hits += [h for h in self._find(blanked) if (h.start, h.end) not in spans]
        return _outermost(hits)

    def _find(self, text: str) -> list[Hit]:
        if self._auto is None:
            self.freeze()
        assert self._auto is not None
        en, zh = self._auto
        hits: list[Hit] = []
        toks = words(text)
        joined, starts = " ", []
        for w, _s, _e in toks:
            starts.append(len(joined))
            joined += w + " "
        by_pos = {p: i for i, p in enumerate(starts)}
        if len(en):
            for end, key in en.iter(joined):
                first = by_pos[end - len(key)]
                last = first + len(key.split()) - 1
                for value in self._en[key]:
                    hits.append(Hit(toks[first][1], toks[last][2], key, value))
        if self._abbr:
            for m in re.finditer(r"[A-Za-z0-9]+", unicodedata.normalize("NFKC", text)):
                for value in self._abbr.get(m.group(), []):
                    hits.append(Hit(m.start(), m.end(), m.group(), value))
        if len(zh) and has_cjk(text):
            norm, index = _chinese_with_index(text)
            for end, key in zh.iter(norm):
                for value in self._zh[key]:
                    hits.append(Hit(index[end - len(key) + 1], index[end] + 1, key, value))
        return hits


def _chinese_with_index(text: str) -> tuple[str, list[int]]:
    s = unicodedata.normalize("NFKC", text)
    chars, index = [], []
    if len(s) != len(text):  # NFKC changed the length: index into the normalized text instead
        text = s
    for i, c in enumerate(s):
        if c in _ZH_DROP:
            continue
        chars.append(c.lower())
        index.append(i)
    norm = "".join(chars)
    for old, new in _ZH_SAME:
        norm = norm.replace(old, new)
    return norm, index


def _outermost(hits: Iterable[Hit]) -> list[Hit]:
    """Leftmost-longest: of overlapping names the one that starts first (the longer one when two
    start together) is kept; names found at the very same span are all kept."""
    ordered = sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    end = -1
    span = (-1, -1)
    for h in ordered:
        if (h.start, h.end) == span:
            kept.append(h)
        elif h.start >= end:
            kept.append(h)
            span, end = (h.start, h.end), h.end
    return kept
