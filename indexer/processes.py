"""Forked worker processes that must not outlive the process that forked them."""
from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """In a forked process, have Linux kill it (SIGKILL) when its parent `parent` dies, even by
    SIGKILL; exit at once if the parent died before the request took. Elsewhere, nothing."""
    if sys.platform != "linux":
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
