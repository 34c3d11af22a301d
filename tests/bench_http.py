"""Throughput of an HTTP endpoint for the benchmarks: ``clients`` keep-alive connections asking a
list of paths in turn for some seconds; requests per second and median latency.

With ``wrk`` on the PATH (``apt-get install wrk``) the requests come from it, a C client that costs
the two-core machines here little CPU of their own; otherwise from Python threads (which take
about a third of a core per thousand requests a second from the servers they measure, so the
figures are lower bounds).  Not collected by pytest (no ``test_`` name).
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

_LUA = """
local paths = %s
local headers = %s
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%.3f %%d\\n", summary.requests, summary.duration,
           latency:percentile(50) / 1000, summary.errors.status))
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string


def _wrk(base: str, paths: list[str], headers: dict[str, str], clients: int,
         seconds: float) -> tuple[float, float]:
    lua_paths = "{" + ",".join(_lua_string(p) for p in paths) + "}"
    lua_headers = "{" + ",".join(f"[{_lua_string(k)}]={_lua_string(v)}"
                                 for k, v in headers.items()) + "}"
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(_LUA % (lua_paths, lua_headers))
        script = f.name
    try:
        out = subprocess.run(
            ["wrk", f"-t{min(clients, 2)}", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s",
             "-s", script, base],
            check=True, capture_output=True, text=True, timeout=seconds + 120).stdout
    finally:
        Path(script).unlink()
    found = re.search(r"RESULT (\d+) (\d+) ([\d.]+) (\d+)", out)
    assert found, out
    requests, micros, median_ms, bad = found.groups()
    assert int(bad) == 0, f"{bad} answers were errors (4xx/5xx): {out}"
    return int(requests) / (int(micros) / 1e6), float(median_ms)


def _python(base: str, paths: list[str], headers: dict[str, str], clients: int,
            seconds: float) -> tuple[float, float]:
    parsed = urllib.parse.urlsplit(base)
    counter = itertools.count()
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=60)
        mine: list[float] = []
        while time.perf_counter() < stop:
            path = paths[next(counter) % len(paths)]
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, (response.status, path)
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    begun = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies) / (time.perf_counter() - begun), statistics.median(latencies) * 1000


def client_name() -> str:
    return "wrk" if shutil.which("wrk") else "Python threads"


def _all_ok(base: str, paths: list[str], headers: dict[str, str]) -> None:
    """Each path answers 200 itself (not a redirect, which wrk would count as a success)."""
    parsed = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=120)
    for path in paths[:20]:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        assert response.status == 200, (response.status, path)
    conn.close()


def throughput(base: str, paths: list[str], headers: dict[str, str], clients: int,
               seconds: float) -> tuple[float, float]:
    """(requests per second, median latency in ms) of ``clients`` connections asking ``paths``
    of ``base`` in turn for ``seconds``; every answer must be 200."""
    _all_ok(base, paths, headers)
    if shutil.which("wrk"):
        return _wrk(base, paths, headers, clients, seconds)
    return _python(base, paths, headers, clients, seconds)
