# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The stages of a fit before the descent: where it starts, and what it gathers.

Each takes the estimator for its parameters (and, for Dask input, records the
features it was given, as ``validate_data`` does for in-memory input); the
estimator chains them: starting point -> statistics -> solve -> record.
"""

from ._messages import counted
from ._observations import Observations
from ._progress import Progress
from ._solvers import SOLVERS
from ._statistics import gather_fit_statistics, gather_more
from ._validation import (
    InitialValues,
    check_history,
    check_start,
    holds_out,
    record_features,
    split_seed,
)


def starting_point(estimator, coef_init, intercept_init):
    """What the descent starts from: initial values, a warm start, or zeros."""
    if coef_init is not None or intercept_init is not None:
        return InitialValues(coef_init, intercept_init)
    if estimator.warm_start and hasattr(estimator, "_form"):
        return estimator._form
    return None


def gather_in_memory(estimator, data, precompute):
    """One pass over in-memory data: what the engine ``precompute`` picks needs."""
    if not SOLVERS[estimator.solver].epochs and precompute == "auto":
        # A one-step solve is on the statistics: it needs them.
        precompute = True
    progress = Progress(estimator.verbose)
    n_samples, n_features = data.X.shape
    progress.begin(
        "Reading the data once: "
        f"{counted(n_samples, 'sample')}, {counted(n_features, 'feature')}"
    )
    statistics = gather_fit_statistics(
        data, precompute, type(estimator).__name__, estimator.tol
    )
    statistics.observations = _observations(data)
    if statistics.engine == "statistics":
        progress.end("Gathered the statistics every epoch runs on")
    else:
        progress.end("Gathered the moments of each feature; epochs read the data")
    return statistics


def gather_chunk(estimator, data):
    """The statistics of the data seen so far and one more chunk (partial_fit).

    After a fit that kept no statistics (the direct engine), the chunk starts
    a new stream.
    """
    previous = getattr(estimator, "_stats", None)
    statistics = gather_more(previous, data, estimator.tol)
    tally = _observations(data)
    if previous is not None:
        tally = tally.merge(getattr(estimator, "_observations", None))
    statistics.observations = tally
    return statistics


def _observations(data):
    return Observations.of(data.sample_weight, data.X.shape[0], data.mask)


def gather_dask(estimator, X, y, sample_weight, start):
    """Validate Dask input lazily, check the start, and reduce statistics."""
    from ._dask import dask_statistics, validate_dask_input

    data = validate_dask_input(X, y, sample_weight, type(estimator).__name__)
    check_history(
        estimator.max_iter,
        data.n_features,
        data.n_targets,
        holds_out(estimator),
        estimator.record_path,
    )
    record_features(estimator, data.n_features, data.feature_names)
    start = check_start(start, data.n_features, data.n_targets)
    split = None
    if holds_out(estimator):
        split = (split_seed(estimator.random_state), estimator.validation_fraction)
    return dask_statistics(data, split, estimator.tol), start
