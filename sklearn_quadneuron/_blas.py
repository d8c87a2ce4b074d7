# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""One BLAS thread for a while, shared by concurrent users.

The statistics pass runs its lanes on threads of its own, and the
eigendecomposition of a large Hessian runs faster on one thread on a busy
machine: OpenBLAS's threads wait for each other by spinning.
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
