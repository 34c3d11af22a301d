"""Submissions of organization records and corrections, kept outside the graph until a maintainer
reviews them.

One folder (setting ``submissions_dir``) holds:

- ``submissions.sqlite``: every submission, written in WAL mode with ``synchronous=FULL`` (each
  commit is on disk before the submitter gets an answer; a crash or restart loses none).  The record
  (public once approved), the note and contact for the reviewer (never published), the status, and
  the review (reviewer, date, reason or the named graph the record went into).
- ``limits.sqlite``: recent attempts per client for the rate limit (a keyed hash of the client's
  address, never the address; losing it in a crash only forgets a few attempts).
- ``secret.key``: random bytes that sign the form's CSRF tokens and the review sessions and key the
  client hashes; made once, readable only by the service's user.

None of it is under the store directory: the graph never holds a submission that was not approved.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import Conflict, NotFound, RateLimited

STATUSES = ("pending", "approved", "rejected")
KINDS = ("new", "correction")
DATABASE = "submissions.sqlite"
LIMITS = "limits.sqlite"
SECRET = "secret.key"
WINDOW = 3600.0  # the rate limit counts the attempts of the last hour

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    language TEXT NOT NULL,
    record TEXT NOT NULL,
    url TEXT NOT NULL,
    note TEXT NOT NULL,
    contact TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    reviewed_at TEXT,
    reviewer TEXT,
    reason TEXT,
    graph TEXT
);
CREATE INDEX IF NOT EXISTS submissions_status ON submissions (status, submitted_at);
"""
_LIMITS_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (client TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_client ON attempts (client, at);
"""


def folder_of(settings: Mapping[str, Any]) -> Path:
    """The ``submissions_dir`` setting, or ``submissions`` beside the store directory."""
    if settings.get("submissions_dir"):
        return Path(settings["submissions_dir"])
    return Path(settings["store"]).resolve().parent / "submissions"


def now() -> str:
    """The current time in UTC, to the second (ISO 8601)."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def new_id() -> str:
    """An unguessable submission id: 16 characters of lower-case base32 (80 bits)."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()


@dataclass(frozen=True)
class Submission:
    id: str
    kind: str
    target: str
    language: str
    record: dict[str, Any]
    url: str  # the address of its status, which the published record cites as its source
    note: str
    contact: dict[str, str]
    status: str
    submitted_at: str
    reviewed_at: str | None = None
    reviewer: str | None = None
    reason: str | None = None
    graph: str | None = None

    def public(self) -> dict[str, Any]:
        """What anyone holding the id may see: never the contact or the note."""
        data: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "language": self.language,
            "status": self.status,
            "submitted_at": self.submitted_at,
            "status_url": self.url,
            "record": self.record,
        }
        if self.status != "pending":
            data["reviewed_at"] = self.reviewed_at
        if self.status == "rejected":
            data["reason"] = self.reason
        if self.status == "approved":
            data["graph"] = self.graph
            data["approved_by"] = self.reviewer
        return data

    def full(self) -> dict[str, Any]:
        """Everything, for the reviewers."""
        return {**self.public(), "note": self.note, "contact": self.contact,
                "reviewer": self.reviewer, "reason": self.reason}


def _row(row: sqlite3.Row) -> Submission:
    return Submission(
        id=row["id"], kind=row["kind"], target=row["target"], language=row["language"],
        record=json.loads(row["record"]), url=row["url"], note=row["note"],
        contact=json.loads(row["contact"]),
        status=row["status"], submitted_at=row["submitted_at"], reviewed_at=row["reviewed_at"],
        reviewer=row["reviewer"], reason=row["reason"], graph=row["graph"],
    )


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SubmissionStore:
    """The submissions of one folder; safe to use from several threads and processes at once.

    Every method opens its own connection (SQLite serializes writers across processes)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._ready = False

    def _setup(self) -> None:
        if self._ready:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        fresh = not (self.folder / DATABASE).exists()
        with closing(self._open(DATABASE, durable=True)) as db:
            db.executescript(_SCHEMA)
        with closing(self._open(LIMITS, durable=False)) as db:
            db.executescript(_LIMITS_SCHEMA)
        if fresh:
            _fsync_dir(self.folder)
        self._ready = True

    def _open(self, name: str, durable: bool) -> sqlite3.Connection:
        db = sqlite3.connect(self.folder / name, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={'FULL' if durable else 'OFF'}")
        return db

    @contextmanager
    def _transaction(
        self, name: str = DATABASE, durable: bool = True
    ) -> Iterator[sqlite3.Connection]:
        self._setup()
        with closing(self._open(name, durable)) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def secret(self) -> bytes:
        """The folder's secret key, made on first use (32 random bytes, mode 0600)."""
        self._setup()
        path = self.folder / SECRET
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        tmp = self.folder / f".{SECRET}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_bytes(32))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # the first process to get here wins; the others read its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        _fsync_dir(self.folder)
        return path.read_bytes()

    def add(self, kind: str, target: str, language: str, record: dict[str, Any], url: str,
            note: str, contact: dict[str, str], submission_id: str | None = None,
            submitted_at: str | None = None) -> Submission:
        """Store a new pending submission; it is on disk when this returns."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        sub = Submission(id=submission_id or new_id(), kind=kind, target=target,
                         language=language, record=record, url=url, note=note, contact=contact,
                         status="pending", submitted_at=submitted_at or now())
        with self._transaction() as db:
            db.execute(
                "INSERT INTO submissions (id, kind, target, language, record, url, note, contact, "
                "status, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (sub.id, sub.kind, sub.target, sub.language,
                 json.dumps(record, ensure_ascii=False), url, note,
                 json.dumps(contact, ensure_ascii=False), sub.status, sub.submitted_at))
        return sub

    def get(self, submission_id: str) -> Submission:
        """Raises ``NotFound``."""
        self._setup()
        with closing(self._open(DATABASE, durable=True)) as db:
            row = db.execute("SELECT * FROM submissions WHERE id = ?", (submission_id,)).fetchone()
        if row is None:
            raise NotFound(f"no submission {submission_id!r}")
        return _row(row)

    def list(self, status: str | None = None, limit: int = 200) -> list[Submission]:
        """Submissions, oldest first, of one status or all."""
        self._setup()
        with closing(self._open(DATABASE, durable=True)) as db:
            if status is None:
                rows = db.execute("SELECT * FROM submissions ORDER BY submitted_at, id LIMIT ?",
                                  (limit,)).fetchall()
            else:
                rows = db.execute("SELECT * FROM submissions WHERE status = ? "
                                  "ORDER BY submitted_at, id LIMIT ?", (status, limit)).fetchall()
        return [_row(r) for r in rows]

    def targets_pending(self, target: str) -> int:
        """How many pending submissions propose this IRI for a new record."""
        self._setup()
        with closing(self._open(DATABASE, durable=True)) as db:
            row = db.execute("SELECT COUNT(*) FROM submissions WHERE target = ? AND kind = 'new' "
                             "AND status = 'pending'", (target,)).fetchone()
        return int(row[0])

    def review(self, submission_id: str, status: str, reviewer: str, *, reason: str = "",
               graph: str = "", at: str | None = None) -> Submission:
        """Record the review of a pending submission.  Raises ``NotFound``, and ``Conflict`` when
        it was reviewed already."""
        if status not in ("approved", "rejected"):
            raise ValueError("a review approves or rejects")
        with self._transaction() as db:
            row = db.execute("SELECT status FROM submissions WHERE id = ?",
                             (submission_id,)).fetchone()
            if row is None:
                raise NotFound(f"no submission {submission_id!r}")
            if row["status"] != "pending":
                raise Conflict(f"submission {submission_id} was {row['status']} already")
            db.execute("UPDATE submissions SET status = ?, reviewed_at = ?, reviewer = ?, "
                       "reason = ?, graph = ? WHERE id = ?",
                       (status, at or now(), reviewer, reason or None, graph or None,
                        submission_id))
        return self.get(submission_id)

    def client_key(self, address: str) -> str:
        """A keyed hash of a client's address: the rate limit never stores the address."""
        return hmac.new(self.secret(), address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def attempt(self, address: str, per_hour: int, at: float | None = None) -> None:
        """Count one attempt of a client, or raise ``RateLimited`` when it has had ``per_hour``
        in the last hour (refused attempts are not counted).  ``per_hour`` 0 switches it off."""
        if per_hour <= 0:
            return
        at = time.time() if at is None else at
        client = self.client_key(address)
        with self._transaction(LIMITS, durable=False) as db:
            rows = db.execute("SELECT at FROM attempts WHERE client = ? AND at > ? ORDER BY at",
                              (client, at - WINDOW)).fetchall()
            if len(rows) >= per_hour:
                retry = max(1, int(rows[0]["at"] + WINDOW - at) + 1)
                raise RateLimited(
                    f"at most {per_hour} submissions an hour from one address "
                    f"(setting submission_rate_limit); try again in {retry} s", retry)
            db.execute("INSERT INTO attempts (client, at) VALUES (?, ?)", (client, at))
            db.execute("DELETE FROM attempts WHERE at <= ?", (at - WINDOW,))
