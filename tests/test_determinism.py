# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Determinism: repeated fits, parallel model selection and pickling agree exactly."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic

OPTIONS = [
    pytest.param({}, id="default"),
    pytest.param(
        {"standardize": False, "learning_rate": 1e-4, "max_iter": 50, "tol": None},
        id="raw",
    ),
    pytest.param({"precompute": False, "max_iter": 300}, id="direct"),
    pytest.param({"early_stopping": True, "random_state": 3}, id="early-stopping"),
    pytest.param({"alpha": 0.1, "record_path": True}, id="penalty-path"),
]


@pytest.fixture
def data():
    rng = np.random.default_rng(7)
    X = rng.normal(loc=5.0, scale=2.0, size=(300, 2))
    y = X[:, 0] ** 2 - 3 * X[:, 1] + rng.normal(size=300)
    weights = rng.uniform(0.5, 2.0, size=300)
    return X, y, weights


def _state(model):
    return (
        np.asarray(model.coef_),
        np.asarray(model.intercept_),
        np.asarray(model.loss_curve_),
        np.asarray(model.validation_loss_curve_),
        model.n_iter_,
    )


def _assert_bit_identical(first, second):
    for a, b in zip(_state(first), _state(second)):
        # Bit-identical, NaN-safe: compare the bytes, not the values.
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()


@pytest.mark.parametrize("options", OPTIONS)
def test_two_fits_are_bit_identical(data, options):
    X, y, weights = data
    first = QuadraticGDRegressor(**options).fit(X, y, sample_weight=weights)
    second = QuadraticGDRegressor(**options).fit(X, y, sample_weight=weights)
    _assert_bit_identical(first, second)
    if options.get("record_path"):
        np.testing.assert_array_equal(first.coef_path_, second.coef_path_)


def test_refit_of_the_same_estimator_is_bit_identical(data):
    """A second fit of one object starts afresh: nothing carries over."""
    X, y, _ = data
    model = QuadraticGDRegressor()
    first = clone(model).fit(X, y)
    model.fit(X[::-1], y[::-1] + 1.0)  # some other fit first
    model.fit(X, y)
    _assert_bit_identical(first, model)


def test_fit_does_not_modify_inputs(data):
    X, y, weights = data
    copies = X.copy(), y.copy(), weights.copy()
    QuadraticGDRegressor(early_stopping=True, random_state=0).fit(
        X, y, sample_weight=weights
    )
    for original, copy in zip((X, y, weights), copies):
        np.testing.assert_array_equal(original, copy)


def test_grid_search_parallel_equals_serial(data):
    """GridSearchCV gives exactly the same scores with 2 jobs as with 1."""
    X, y, _ = data
    # tol=None runs exactly max_iter epochs and never warns, so the workers
    # (which inherit the error filter on warnings) have nothing to report.
    grid = {"alpha": [0.0, 0.1], "standardize": [True, False], "max_iter": [50]}
    results = []
    for n_jobs in (1, 2):
        search = GridSearchCV(
            QuadraticGDRegressor(tol=None),
            grid,
            cv=KFold(3, shuffle=True, random_state=0),
            n_jobs=n_jobs,
            error_score="raise",
        )
        search.fit(X, y)
        results.append(search.cv_results_)
    serial, parallel = results
    for key in ("mean_test_score", "std_test_score", "rank_test_score"):
        np.testing.assert_array_equal(serial[key], parallel[key])
    for k in range(3):
        np.testing.assert_array_equal(
            serial[f"split{k}_test_score"], parallel[f"split{k}_test_score"]
        )


@pytest.mark.parametrize("options", OPTIONS)
def test_pickle_round_trip(data, options):
    X, y, weights = data
    model = QuadraticGDRegressor(**options).fit(X, y, sample_weight=weights)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    _assert_bit_identical(model, restored)
    assert restored.equation() == model.equation()


def test_pickled_model_keeps_learning(data):
    """partial_fit after unpickling continues exactly as without pickling."""
    X, y, _ = data
    model = QuadraticGDRegressor().partial_fit(X[:150], y[:150])
    restored = pickle.loads(pickle.dumps(model))
    model.partial_fit(X[150:], y[150:])
    restored.partial_fit(X[150:], y[150:])
    _assert_bit_identical(model, restored)


def test_article_data_is_seeded():
    X1, y1 = make_quadratic(random_state=0)
    X2, y2 = make_quadratic(random_state=0)
    assert X1.tobytes() == X2.tobytes() and y1.tobytes() == y2.tobytes()
