# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The stages of a fit before the descent: where it starts, and what it gathers.

Each takes the estimator for its parameters (and, for Dask input, records the
features it was given, as ``validate_data`` does for in-memory input); the
estimator chains them: starting point -> statistics -> solve -> record.
"""

from ._progress import Progress
from ._statistics import gather_fit_statistics
from ._validation import (
    InitialValues,
    check_history,
    check_start,
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
    progress = Progress(estimator.verbose)
    n_samples, n_features = data.X.shape
    progress.begin(f"Reading the data once: {n_samples} samples, {n_features} features")
    statistics = gather_fit_statistics(
        data, precompute, estimator.max_iter, type(estimator).__name__
    )
    if statistics.engine == "statistics":
        progress.end("Gathered the statistics every epoch runs on")
    else:
        progress.end("Gathered the moments of each feature; epochs read the data")
    return statistics


def gather_dask(estimator, X, y, sample_weight, start):
    """Validate Dask input lazily, check the start, and reduce statistics."""
    from ._dask import dask_statistics, validate_dask_input

    data = validate_dask_input(X, y, sample_weight, type(estimator).__name__)
    check_history(
        estimator.max_iter,
        data.n_features,
        data.n_targets,
        estimator.early_stopping,
        estimator.record_path,
    )
    record_features(estimator, data.n_features, data.feature_names)
    start = check_start(start, data.n_features, data.n_targets)
    split = None
    if estimator.early_stopping:
        split = (split_seed(estimator.random_state), estimator.validation_fraction)
    return dask_statistics(data, split), start
