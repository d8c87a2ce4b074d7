# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""One BLAS thread for a while, shared by concurrent users.

The statistics pass runs its lanes on threads of its own, and the
eigendecomposition of a large Hessian runs faster on one thread on a busy
machine: OpenBLAS's threads wait for each other by spinning. One long call
that BLAS's threads share well may take them back meanwhile
(:func:`blas_own_threads`).
"""

import threading
from contextlib import contextmanager

_blas_lock = threading.Lock()
_blas_state = {"users": 0, "saved": None, "libraries": None}


@contextmanager
def one_blas_thread():
    """BLAS on one thread meanwhile.

    Two BLAS threads per lane of a pass (each lane is a thread already) would
    oversubscribe the cores, and OpenBLAS's threads wait for each other by
    spinning. Concurrent users share one limit: the first sets it, the last
    restores BLAS's own setting.
    """
    with _blas_lock:
        state = _blas_state
        if state["users"] == 0:
            if state["libraries"] is None:
                from threadpoolctl import ThreadpoolController

                controller = ThreadpoolController().select(user_api="blas")
                state["libraries"] = controller.lib_controllers
            # Each library's own setting, then one thread: two calls into each
            # (threadpoolctl's limit() also reads every library's description,
            # three times as long, and a fit sets the limit a few times).
            state["saved"] = [(lib, lib.num_threads) for lib in state["libraries"]]
            for lib, _ in state["saved"]:
                lib.set_num_threads(1)
        state["users"] += 1
    try:
        yield
    finally:
        with _blas_lock:
            state["users"] -= 1
            if state["users"] == 0:
                for lib, threads in state["saved"]:
                    lib.set_num_threads(threads)
                state["saved"] = None


@contextmanager
def blas_own_threads():
    """BLAS's own setting meanwhile, even inside :func:`one_blas_thread`.

    For one call of O(p^3) work that BLAS's threads share well (the reduction
    of a large Hessian to tridiagonal form: 1.6 to 2 times faster on two
    threads at 2001 and 4001 columns), where waking them costs little next to
    the call. Outside a limit, nothing changes.
    """
    with _blas_lock:
        saved = _blas_state["saved"]
        for lib, threads in saved or ():
            lib.set_num_threads(threads)
    try:
        yield
    finally:
        with _blas_lock:
            # The limit may have ended meanwhile: then BLAS keeps its own.
            for lib, _ in _blas_state["saved"] or ():
                lib.set_num_threads(1)
