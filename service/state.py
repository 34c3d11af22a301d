"""What every blueprint may ask of the app: its store handle and its writer process (a leaf module:
it imports no blueprint)."""

from __future__ import annotations

from flask import Flask

from kg.store.backend import RemoteHandle
from kg.store.embedded import StoreHandle
from kg.store.writer import WriterProcess


def writer_process(app: Flask) -> WriterProcess:
    """The process that applies this server process's writes (started on the first write)."""
    process = app.extensions["rarekg_writer"]
    assert isinstance(process, WriterProcess)
    return process


def store_handle(app: Flask) -> StoreHandle | RemoteHandle:
    """This process's handle on the store: ``get()`` gives ``(store, version)``, where the store
    is the embedded Oxigraph store or a ``RemoteStore`` with the same query interface."""
    handle = app.extensions["rarekg_store"]
    assert isinstance(handle, StoreHandle | RemoteHandle)
    return handle
