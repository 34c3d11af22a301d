"""The HTTP side of ``rarekg fetch``: polite, resumable, verifiable downloads of upstream files.

A ``Fetcher`` gets one URL into one file and writes a provenance record beside it
(``<file>.prov.json``: request URL and parameters, time, HTTP status, validators, byte count,
SHA-256, the source and what the file was fetched for).  It

- limits its own rate (``RateLimiter``: at most ``rate`` request starts per second);
- honours ``429 Too Many Requests`` and ``503`` with ``Retry-After`` (seconds or an HTTP date,
  capped at ``max_wait``), backs off exponentially on other 5xx answers, on connection errors and on
  truncated bodies (fewer bytes than ``Content-Length``: urllib3 raises, and the length is checked
  again), and accepts a body only once it parses as JSON;
- sends conditional requests (``If-None-Match``, ``If-Modified-Since``) with the validators of the
  previous download of the same URL, when the file on disk is still the one the record describes, so
  that an unchanged file costs a ``304`` and no bytes;
- writes atomically: the body and its record go to ``.part`` files first, then ``os.replace`` puts
  them under their final names, so a final name never holds a half-written file.

The retry loop is written out rather than delegated to urllib3's ``Retry``: that one neither caps
``Retry-After`` nor retries a body cut short after the headers, and both must be tested here.
What to fetch (ClinicalTrials.gov pages, Orphadata responses) is ``kg/build/fetch_sources.py``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import requests

from kg.errors import RarekgError

LOG = logging.getLogger("rarekg.fetch")
USER_AGENT = "rarekg-fetch/0.1 (+https://w3id.org/rarekg/; refresh of public sources)"
PROV_SUFFIX = ".prov.json"


class FetchError(RarekgError):
    """A fetch that could not complete (some files failed after every retry)."""


def prov_path(path: Path) -> Path:
    """Where the provenance record of ``path`` lives."""
    return path.with_name(path.name + PROV_SUFFIX)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def read_record(path: Path) -> dict[str, Any] | None:
    """The provenance record of ``path`` when the file on disk is the one it describes (same
    SHA-256), else ``None``: a file without a trustworthy record is fetched again."""
    record_file = prov_path(path)
    if not path.is_file() or not record_file.is_file():
        return None
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("sha256") != sha256(path.read_bytes()):
        return None
    return record


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through ``path.part``: never a half-written ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    with part.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(part, path)


def write_json(path: Path, value: Mapping[str, Any]) -> None:
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    write_atomically(path, text.encode("utf-8"))


class RateLimiter:
    """At most ``rate`` request starts per second (evenly spaced, no bursts)."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise FetchError(f"rate must be positive, not {rate}")
        self.interval = 1.0 / rate
        self._clock, self._sleep = clock, sleep
        self._next = 0.0

    def wait(self) -> None:
        now = self._clock()
        if now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


def retry_after(value: str | None, cap: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or HTTP-date), at most ``cap``;
    ``None`` when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), cap)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), cap)


@dataclass
class Counts:
    """What a fetch did: files fetched (200), not modified (304), kept from an interrupted run
    without a request, absent upstream (404) and failed after every retry."""

    fetched: int = 0
    not_modified: int = 0
    kept: int = 0
    absent: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, status: str) -> None:
        setattr(self, status.replace("-", "_"), getattr(self, status.replace("-", "_")) + 1)

    def summary(self) -> str:
        return (
            f"fetched {self.fetched}, not modified {self.not_modified}, kept {self.kept}, "
            f"absent {self.absent}, failed {self.failed}"
        )


@dataclass(frozen=True)
class Outcome:
    """``fetched`` (``body`` holds the new bytes), ``not-modified`` (the file on disk stands),
    ``absent`` (404) or ``failed`` (``error`` says why)."""

    status: str
    body: bytes | None = None
    error: str | None = None


class _Retry(Exception):
    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class Fetcher:
    """Gets URLs into files, one at a time, politely (see the module docstring)."""

    def __init__(
        self,
        *,
        rate: float,
        run: str,
        session: requests.Session | None = None,
        timeout: float = 120.0,
        attempts: int = 6,
        backoff: float = 1.0,
        max_wait: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.session.headers["Accept"] = "application/json"
        self.limiter = RateLimiter(rate, sleep=sleep)
        self.run, self.timeout, self.attempts = run, timeout, attempts
        self.backoff, self.max_wait, self._sleep = backoff, max_wait, sleep

    def get(
        self, url: str, params: Mapping[str, str], dest: Path, about: Mapping[str, Any]
    ) -> Outcome:
        """GET ``url`` with ``params`` into ``dest`` (and its record, which also holds ``about``:
        source, disease, page ...)."""
        full_url = requests.Request("GET", url, params=dict(params)).prepare().url or url
        previous = read_record(dest)
        headers = {}
        if previous is not None and previous.get("url") == full_url:
            if previous.get("etag"):
                headers["If-None-Match"] = previous["etag"]
            if previous.get("last_modified"):
                headers["If-Modified-Since"] = previous["last_modified"]
        error = "no attempt made"
        for attempt in range(1, self.attempts + 1):
            self.limiter.wait()
            try:
                return self._once(full_url, url, params, headers, dest, about, previous)
            except _Retry as retry:
                error = str(retry)
                if attempt == self.attempts:
                    break
                wait = retry.wait
                if wait is None:
                    wait = min(self.backoff * 2 ** (attempt - 1), self.max_wait)
                LOG.info("%s: %s; retrying in %.1f s", full_url, error, wait)
                self._sleep(wait)
        LOG.warning("%s: failed after %d attempts: %s", full_url, self.attempts, error)
        return Outcome("failed", error=error)

    def _once(
        self,
        full_url: str,
        url: str,
        params: Mapping[str, str],
        headers: Mapping[str, str],
        dest: Path,
        about: Mapping[str, Any],
        previous: dict[str, Any] | None,
    ) -> Outcome:
        try:
            response = self.session.get(
                url, params=dict(params), headers=dict(headers), timeout=self.timeout
            )
        except (
            requests.ConnectionError,
            requests.Timeout,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            # A body shorter than its Content-Length surfaces here (urllib3's IncompleteRead as
            # ChunkedEncodingError), before anything is written.
            raise _Retry(f"{type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if status == 304 and previous is not None:
            record = {**previous, "checked": now_utc(), "checked_status": 304, "run": self.run}
            write_json(prov_path(dest), record)
            return Outcome("not-modified")
        if status == 429 or status >= 500:
            wait = retry_after(response.headers.get("Retry-After"), self.max_wait)
            raise _Retry(f"HTTP {status}", wait)
        if status == 404:
            return Outcome("absent", error="HTTP 404")
        if status != 200:
            return Outcome("failed", error=f"HTTP {status}: {response.text[:200]}")
        body = response.content
        declared = response.headers.get("Content-Length")
        encoded = response.headers.get("Content-Encoding", "identity") != "identity"
        if declared and declared.isdigit() and not encoded and int(declared) != len(body):
            raise _Retry(f"truncated body: {len(body)} of {declared} bytes")
        try:
            json.loads(body)
        except ValueError as exc:
            raise _Retry(f"body is not JSON ({exc})") from exc
        record = {
            **about,
            "url": full_url,
            "base_url": url,
            "params": dict(params),
            "retrieved": now_utc(),
            "checked": None,
            "status": status,
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
            "content_type": response.headers.get("Content-Type"),
            "bytes": len(body),
            "sha256": sha256(body),
            "run": self.run,
        }
        record["checked"] = record["retrieved"]
        write_atomically(dest, body)
        write_json(prov_path(dest), record)
        return Outcome("fetched", body=body)
