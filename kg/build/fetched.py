"""A directory as a download (``rarekg build --source ctgov=DIR``): every JSON file in it, each its
own source document, the documents of fetched files described from their provenance records.

``DIR`` is a folder ``rarekg fetch`` filled (``var/fetch/ctgov``), the fetch folder above it
(``var/fetch``: its ``<format>`` subfolder is read), or any folder of files in the format.  Files
are read recursively in name order; provenance records (``*.prov.json``), the fetch's own state
(``fetch-*.json``) and unfinished files (``*.part``) are not pages.  The graph's VoID description
gets the latest retrieval time of its files (``pav:retrievedOn``) and the upstream's data version
when it gives one (ClinicalTrials.gov's ``/version``, an EMA report's timestamp: ``pav:version``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import NamedNode, Quad

from kg import iri
from kg.build.fetch import PROV_SUFFIX
from kg.errors import LoadError

RUN_FILE, VERSION_FILE = "fetch-run.json", "fetch-version.json"


def folder_of(path: Path, fmt: str) -> Path:
    """The folder to read for ``--source fmt=path``: ``path/fmt`` for a fetch folder."""
    if (path / fmt / RUN_FILE).is_file():
        return path / fmt
    return path


def page_files(folder: Path) -> list[Path]:
    """The data files of ``folder``.  Raises ``LoadError`` when it holds none."""
    files = sorted(
        p
        for p in folder.rglob("*.json")
        if p.is_file() and not p.name.endswith(PROV_SUFFIX) and not p.name.startswith("fetch-")
    )
    if not files:
        raise LoadError(folder.name, 0, None, f"holds no JSON files: {folder}")
    return files


def document_slug(graph: str, folder: Path, path: Path) -> str:
    """The slug of the source document of one file of a download folder."""
    relative = path.relative_to(folder).with_suffix("").as_posix()
    return f"{graph}-{iri.name_slug(relative)}"


def _record(path: Path) -> dict[str, object] | None:
    record = path.with_name(path.name + PROV_SUFFIX)
    if not record.is_file():
        return None
    try:
        value = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LoadError(record.name, 0, None, f"is not a readable JSON record: {exc}") from None
    return value if isinstance(value, dict) else None


def retrieved(files: list[Path]) -> str | None:
    """The latest retrieval time of the fetched ``files`` (``None`` when none was fetched)."""
    times = []
    for path in files:
        record = _record(path)
        value = record.get("retrieved") if record else None
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
            except ValueError:
                record_name = path.name + PROV_SUFFIX
                raise LoadError(record_name, 1, "retrieved", f"{value!r} is not a time") from None
            times.append(parsed)
    if not times:
        return None
    return max(times).isoformat(timespec="seconds").replace("+00:00", "Z")


def _json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LoadError(path.name, 0, None, f"is not JSON: {exc}") from None


def version(folder: Path, files: list[Path]) -> str | None:
    """The upstream's data version, as it prints it: ClinicalTrials.gov's ``dataTimestamp`` (and
    API version) of ``/version`` that the fetch recorded, or the ``meta.timestamp`` of an EMA
    report; ``None`` when the source gives none."""
    path = folder / VERSION_FILE
    if path.is_file():
        data = _json(path)
        if isinstance(data, dict) and data.get("dataTimestamp"):
            api = f" (API {data['apiVersion']})" if data.get("apiVersion") else ""
            return f"data timestamp {data['dataTimestamp']}{api}"
    stamps = set()
    for file in files:
        data = _json(file)
        meta = data.get("meta") if isinstance(data, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("timestamp"), str):
            stamps.add(meta["timestamp"])
    return f"report timestamp {max(stamps)}" if stamps else None


def document(
    path: Path, slug: str, fmt: str, title: str, graph: NamedNode
) -> Iterator[Quad]:
    """The source document of one file: from its provenance record when it was fetched, else as a
    user's own download."""
    from loaders import documents

    if path.with_name(path.name + PROV_SUFFIX).is_file():
        yield from documents.fetched(path, slug, fmt, title, graph)
    else:
        yield from documents.download(path, slug, fmt, title, graph)
