"""Progress of long work (``rarekg build``): a bar on a terminal, plain log lines otherwise.

A build reports each phase it completes (each source with its triple count, validation, the
dataset description, the search index, the swap) as one message, and the start of a slow phase as
a message ending in ``...``.  :class:`Progress` takes those
messages: on a terminal it advances a `tqdm <https://tqdm.github.io/>`_ bar and prints each message
above it; when standard error is a file or a pipe (CI, logs, ``make`` output captured) it writes
each message as a plain line with the time it took since the start, so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

from tqdm import tqdm


class Progress:
    """A callable log for ``build_graph``: each call is one completed phase of ``total``."""

    def __init__(self, total: int, *, stream: TextIO | None = None, label: str = "build",
                 bar: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.label = label
        self.started = time.perf_counter()
        self.done = 0
        use_bar = bar if bar is not None else _is_terminal(self.stream)
        self._bar: tqdm[None] | None = (
            tqdm(total=total, desc=label, unit="phase", file=self.stream, leave=False,
                 dynamic_ncols=True)
            if use_bar else None
        )

    def __call__(self, message: str) -> None:
        if message.endswith("..."):  # a slow phase starts: say so, without a step
            if self._bar is not None:
                self._bar.set_postfix_str(message[:40])
            else:
                elapsed = time.perf_counter() - self.started
                print(f"[{self.label} {self.done}/{self.total} {elapsed:6.1f} s] {message}",
                      file=self.stream, flush=True)
            return
        self.done += 1
        if self._bar is not None:
            self._bar.write(message, file=self.stream)
            self._bar.set_postfix_str(message.split(":")[0][:40], refresh=False)
            self._bar.update(1)
        else:
            elapsed = time.perf_counter() - self.started
            print(f"[{self.label} {min(self.done, self.total)}/{self.total} {elapsed:6.1f} s] "
                  f"{message}", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
