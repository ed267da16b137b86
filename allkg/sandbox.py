"""Processes that cannot reach the network, and a time limit that really stops the work.

Why: Oxigraph (and rdflib's engine) answer a ``SERVICE <url>`` clause by opening a
connection to ``url``. The query checks of :mod:`allkg.protocol` refuse SERVICE by
what the parsed query contains; this module makes a parser gap harmless. A process
calls :func:`forbid_network` once, before it runs any query: a seccomp filter then
makes every ``socket()`` call for anything but a local (``AF_UNIX``) socket fail with
``EPERM``, and ``io_uring`` (which can open sockets without that call) unavailable.
The filter holds for every thread of the process, those started later included,
and can never be lifted (``PR_SET_NO_NEW_PRIVS``). It needs no privilege, so it works
for users who are not root and inside containers; it is written for Linux on x86_64
and aarch64, where :func:`forbid_network` returns True. Elsewhere it returns False and
the server says so on start.

:func:`run_isolated` runs a function in a forked child that forbids itself the
network, and kills the child (SIGKILL) when a time limit passes: what the API and
the command line use for query text a person supplied.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import platform
import signal
import struct
import time

# seccomp and BPF constants from the Linux UAPI headers (linux/seccomp.h, linux/filter.h, linux/audit.h)
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 1, 1
SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO, SECCOMP_RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x06
EPERM, AF_UNIX = 1, 1
# Per architecture: the audit arch value, and the numbers of seccomp(), socket(), socketcall-free io_uring_setup()
ARCHITECTURES = {
    "x86_64": {"audit": 0xC000003E, "seccomp": 317, "socket": 41, "io_uring_setup": 425, "x32": True},
    "aarch64": {"audit": 0xC00000B7, "seccomp": 277, "socket": 198, "io_uring_setup": 425, "x32": False},
}
ARCHITECTURES["amd64"], ARCHITECTURES["arm64"] = ARCHITECTURES["x86_64"], ARCHITECTURES["aarch64"]

_forbidden = False


class IsolationError(RuntimeError):
    """The isolated child could not run (it died, or the network could not be forbidden where it must be)."""


class TimeLimit(RuntimeError):
    """The work ran past its time limit; its process was killed."""


def _filter(arch: dict) -> bytes:
    """Return the BPF program: allow everything but socket() for non-local families and io_uring_setup()."""

    def op(code, jt, jf, k):
        return struct.pack("HBBI", code, jt, jf, k)

    deny, kill, allow = SECCOMP_RET_ERRNO | EPERM, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ALLOW
    program = [
        op(BPF_LD_W_ABS, 0, 0, 4),                       # A = seccomp_data.arch
        op(BPF_JEQ_K, 1, 0, arch["audit"]),              # another ABI (e.g. 32-bit calls): its numbers differ
        op(BPF_RET_K, 0, 0, kill),
        op(BPF_LD_W_ABS, 0, 0, 0),                       # A = seccomp_data.nr
    ]
    if arch["x32"]:  # x32 system calls share the x86_64 audit arch with bit 30 set in the number
        program += [op(BPF_JGE_K, 0, 1, 0x40000000), op(BPF_RET_K, 0, 0, kill)]
    program += [
        op(BPF_JEQ_K, 0, 1, arch["io_uring_setup"]),
        op(BPF_RET_K, 0, 0, deny),
        op(BPF_JEQ_K, 1, 0, arch["socket"]),
        op(BPF_RET_K, 0, 0, allow),
        op(BPF_LD_W_ABS, 0, 0, 16),                      # A = low half of args[0], the address family
        op(BPF_JEQ_K, 0, 1, AF_UNIX),
        op(BPF_RET_K, 0, 0, allow),
        op(BPF_RET_K, 0, 0, deny),
    ]
    return b"".join(program)


def forbid_network() -> bool:
    """Make this process (every thread, now and later) unable to open a network socket; return True if done.

    Idempotent. Returns False where it cannot be done (not Linux on x86_64 or aarch64, or a kernel without
    seccomp filters); it raises nothing, so the caller decides whether to go on without it.
    """
    global _forbidden
    if _forbidden:
        return True
    arch = ARCHITECTURES.get(platform.machine().lower()) if platform.system() == "Linux" else None
    if arch is None:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    code = _filter(arch)
    buffer = ctypes.create_string_buffer(code, len(code))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    program = SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    # seccomp() with TSYNC puts the filter on every thread of the process; prctl() only on the calling one
    done = libc.syscall(arch["seccomp"], SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(program)) == 0
    if not done and threads() == 1:
        done = libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) == 0
    _forbidden = done and _network_is_closed()
    return _forbidden


def threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return 1


def _network_is_closed() -> bool:
    import socket

    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.socket(family, socket.SOCK_STREAM).close()
        except PermissionError:
            continue
        except OSError:  # e.g. no IPv6 in this kernel: not open either
            continue
        return False
    return True


def network_forbidden() -> bool:
    """Whether :func:`forbid_network` took effect in this process."""
    return _forbidden


# ------------------------------------------------------------------------------------------ isolated runs


def _child(connection, function, arguments, network: bool, strict: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        if not network and not forbid_network() and strict:
            connection.send(("error", IsolationError("this platform cannot cut a process off from the network "
                                                     "(Linux on x86_64 or aarch64 only), so this query is not run")))
            return
        outcome = ("ok", function(*arguments))
    except BaseException as error:  # noqa: BLE001 - the parent re-raises it; a traceback object cannot be sent
        outcome = ("error", error)
    try:
        connection.send(outcome)
    except Exception as error:  # noqa: BLE001 - an answer or error that cannot be pickled (or unpickled: checked below)
        connection.send(("error", IsolationError(f"{type(outcome[1]).__name__}: {outcome[1]}" if outcome[0] == "error" else
                                                 f"the answer could not be sent back: {type(error).__name__}: {error}")))


def run_isolated(function, *arguments, timeout: float | None, network: bool = False, strict: bool = True):
    """Return ``function(*arguments)`` computed in a forked child without network access (unless ``network``).

    The child is killed when ``timeout`` seconds pass (None: no limit) and :class:`TimeLimit` is raised; an
    exception raised in the child is raised here. Where the network cannot be forbidden, ``strict`` raises
    :class:`IsolationError`; otherwise the function runs anyway. Fork, not spawn: the child starts with this
    process's memory (a loaded graph included) at once, and only runs ``function``.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, function, arguments, network, strict), daemon=True, name="allkg-isolated")
    started = time.monotonic()
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise TimeLimit(f"the query ran past the time limit of {timeout:g} s and was stopped")
        try:
            status, value = receiver.recv()
        except (TypeError, AttributeError) as error:  # an exception type whose arguments do not survive pickling
            status, value = "error", IsolationError(f"the query failed, and its error could not be read back ({error})")
        except EOFError:
            raise IsolationError(f"the query's process ended without an answer (exit code {process.exitcode}) "
                                 f"after {time.monotonic() - started:.1f} s; did it need more memory than the machine has?") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if status == "error":
        raise value
    return value
