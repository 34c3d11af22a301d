"""What a loader does with a bad record: stop (raise the ``LoadError``) or skip it and count it.

Every upstream loader takes ``on_error="stop"`` (the default) or ``on_error="skip"`` and,
optionally, a ``Skipped`` that the caller keeps to read afterwards how many records were skipped and
why::

    skipped = Skipped()
    quads = list(fda.load(path, source=doc, on_error="skip", skipped=skipped))
    skipped.count, skipped.errors[0].record, skipped.errors[0].field
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Literal, TypeVar

from pyoxigraph import Quad

from kg.errors import LoadError
from kg.rdf import QuadWriter

OnError = Literal["stop", "skip"]
ON_ERROR: tuple[OnError, ...] = ("stop", "skip")
T = TypeVar("T")


class Skipped:
    """The records a loader skipped, each as the ``LoadError`` that names file, record and field."""

    def __init__(self) -> None:
        self.errors: list[LoadError] = []

    @property
    def count(self) -> int:
        return len(self.errors)

    def __repr__(self) -> str:
        return f"Skipped(count={self.count})"


class ErrorPolicy:
    """Stop at the first bad record, or skip bad records and count them in ``skipped``.

    Raises ``ValueError`` for an ``on_error`` other than ``"stop"`` or ``"skip"``."""

    def __init__(self, on_error: str = "stop", skipped: Skipped | None = None) -> None:
        if on_error not in ON_ERROR:
            raise ValueError(f"on_error must be 'stop' or 'skip', not {on_error!r}")
        self.on_error = on_error
        self.skipped = skipped if skipped is not None else Skipped()

    def failed(self, error: LoadError) -> None:
        """Raises ``error`` when stopping; otherwise counts it."""
        if self.on_error == "stop":
            raise error
        self.skipped.errors.append(error)

    def emit(
        self, out: QuadWriter, records: Iterable[T], build: Callable[[T], None]
    ) -> Iterator[Quad]:
        """For each record, ``build`` adds its triples to ``out``; the triples of a record that
        raises ``LoadError`` are dropped whole (or the error is raised, when stopping)."""
        for record in records:
            try:
                build(record)
            except LoadError as exc:
                out.discard()
                self.failed(exc)
                continue
            yield from out.drain()
