"""What a child process of the server gives up before it runs anyone's query or write: the
network, memory past a limit, and its life once its parent is gone.

The query check (``kg/sparql_tokens.py``) refuses ``SERVICE`` and ``LOAD`` before the engine sees
them; this is the second wall behind it.  ``isolate_network`` moves the process into a network
namespace of its own that has no interfaces up, so Oxigraph's own HTTP client (Rust code, out of
reach of Python's audit hooks) cannot connect anywhere, not even to loopback.  It needs Linux and
either ``CAP_SYS_ADMIN`` or unprivileged user namespaces; where neither is available it says so and
the service logs it (``/health`` reports ``network_isolated``).  ``die_with_parent`` asks the kernel
to kill the process when the worker that started it dies, so no query runs on without its time
limit.  ``limit_memory`` caps the address space, so a runaway query or document fails on its own.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import resource
import signal

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(text)


def isolate_network() -> bool:
    """Move this process into a new, empty network namespace; returns whether it worked.  Call it
    while the process has one thread (before opening a store)."""
    libc = _libc()
    if libc is None:
        return False
    if libc.unshare(CLONE_NEWNET) == 0:
        return True
    if ctypes.get_errno() not in (errno.EPERM, errno.EACCES):
        return False
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        return False
    try:  # keep the same user and group inside, so that the store's files stay readable
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError:
        return False
    return True


def network_blocked() -> bool:
    """Whether this process cannot reach the loopback interface (for tests and ``/health``)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        try:
            probe.connect(("127.0.0.1", 9))
        except OSError as exc:
            return exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EPERM, errno.EACCES)
    return False


def die_with_parent(parent: int) -> None:
    """Be killed (SIGKILL) when the process ``parent`` dies; exit now if it already has."""
    libc = _libc()
    if libc is not None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def limit_memory(max_bytes: int) -> None:
    """Cap this process's address space at ``max_bytes`` (0: no cap)."""
    if max_bytes > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = max_bytes if hard == resource.RLIM_INFINITY else min(max_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def confine(parent: int, *, network: bool, max_bytes: int) -> bool:
    """All three for a child process; returns whether the network is cut off (``False`` when
    ``network`` is kept on purpose or isolation is not possible here)."""
    die_with_parent(parent)
    isolated = False if network else isolate_network()
    limit_memory(max_bytes)
    return isolated
