"""Helpers of the reference layer's loaders (``data/orphanet``, ``data/mondo``, ``data/hpo``,
``data/gard``); their gzip-compressed tables are read by ``loaders.table.read_table``."""

from __future__ import annotations

import hashlib


def short_digest(*parts: str) -> str:
    """Eight hex digits of the parts: tells apart nodes that share a readable key."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]
