"""One drug across jurisdictions: the substance key of a drug name, and the drug IRI it gives.

The FDA names a drug by its generic name, the EMA by INN and active substance, the NMPA and the NRDL
by Chinese generic names, often with the salt and the dosage form in the name. The same substance
must be one drug (``https://w3id.org/rarekg/id/drug/<key>``) whichever record names it, while each
decision keeps its own source. Two reviewed steps do it:

1. Normalisation (pure rules, tested): an English name is lower-cased, NFKC-folded, ``alpha`` read
   as ``alfa``, British ``-ph-`` sulfur spellings as ``-f-``, an FDA four-letter biologic suffix
   (``-vjbk``) dropped, salts, esters and hydrates (``hydrochloride``, ``sodium``, ``tartrate``,
   ``monohydrate``...) dropped where something else remains; the components of a combination are
   sorted. A Chinese generic name loses its bracketed qualifiers (``（皮下注射）``), its dosage form
   (``注射用…``, ``…注射液``, ``…片``, ``…胶囊``, ``…口服溶液``...) and a salt word where it is the
   salt (``盐酸…``, ``酒石酸…``, ``…钠``): not where it is the substance (``氯化钠``, ``醋酸锌``),
   nor an ester (``富马酸二甲酯``); a carrier solution goes too (``依达拉奉氯化钠注射液`` is
   edaravone in sodium chloride, ``注射用头孢唑林钠/氯化钠注射液`` cefazolin with its diluent).
2. A reviewed table (``data/drugs/drug_identity.csv``: name, language, INN, reason, source) ties
   names that no rule can join: a Chinese name to its INN, a brand-and-substance string to its INN.

A name the table does not know keeps a key of its own: the English key as a slug, or for a Chinese
name ``zh-`` and a digest of its normalised form. So an unreviewed Chinese name never joins an
English one by guesswork.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode

from kg import iri

IDENTITY_COLUMNS = ("name", "lang", "inn", "reason", "source")

# English: salt, ester and hydrate words of a substance name (whole words only).
SALT_WORDS = frozenset(
    [
        "hydrochloride", "dihydrochloride", "trihydrochloride", "hcl", "hydrobromide",
        "hydroiodide", "sodium", "disodium", "trisodium", "potassium", "dipotassium", "calcium",
        "magnesium", "lithium", "zinc", "meglumine", "lysine", "arginine", "tromethamine",
        "trometamol", "ammonium", "diethylamine", "acetate", "diacetate", "tartrate", "bitartrate",
        "hydrogen", "citrate", "dihydrogen", "maleate", "fumarate", "hemifumarate", "succinate",
        "phosphate", "diphosphate", "sulfate", "bisulfate", "hemisulfate", "mesylate", "mesilate",
        "dimesylate", "tosylate", "tosilate", "besylate", "besilate", "edisylate", "esylate",
        "napsylate", "lactate", "gluconate", "malate", "mandelate", "oxalate", "bromide", "iodide",
        "chloride", "nitrate", "pamoate", "embonate", "stearate", "dipropionate", "propionate",
        "valerate", "pivalate", "palmitate", "decanoate", "enanthate", "undecanoate", "hydrate",
        "monohydrate", "dihydrate", "trihydrate", "tetrahydrate", "pentahydrate", "sesquihydrate",
        "hemihydrate", "anhydrous", "tetrahydrochloride",
        "hci",  # HCl misprinted with a capital I (``fenfluramine HCI``)
    ]
)
# English dosage-form, route and device words that some records add to the substance name:
# ``riluzole oral film`` is riluzole, ``dexamethasone intravitreal implant`` dexamethasone. A
# liposomal form is its substance, as ``…脂质体`` is in Chinese names: ``irinotecan liposome
# injection`` (FDA) and Onivyde's ``irinotecan hydrochloride trihydrate`` (EPAR) are one drug.
FORM_WORDS = frozenset(
    [
        "injection", "injections", "injectable", "tablet", "tablets", "capsule", "capsules",
        "granules", "oral", "solution", "suspension", "powder", "concentrate", "infusion",
        "intravenous", "subcutaneous", "cream", "gel", "film-coated", "prolonged-release",
        "extended-release", "modified-release", "delayed-release", "for", "kit", "as", "film",
        "patch", "inhalation", "ophthalmic", "topical", "intravitreal", "implant", "rectal",
        "administration", "viscous", "liposome", "liposomal", "pegylated", "liquid", "enteric",
        "coated", "enteric-coated", "combination", "therapy",
    ]
)
# Alcohol parts of esters: with them the acid word is the substance (``dimethyl fumarate``).
ESTER_HEADS = frozenset(["methyl", "dimethyl", "monomethyl", "ethyl", "diroximel", "glycerol"])
_BIOLOGIC_SUFFIX = re.compile(r"-[a-z]{4}$")
_SPLIT = re.compile(r"\s*(?:\+|/|:|;|,|\band\b|\bwith\b)\s*")

# Chinese: dosage-form affixes (longest first), and salt words.
ZH_FORM_PREFIXES = ("注射用", "口服用", "吸入用", "外用")
ZH_FORM_SUFFIXES = tuple(
    sorted(
        [
            "注射用浓溶液", "口服溶液用散", "口服混悬液", "口服混悬剂", "干混悬剂", "口服溶液",
            "口服液", "口服乳", "缓释注射液", "注射液", "注射剂", "缓释微球", "微球", "脂质体",
            "缓释片", "控释片", "肠溶片", "分散片", "咀嚼片", "口崩片", "口腔崩解片", "泡腾片",
            "薄膜衣片", "片", "肠溶软胶囊", "肠溶胶囊", "缓释胶囊", "软胶囊", "胶囊", "颗粒", "散",
            "滴眼液", "眼用凝胶", "凝胶", "乳膏", "软膏", "吸入剂", "吸入溶液", "吸入粉雾剂",
            "粉雾剂", "气雾剂", "喷雾剂", "贴剂", "栓", "糖浆", "混悬液", "溶液", "浓溶液", "滴剂",
        ],
        key=len,
        reverse=True,
    )
)
ZH_ACID_SALTS = tuple(
    sorted(
        [
            "盐酸", "氢溴酸", "硫酸氢", "硫酸", "磷酸", "酒石酸", "重酒石酸", "枸橼酸", "马来酸",
            "富马酸", "琥珀酸", "甲磺酸", "乙磺酸", "苯磺酸", "对甲苯磺酸", "甲苯磺酸", "醋酸",
            "乳酸", "葡萄糖酸", "双羟萘酸", "苹果酸", "草酸", "依地酸", "门冬氨酸",
        ],
        key=len,
        reverse=True,
    )
)
ZH_BASE_SALTS = ("二钠", "葡胺", "钠", "钾", "钙", "镁")
# A stem left over that is only a metal or an element: the "salt word" was the substance itself.
_ZH_ELEMENTS = frozenset(
    ["锌", "铁", "亚铁", "钙", "镁", "钾", "钠", "锂", "铜", "铝", "碘", "硒", "铋", "银"]
)
# A carrier solution: the diluent of a kit (``注射用头孢唑林钠/氯化钠注射液``: cefazolin sodium for
# injection packed with its sodium chloride diluent) or the solution of a premixed infusion
# (``依达拉奉氯化钠注射液``: edaravone in sodium chloride injection, ``甲硝唑葡萄糖``:
# metronidazole in glucose). The drug is the substance, the carrier is not. Not where the carrier
# is part of a fluid or of the substance: saline alone, compound, normal or concentrated
# (``复方氯化钠``, ``浓氯化钠``), with a sugar, glycerol, a starch, electrolytes, amino acids or a
# fat emulsion (``葡萄糖氯化钠``, ``脂肪乳氨基酸葡萄糖``), or glucosamine (``氨基葡萄糖``).
ZH_KIT_CARRIERS = frozenset(
    ["氯化钠", "葡萄糖", "5%葡萄糖", "10%葡萄糖", "灭菌注射用水", "注射用水"]
)
ZH_PREMIX_CARRIERS = ("氯化钠", "葡萄糖")
_ZH_FLUIDS = re.compile(
    r"^(?:生理|浓|注射用|氨基)$|^复方|葡萄糖$|果糖$|甘油|淀粉|电解质|氨基酸|脂肪乳|乳酸钠")
_ZH_BRACKETS = re.compile(r"[（(]([^（）()]*)[）)]")
# A bracket that only says the route, the device or a roman-numbered variant is dropped; one with
# Latin letters or digits names a composition (``(15AA)``, ``(30R)``, ``(Vero细胞)``) and stays.
_ZH_DROPPED_BRACKET = re.compile(r"^(?:[IVX]+|[^A-Za-z0-9]+)$")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def english_key(name: str) -> str:
    """The substance key of an English (INN, generic, active substance) name, e.g.
    ``Eliglustat Tartrate`` → ``eliglustat``, ``Agalsidase Alpha`` → ``agalsidase alfa``,
    ``vestronidase alfa-vjbk`` → ``vestronidase alfa``.  Raises ``ValueError`` for a name with no
    Latin letters or digits."""
    plain = _nfkc(name).lower().replace("\u2010", "-").replace("\u2011", "-")
    plain = re.sub(r"[\[(]r-?dna(?: origin)?[\])]|\([a-z]{2,5}[- ]?[0-9]{3,}\)", " ", plain)
    plain = re.sub(r"\bcombination of\b", " ", plain)  # ``Combination of nivolumab and …``
    plain = re.sub(r"\bin combination with\b", " + ", plain)
    plain = re.sub(r"\b\d+(?:\.\d+)?\s*%", " ", plain)  # a strength: ``Lidocaine patch 5%``
    parts = [p for p in _SPLIT.split(plain) if p.strip()]
    # a part that only names the form (``doxorubicin hydrochloride, liposomal``) is no component
    named = [p for p in parts if set(_words(p)) - FORM_WORDS]
    keys = sorted({k for k in (_component_key(p) for p in named or parts) if k})
    if not keys:
        raise ValueError(f"{name!r} has no substance name to make a key from")
    return " + ".join(keys)


def _words(part: str) -> list[str]:
    return re.sub(r"[^a-z0-9-]+", " ", part).split()


def _component_key(part: str) -> str:
    words = _words(part)
    words = ["alfa" if w == "alpha" else w for w in words]
    words = [re.sub(r"^alpha-", "alfa-", w) for w in words]
    words = [w.replace("sulph", "sulf") for w in words]
    if words and _BIOLOGIC_SUFFIX.search(words[-1]) and len(words[-1]) > 5:
        words[-1] = _BIOLOGIC_SUFFIX.sub("", words[-1])
    words = [w for w in words if w not in FORM_WORDS] or words
    kept = [w for w in words if w not in SALT_WORDS]
    if not kept or all(w in ESTER_HEADS for w in kept):
        return " ".join(words)
    return " ".join(kept)


def chinese_key(name: str) -> str:
    """The substance key of a Chinese generic name, e.g. ``酒石酸艾格司他胶囊`` → ``艾格司他``,
    ``注射用阿糖苷酶α`` → ``阿糖苷酶α``, ``诺西那生钠注射液`` → ``诺西那生``; but
    ``氯化钠注射液`` → ``氯化钠`` and ``富马酸二甲酯肠溶胶囊`` → ``富马酸二甲酯`` (there the
    salt word is the substance)."""
    s = re.sub(r"\s+", "", _nfkc(name))
    s = _ZH_BRACKETS.sub(lambda m: "" if _ZH_DROPPED_BRACKET.match(m.group(1)) else m.group(0), s)
    for _ in range(2):
        for prefix in ZH_FORM_PREFIXES:
            if s.startswith(prefix) and len(s) > len(prefix) + 1:
                s = s[len(prefix) :]
        for suffix in ZH_FORM_SUFFIXES:
            if s.endswith(suffix) and len(s) > len(suffix) + 1:
                s = s[: -len(suffix)]
                break
    s = _without_carrier(s)
    for acid in ZH_ACID_SALTS:
        rest = s[len(acid) :]
        if s.startswith(acid) and _is_stem(rest) and not rest.endswith("酯"):
            s = rest
            break
    for base in ZH_BASE_SALTS:
        rest = s[: -len(base)]
        if (
            s.endswith(base)
            and _is_stem(rest)
            and rest[-1] not in "化氢"
            and rest not in ZH_ACID_SALTS
        ):
            s = rest
            break
    if not s:
        raise ValueError(f"{name!r} has no substance name to make a key from")
    return s


def _without_carrier(s: str) -> str:
    """``头孢唑林钠/氯化钠`` → ``头孢唑林钠`` (a kit), ``依达拉奉氯化钠`` → ``依达拉奉`` (a premix);
    ``复方氯化钠``, ``葡萄糖氯化钠``, ``果糖氯化钠``, ``氨基葡萄糖`` stay."""
    drug, _, carrier = s.partition("/")  # the form suffix is already gone from the carrier
    if len(drug) >= 2 and carrier in ZH_KIT_CARRIERS:
        return drug
    for carrier in ZH_PREMIX_CARRIERS:
        rest = s.removesuffix(carrier)
        if rest != s and len(rest) >= 2 and "、" not in rest and not _ZH_FLUIDS.search(rest):
            return rest
    return s


def _is_stem(rest: str) -> bool:
    return len(rest) >= 2 and rest not in _ZH_ELEMENTS


def is_chinese(name: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in name)


def key(name: str) -> str:
    """The substance key of a name in either language."""
    return chinese_key(name) if is_chinese(name) else english_key(name)


def slug(substance: str) -> str:
    """The local name of a drug IRI for a substance key: an English key as a slug
    (``eliglustat``), a Chinese one as ``zh-`` and a digest (a reviewed INN is preferred)."""
    if is_chinese(substance):
        return "zh-" + hashlib.sha1(substance.encode("utf-8")).hexdigest()[:12]
    return iri.name_slug(substance)


@dataclass(frozen=True)
class Identity:
    """A reviewed row of ``drug_identity.csv``: ``name`` (as a source prints it) is ``inn``."""

    name: str
    lang: str
    inn: str
    reason: str
    source: str


class DrugIdentity:
    """Names to drug IRIs: the normalisation rules plus the reviewed identity rows."""

    def __init__(self, rows: Iterable[Identity] = ()) -> None:
        self.rows = list(rows)
        self._inn: dict[str, str] = {}
        for row in self.rows:
            k = key(row.name)
            inn_key = english_key(row.inn)
            if self._inn.setdefault(k, inn_key) != inn_key:
                raise ValueError(
                    f"drug identity: {row.name!r} is both {self._inn[k]!r} and {inn_key!r}"
                )

    @classmethod
    def read(cls, path: Path) -> DrugIdentity:
        """The reviewed table at ``path``.  Raises ``ValueError`` naming file, row and column."""
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            if tuple(reader.fieldnames or ()) != IDENTITY_COLUMNS:
                raise ValueError(f"{path.name}: header is not {','.join(IDENTITY_COLUMNS)}")
            rows = []
            for number, row in enumerate(reader, start=1):
                for column in IDENTITY_COLUMNS:
                    if not (row.get(column) or "").strip():
                        raise ValueError(f"{path.name} row {number}: {column} is empty")
                rows.append(Identity(**{c: row[c].strip() for c in IDENTITY_COLUMNS}))
        return cls(rows)

    def substance(self, *names: str | None) -> str:
        """The substance key for the first usable of ``names`` (INN first, then others): a
        reviewed name gives its INN's key; an English name its own key; a Chinese name its key."""
        keys = [key(n) for n in names if n and n.strip()]
        if not keys:
            raise ValueError("a drug needs a name")
        for k in keys:
            if k in self._inn:
                return self._inn[k]
        for k in keys:
            if not is_chinese(k):
                return k
        return keys[0]

    def drug(self, *names: str | None) -> NamedNode:
        """The drug IRI of the substance the names name (see ``substance``)."""
        return iri.entity("drug", slug(self.substance(*names)))

    def inn_of(self, name: str) -> str | None:
        """The reviewed INN key of a name, if the table has one."""
        return self._inn.get(key(name))

    def known(self) -> Mapping[str, str]:
        return dict(self._inn)
