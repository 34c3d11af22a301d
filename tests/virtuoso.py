"""A private Virtuoso 7.2 instance on loopback for the remote-backend tests (RECIPES.md): its own
database folder, its own ports, stopped by its process id."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

SYSTEM_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
BINARY = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"


def available() -> bool:
    return SYSTEM_INI.is_file() and Path(BINARY).is_file()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _configure(text: str, folder: Path, sql_port: int, http_port: int) -> str:
    values = {
        "Database": {
            "DatabaseFile": folder / "virtuoso.db",
            "ErrorLogFile": folder / "virtuoso.log",
            "LockFile": folder / "virtuoso.lck",
            "TransactionFile": folder / "virtuoso.trx",
            "xa_persistent_file": folder / "virtuoso.pxa",
        },
        "TempDatabase": {
            "DatabaseFile": folder / "virtuoso-temp.db",
            "TransactionFile": folder / "virtuoso-temp.trx",
        },
        "Parameters": {
            "ServerPort": f"127.0.0.1:{sql_port}",
            "DirsAllowed": f"., /usr/share/virtuoso-opensource-7/vad, {folder}",
            "NumberOfBuffers": "170000",
            "MaxDirtyBuffers": "130000",
        },
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
        "SPARQL": {
            "ResultSetMaxRows": "1000000",
            "MaxQueryExecutionTime": "120",
            "MaxQueryCostEstimationTime": "0",
        },
    }
    out, section = [], ""
    for line in text.splitlines():
        m = re.match(r"\s*\[(\w+)\]", line)
        if m:
            section = m.group(1)
        key = (
            line.split("=", 1)[0].strip()
            if "=" in line and not line.lstrip().startswith(";")
            else ""
        )
        if section in values and key in values[section]:
            line = f"{key} = {values[section].pop(key)}"
        out.append(line)
    return "\n".join(out) + "\n"


class Virtuoso:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.sql_port = _free_port()
        self.http_port = _free_port()
        self.ini = folder / "virtuoso.ini"
        self.ini.write_text(
            _configure(
                SYSTEM_INI.read_text(encoding="utf-8"), folder, self.sql_port, self.http_port
            ),
            encoding="utf-8",
        )
        self.base = f"http://127.0.0.1:{self.http_port}"
        self.query_url = self.base + "/sparql"
        self.update_url = self.base + "/sparql-auth"
        self.store_url = self.base + "/sparql-graph-crud-auth"
        self.user, self.password = "dba", "dba"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: Any = None

    def start(self, timeout: float = 120) -> None:
        self._log = (self.folder / "stdout.log").open("wb")
        self.proc = subprocess.Popen(
            [BINARY, "+configfile", str(self.ini), "+foreground"],
            cwd=self.folder,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("virtuoso exited:\n" + self.log_text())
            try:
                with urllib.request.urlopen(self.query_url + "?query=ASK%7B%7D", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("virtuoso did not answer in time:\n" + self.log_text())

    def log_text(self) -> str:
        parts = []
        for name in ("stdout.log", "virtuoso.log"):
            path = self.folder / name
            if path.exists():
                parts.append(path.read_text(errors="replace")[-3000:])
        return "\n".join(parts)

    def stop(self) -> None:
        """Stop the instance started here, by its process id (never by name)."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if self._log is not None:
            self._log.close()
            self._log = None
