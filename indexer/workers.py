"""Worker processes that never outlive the run that started them.

A full build indexes in forked worker processes. A fork inherits every open
descriptor, the writer lock's among them, and an flock is released only when the last
descriptor of it closes: a worker that outlived a ``kill -9`` of its parent (the OOM
killer and cron wrappers kill the parent only) would hold the lock for ever, and every
later run would exit 3. So each worker, as it starts:

1. closes its copy of the lock descriptor, so the lock lives and dies with the parent;
2. asks the kernel to kill it when the parent dies (``PR_SET_PDEATHSIG`` via
   ``prctl``, Linux), and checks the parent did not die before that took effect;
3. watches the parent's pid from a daemon thread, the portable fallback: when it
   changes (the worker was re-parented), the worker exits at once.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_SECONDS = 0.5


def start_worker(lock_fd: int | None, parent: int) -> None:
    """``ProcessPoolExecutor`` initializer: see the module docstring."""
    if lock_fd is not None:
        with contextlib.suppress(OSError):  # not inherited (a spawned worker)
            os.close(lock_fd)
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; False where the
    platform has no ``prctl`` (the parent-pid watch still covers it)."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)
