"""What ``rarekg fetch`` gets: ClinicalTrials.gov studies and Orphadata responses for every listed
disease, into the file layout the loaders read.

- ``ctgov``: the ClinicalTrials.gov API v2 search ``/studies`` for each disease of
  ``data/lists/china_rare_disease_lists.csv``, its ``query.cond`` the disease's English names joined
  with ``OR`` (Essie expression syntax: each name a quoted phrase): the list's English name (its
  alternatives: see ``search_names``), the subtype names of the CCRD mapping, and the Orphanet
  English names of the ORPHA codes linked exactly to it (``data/lists/orpha_links.csv``, the CCRD
  mapping's ``E`` rows, and, when present, the preferred terms and synonyms of
  ``data/orphanet/orpha_names.csv.gz``).  Bare acronyms (``SMA``) are left out: they name other
  things too.  The API has no search by ORPHA, OMIM or ICD code, so codes are not sent.  All sites
  are fetched; the loader flags those in China (``rk:trialSite``); the build's linking phase links
  the trials' conditions to diseases.  Pages follow ``nextPageToken``
  into ``DIR/ctgov/<disease>/page-0001.json`` ...; ``DIR/ctgov/fetch-version.json`` is the API's
  ``/version`` (the data timestamp).
- ``orphadata``: for each ORPHA code linked exactly to a listed disease, ``rd-cross-referencing`` in
  English and Chinese and ``rd-epidemiology``, named as in ``data/orphadata/``
  (``orphadata-cross-<code>-en.json``, ``-zh.json``, ``orphadata-epidemiology-<code>.json``).
- ``ema``: the EMA's orphan designations, all of them in one JSON file of its "download website
  data" reports (``EMA_ORPHAN_PATH``), the format ``loaders/ema.py`` reads; the build's linking
  phase links the indications to diseases.  (The FDA's OOPD database has no stable download
  address: its export comes from a search form; see docs/refresh.md.)

A run is recorded in ``DIR/<source>/fetch-run.json``; ``fetch.lock`` keeps a second fetch out of
the folder while one runs.  A run that did not complete is resumed by the
next one: files it completed are kept without a request, and pagination goes on from the token in
the last complete page.  After a complete run, the next one sends conditional requests.
"""

from __future__ import annotations

import csv
import fcntl
import gzip
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.build.fetch import Counts, Fetcher, FetchError, now_utc, prov_path, read_record, write_json
from kg.build.fetched import RUN_FILE, VERSION_FILE

CTGOV_API = "https://clinicaltrials.gov/api/v2"
ORPHADATA_API = "https://api.orphadata.com"
EMA_API = "https://www.ema.europa.eu"
EMA_ORPHAN_PATH = "/en/documents/report/medicines-output-orphan_designations-json-report_en.json"
EMA_FILE = "ema-orphan-designations.json"
BASES = {"ctgov": CTGOV_API, "orphadata": ORPHADATA_API, "ema": EMA_API}
# ClinicalTrials.gov publishes no limit; its robots.txt asks for a crawl delay of 1 s. Orphadata
# and the EMA publish none either.
DEFAULT_RATE = {"ctgov": 1.0, "orphadata": 1.0, "ema": 1.0}
PAGE_SIZE = 100
MAX_NAMES = 24
SOURCES = ("ctgov", "orphadata", "ema")
_END_BRACKET = re.compile(r"(.+?)\s*[(（]([^()（）]+)[)）]")


@dataclass(frozen=True)
class Disease:
    """A listed disease: ``CN1:110``, its folder ``cn1-110``, its English search names and the ORPHA
    codes linked exactly to it."""

    id: str
    slug: str
    names: tuple[str, ...]
    orpha: tuple[str, ...]


def _rows(path: Path) -> Iterator[dict[str, str]]:
    if not path.is_file():
        return
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def search_names(printed: str, separators: str = "/;；") -> list[str]:
    """The names a printed name gives for a search: its alternatives (separated by ``/`` or ``;``
    in the list), and for ``A (B)`` the name ``A`` and the alternatives ``B`` (comma-separated),
    except that a qualifier in the brackets qualifies ``A``: ``Parkinson Disease (Young-onset,
    Early-onset)`` gives ``Young-onset Parkinson Disease`` and ``Early-onset Parkinson Disease``,
    ``Glycogen Storage Disease (Type I、II)`` gives ``Glycogen Storage Disease type I`` and
    ``... type II``.  Names with brackets elsewhere stay whole."""
    names: list[str] = []
    for alternative in re.split(rf"\s*[{separators}]\s*", " ".join(printed.split())):
        alternative = alternative.strip(" ,")
        match = _END_BRACKET.fullmatch(alternative)
        if not match:
            names.append(alternative)
            continue
        head = match.group(1).strip()
        inner = [q.strip() for q in re.split(r"[,，、]", match.group(2)) if q.strip()]
        if inner and all(q.lower().endswith("onset") for q in inner):
            names += [f"{q} {head}" for q in inner]
        elif inner and inner[0].lower().startswith("type "):
            types = [inner[0][5:].strip(), *inner[1:]]
            names += [f"{head} type {t}" for t in types]
        else:
            names += [head, *inner]
    return [n for n in names if n]


def _is_acronym(name: str) -> bool:
    return " " not in name and name.upper() == name and len(name) <= 6


def listed_diseases(data_dir: Path, only: Iterable[str] = ()) -> list[Disease]:
    """The listed diseases with their search names and ORPHA codes; ``only`` (``CN1:110`` or
    ``cn1-110``) restricts them.  Raises ``FetchError`` for an id that is not on a list."""
    lists = data_dir / "lists"
    names: dict[str, list[str]] = {}
    codes: dict[str, list[str]] = {}
    for row in _rows(lists / "china_rare_disease_lists.csv"):
        key = f"CN{row['list']}:{row['no']}"
        names[key] = search_names(row["name_en"])
        codes[key] = []
    for row in _rows(lists / "orpha_links.csv"):
        key = f"CN{row['list']}:{row['no']}"
        codes[key].append(row["orpha"])
        names[key].append(row["orpha_name_en"])
    for row in _rows(lists / "ccrd_orpha_mapping.csv"):
        key = f"CN1:{row['entry']}"
        if row["subtype_name_en"]:
            names[key] += search_names(row["subtype_name_en"], ";；")
        if row["relation"] == "E":
            codes[key].append(row["orpha"])
    orphanet: dict[str, list[str]] = {}
    for row in _rows(data_dir / "orphanet" / "orpha_names.csv.gz"):
        if row["lang"] == "en":
            orphanet.setdefault(row["orpha"], []).append(row["name"])
    wanted = {_key(w) for w in only}
    unknown = wanted - names.keys()
    if unknown:
        raise FetchError(f"not a listed disease: {', '.join(sorted(unknown))} (e.g. CN1:110)")
    diseases = []
    for key, found in names.items():
        if wanted and key not in wanted:
            continue
        orpha = tuple(dict.fromkeys(c for c in codes[key] if c))
        every = found + [n for c in orpha for n in orphanet.get(c, [])]
        seen: dict[str, str] = {}
        for name in every:
            clean = " ".join(name.replace('"', " ").split())
            if clean and not _is_acronym(clean):
                seen.setdefault(clean.lower(), clean)
        slug = key.lower().replace(":", "-")
        diseases.append(Disease(key, slug, tuple(list(seen.values())[:MAX_NAMES]), orpha))
    return diseases


def _key(value: str) -> str:
    match = re.fullmatch(r"(?i)cn([12])[:-](\d+)", value.strip())
    return f"CN{match.group(1)}:{match.group(2)}" if match else value


def ctgov_query(disease: Disease) -> str:
    """The ``query.cond`` of a disease: its names as quoted phrases joined with ``OR``."""
    return " OR ".join(f'"{n}"' for n in disease.names)


class Progress:
    """A tqdm bar on a terminal, log lines otherwise."""

    def __init__(self, total: int, label: str, log: Callable[[str], None]) -> None:
        from tqdm import tqdm

        self.log, self.label = log, label
        self.bar = tqdm(total=total, desc=label, unit="item", disable=not sys.stderr.isatty())

    def note(self, message: str) -> None:
        if self.bar.disable:
            self.log(f"{self.label}: {message}")
        else:
            self.bar.set_postfix_str(message[-60:])

    def step(self) -> None:
        self.bar.update(1)

    def close(self) -> None:
        self.bar.close()


def _start_run(folder: Path) -> tuple[str, bool]:
    """The id of this run and whether it resumes an interrupted one."""
    state = folder / RUN_FILE
    if state.is_file():
        previous = json.loads(state.read_text(encoding="utf-8"))
        if not previous.get("complete"):
            return str(previous["run"]), True
    return now_utc(), False


def _kept(dest: Path, url_params: dict[str, str], run: str, resuming: bool) -> bytes | None:
    """The body of ``dest`` when the interrupted run being resumed completed it."""
    if not resuming:
        return None
    record = read_record(dest)
    if record is None or record.get("run") != run or record.get("params") != url_params:
        return None
    return dest.read_bytes()


def fetch(
    source: str,
    out: Path,
    *,
    data_dir: Path,
    base_url: str | None = None,
    rate: float | None = None,
    only: Iterable[str] = (),
    log: Callable[[str], None] = lambda _m: None,
    fetcher: Fetcher | None = None,
) -> Counts:
    """Fetch ``source`` (``ctgov``, ``orphadata`` or ``ema``) into ``out/<source>``; the counts of
    what was done.  Failed files leave the run open, to be resumed by the next one."""
    if source not in SOURCES:
        raise FetchError(f"unknown source {source!r} (one of {', '.join(SOURCES)})")
    folder = out / source
    folder.mkdir(parents=True, exist_ok=True)
    with _lock(folder):
        return _fetch(source, folder, data_dir, base_url, rate, only, log, fetcher)


@contextmanager
def _lock(folder: Path) -> Iterator[None]:
    """One fetch at a time per folder (a scheduled run and a manual one must not interleave)."""
    with (folder / "fetch.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FetchError(f"another rarekg fetch is writing into {folder}") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fetch(
    source: str,
    folder: Path,
    data_dir: Path,
    base_url: str | None,
    rate: float | None,
    only: Iterable[str],
    log: Callable[[str], None],
    fetcher: Fetcher | None,
) -> Counts:
    diseases = listed_diseases(data_dir, only)
    run, resuming = _start_run(folder)
    state: dict[str, Any] = {"run": run, "source": source, "complete": False, "started": now_utc()}
    write_json(folder / RUN_FILE, state)
    log(f"{source}: {'resuming run' if resuming else 'new run'} {run} into {folder}")
    fetcher = fetcher or Fetcher(rate=rate or DEFAULT_RATE[source], run=run)
    base = (base_url or BASES[source]).rstrip("/")
    counts = Counts()
    if source == "ctgov":
        _ctgov(fetcher, folder, diseases, base, run, resuming, counts, log)
    elif source == "orphadata":
        _orphadata(fetcher, folder, diseases, base, run, resuming, counts, log)
    else:
        progress = Progress(1, "ema", log)
        about = {"source": "ema", "what": "EMA orphan designations (all)"}
        _get(fetcher, base + EMA_ORPHAN_PATH, {}, folder / EMA_FILE, about, run, resuming, counts,
             progress)
        progress.step()
        progress.close()
    state.update(complete=counts.failed == 0, finished=now_utc(), counts=counts.summary())
    write_json(folder / RUN_FILE, state)
    return counts


def _get(
    fetcher: Fetcher,
    url: str,
    params: dict[str, str],
    dest: Path,
    about: dict[str, Any],
    run: str,
    resuming: bool,
    counts: Counts,
    progress: Progress,
) -> bytes | None:
    """The body of ``dest`` after fetching it (or keeping it); ``None`` when it is absent or
    failed."""
    kept = _kept(dest, params, run, resuming)
    if kept is not None:
        counts.add("kept")
        progress.note(f"{dest.name} kept")
        return kept
    outcome = fetcher.get(url, params, dest, about)
    counts.add(outcome.status)
    progress.note(f"{dest.parent.name}/{dest.name} {outcome.status}")
    if outcome.status == "failed":
        counts.failures.append(f"{dest}: {outcome.error}")
        return None
    if outcome.status == "absent":
        return None
    return outcome.body if outcome.body is not None else dest.read_bytes()


def _ctgov(
    fetcher: Fetcher,
    folder: Path,
    diseases: list[Disease],
    base: str,
    run: str,
    resuming: bool,
    counts: Counts,
    log: Callable[[str], None],
) -> None:
    progress = Progress(len(diseases) + 1, "ctgov", log)
    what = {"source": "ctgov", "what": "API version and data timestamp"}
    _get(fetcher, f"{base}/version", {}, folder / VERSION_FILE, what, run, resuming, counts,
         progress)
    progress.step()
    for disease in diseases:
        query = {"query.cond": ctgov_query(disease), "pageSize": str(PAGE_SIZE),
                 "format": "json", "countTotal": "true"}
        page, token = 1, None
        while True:
            params = {**query, **({"pageToken": token} if token else {})}
            dest = folder / disease.slug / f"page-{page:04d}.json"
            about: dict[str, Any] = {"source": "ctgov", "disease": disease.id, "page": page}
            body = _get(fetcher, f"{base}/studies", params, dest, about, run, resuming, counts,
                        progress)
            if body is None:
                break
            token = json.loads(body).get("nextPageToken")
            if not token:
                _drop_pages_after(folder / disease.slug, page)
                break
            page += 1
        progress.step()
    progress.close()


def _drop_pages_after(folder: Path, last: int) -> None:
    """Pages past the last one, left by an earlier run when there were more results."""
    for path in folder.glob("page-*.json"):
        number = path.stem.removeprefix("page-")
        if number.isdigit() and int(number) > last:
            path.unlink()
            prov_path(path).unlink(missing_ok=True)


def _orphadata(
    fetcher: Fetcher,
    folder: Path,
    diseases: list[Disease],
    base: str,
    run: str,
    resuming: bool,
    counts: Counts,
    log: Callable[[str], None],
) -> None:
    by_code: dict[str, list[str]] = {}
    for disease in diseases:
        for code in disease.orpha:
            by_code.setdefault(code, []).append(disease.id)
    progress = Progress(len(by_code), "orphadata", log)
    for code, ids in sorted(by_code.items(), key=lambda kv: int(kv[0])):
        about: dict[str, Any] = {"source": "orphadata", "disease": ids[0], "diseases": ids,
                                 "orpha": code}
        for lang in ("en", "zh"):
            _get(fetcher, f"{base}/rd-cross-referencing/orphacodes/{code}", {"lang": lang},
                 folder / f"orphadata-cross-{code}-{lang}.json", about, run, resuming, counts,
                 progress)
        _get(fetcher, f"{base}/rd-epidemiology/orphacodes/{code}", {},
             folder / f"orphadata-epidemiology-{code}.json", about, run, resuming, counts,
             progress)
        progress.step()
    progress.close()
