# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What watches a fit: scikit-learn's callbacks, and verbose progress.

The bridge to scikit-learn's callback API (``sklearn.callback``, >= 1.9): the
optimizer runs its epochs first (in closed form they cost nothing); the epochs
are then replayed to the callbacks one task each, with the parameters of that
epoch, and a callback that asks to stop truncates the fit there. The callbacks
observe the result; they never re-enter the solve. :class:`Progress` prints
what a long step of a verbose fit does, and how long it took.
"""

import sys
import time

try:  # scikit-learn >= 1.9: the experimental callback API (progress, monitoring).
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn
    CallbackSupportMixin = None


def has_callbacks(estimator):
    """Whether callbacks are attached to the estimator or to a meta-estimator."""
    return CallbackSupportMixin is not None and bool(
        getattr(estimator, "_skl_callbacks", None)
        or hasattr(estimator, "_parent_callback_ctx")
    )


def _metadata(data):
    weight = None if data is None else data.sample_weight
    return None if weight is None else {"sample_weight": weight}


def _data(data):
    return (None, None) if data is None else (data.X, data.y)


def begin_fit(estimator, data):
    """The root callback context, or None without callbacks to serve."""
    if CallbackSupportMixin is None:
        return None
    context = estimator._init_callback_context(task_name="fit", max_subtasks=None)
    X, y = _data(data)
    context.call_on_fit_task_begin(
        estimator=estimator, X=X, y=y, metadata=_metadata(data)
    )
    return context


def end_fit(estimator, context, data):
    """Close the fit's task, once the estimator has recorded its attributes."""
    if context is not None:
        X, y = _data(data)
        context.call_on_fit_task_end(
            estimator=estimator, X=X, y=y, metadata=_metadata(data)
        )


def replay_epochs(estimator, context, solution, data):
    """One callback task per epoch; a callback may ask to stop early.

    Returns the solution, truncated at the epoch where a callback asked to stop.
    """
    if context is None or not getattr(context, "_callbacks", None):
        return solution
    metadata = _metadata(data)
    X, y = _data(data)
    result = solution.result

    def fitted_attributes(k):
        coef, intercept, form = solution.public(result.parameters_at(k))
        return {"coef_": coef, "intercept_": intercept, "n_iter_": k, "_form": form}

    for k in range(result.n_iter):
        epoch = context.subcontext(task_name="epoch")
        epoch.call_on_fit_task_begin(estimator=estimator, X=X, y=y, metadata=metadata)
        stop = epoch.call_on_fit_task_end(
            estimator=estimator,
            X=X,
            y=y,
            metadata=metadata,
            reconstruction_attributes=lambda k=k: fitted_attributes(k + 1),
        )
        if stop and k + 1 < result.n_iter:
            return solution.truncated(k + 1, "callback")
    return solution


class Progress:
    """Prints what a long step does and how long it took, or nothing.

    Parameters
    ----------
    enabled : bool
        The estimator's ``verbose``: without it, every call is silent.
    """

    def __init__(self, enabled):
        self.enabled = bool(enabled)
        self._start = None

    def begin(self, what):
        """Announce a step."""
        if self.enabled:
            self._start = time.perf_counter()
            print(f"{what}...")
            sys.stdout.flush()

    def end(self, what):
        """Report the step done, with its time."""
        if self.enabled:
            elapsed = time.perf_counter() - (self._start or time.perf_counter())
            print(f"{what} in {elapsed:.2f} s.")
            sys.stdout.flush()

    def note(self, what):
        """One line about the work in progress."""
        if self.enabled:
            print(what)
            sys.stdout.flush()
