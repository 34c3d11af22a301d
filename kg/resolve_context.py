"""The use a disease mention is made in, for disease resolution (``kg.resolve``): a mention after
a negation or exclusion (``not indicated for``, ``excluding``, ``不适用于``), in a diagnostic use
(``for the diagnosis of``, ``显像``) or a supportive use (``supportive care``, ``支持治疗``) in the
same clause, or anywhere after ``Limitation(s) of Use`` is not a treatment indication; nor is any
mention in the text of a product "for diagnostic use only".

Clauses end at ``.``, ``;``, ``。``, ``；`` and line breaks; a cue counts only before the mention
and in its clause, so "X, excluding Y" excludes Y and not X.  "A confirmed diagnosis of X" is a
treatment population, not a diagnostic use.
"""

from __future__ import annotations

import re

_CLAUSE_END = re.compile(r"(?:\.\s|;|。|；|\n|\.$)")
NEGATION = re.compile(
    r"\bnot\s+(?:be\s+)?(?:indicated|approved|recommended|intended|for\s+use|been\s+established|"
    r"been\s+studied|established|effective)\b|\bexclud(?:ing|es|ed)\b|\bexcept\b|\bother\s+than\b|"
    r"\bexclusion\b|\(\s*not\b|"
    r"不适用|不用于|不应用于|除外|排除|不包括|不推荐|尚未确立|禁用于",
    re.IGNORECASE,
)
LIMITATION = re.compile(r"\blimitations?\s+of\s+use\b|使用限制", re.IGNORECASE)
DIAGNOSTIC = re.compile(
    r"\b(?:for|in|aid(?:ing)?\s+in|use\s+in)\s+(?:the\s+)?(?:differential\s+)?diagnos(?:is|ing|tic)"
    r"|\bdiagnostic\s+(?:agent|test|imaging|aid|adjunct|use|tool)|\bimaging\b|\bdetection\s+of\b"
    r"|^\W*diagnosis\s+of\b"  # a clause that is a diagnosis; "a confirmed diagnosis of X" is not
    r"|\bscreening\b|\bvisuali[sz]ation\b|\blocali[sz]ation\s+of\b|\blymphatic\s+mapping\b"
    r"|辅助诊断|诊断用|诊断试剂|用于[^，,。；;]{0,12}的?诊断(?!为)|显像|筛查",
    re.IGNORECASE,
)
# A product that is diagnostic as a whole says so once, often in a sentence of its own ("This
# medicinal product is for diagnostic use only."): every mention of its text is a diagnostic use.
DIAGNOSTIC_PRODUCT = re.compile(
    r"\bfor\s+diagnostic\s+use\s+only\b|\bdiagnostic\s+radiopharmaceutical\b|仅供诊断|仅用于诊断",
    re.IGNORECASE,
)
SUPPORTIVE = re.compile(
    r"\bsupportive\s+(?:care|treatment|therapy)\b|\brescue\b|\b(?:diminish|reduce|counteract)\s+"
    r"the\s+toxicity|支持治疗|解救",
    re.IGNORECASE,
)


def context_of(text: str, start: int) -> str | None:
    """``negated``, ``diagnostic``, ``supportive`` or ``None`` (a treatment use) for the mention
    starting at ``start`` in ``text``."""
    before = text[:start]
    if LIMITATION.search(before):
        return "negated"
    ends = list(_CLAUSE_END.finditer(before))
    clause = before[ends[-1].end() :] if ends else before
    if NEGATION.search(clause):
        return "negated"
    if DIAGNOSTIC.search(clause) or DIAGNOSTIC_PRODUCT.search(text):
        return "diagnostic"
    if SUPPORTIVE.search(clause):
        return "supportive"
    return None
