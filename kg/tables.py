"""The columns of the project's own source tables in ``data/``: written by
``rarekg derive-tables`` (``kg/build/derive.py``) and read by the loaders, so both sides name the
same columns in the same order."""

from __future__ import annotations

# data/sources.csv: the source documents every table cites
SOURCES = (
    "id",
    "type",
    "title",
    "creator",
    "publisher",
    "date",
    "url",
    "language",
    "accessed",
    "note",
)
# data/lists/: the two national lists and their issuing notices
LIST_ENTRIES = ("list", "no", "name_zh", "name_en", "source")
NOTICES = ("list", "id", "title_zh", "document_no", "date", "issuers", "url", "source")
# data/lists/: ORPHA links of the entries, folk names, and the expert mappings of list-1 entries
ORPHA_LINKS = (
    "list",
    "no",
    "orpha",
    "orpha_match",
    "orpha_name_en",
    "orpha_name_zh",
    "orpha_disorder_group",
    "source",
)
FOLK_NAMES = ("list", "no", "text", "source")
_SUBTYPE = ("entry", "subtype", "subtype_name_zh", "subtype_name_en")
CCRD_ORPHA = (*_SUBTYPE, "orpha", "relation", "source")
CCRD_OMIM = (*_SUBTYPE, "omim", "relation", "source")
CCRD_HPO = (*_SUBTYPE, "hpo", "source")
# data/searches/searches.csv: one documented search for patient organizations per row (curated by
# hand, not derived; read by loaders/searches.py)
SEARCHES = (
    "id",
    "disease",
    "searched_on",
    "where",
    "queries",
    "result",
    "found",
    "candidates",
    "note",
)
