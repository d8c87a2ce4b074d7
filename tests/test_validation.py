# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What a fit is given is checked before the data is read."""

import numpy as np
import pytest

from sklearn_quadneuron import QuadraticGDRegressor, _statistics
from sklearn_quadneuron._statistics import _pass


@pytest.fixture
def no_pass(monkeypatch):
    """Make any pass over the data fail loudly: validation must come first."""
    calls = []

    def forbidden(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the data was read before the inputs were checked")

    for name in ("gather", "feature_moments"):
        monkeypatch.setattr(_statistics, name, forbidden)
    monkeypatch.setattr(_pass, "accumulate", forbidden)
    monkeypatch.setattr(_statistics, "accumulate", forbidden)
    return calls


@pytest.mark.parametrize(
    "init, match",
    [
        ({"coef_init": [1.0, 2.0, 3.0]}, "coef_init has shape"),
        ({"coef_init": [np.nan, 1.0]}, "coef_init contains NaN"),
        ({"intercept_init": [1.0, 2.0]}, "intercept_init has shape"),
        ({"intercept_init": np.inf}, "intercept_init contains NaN"),
    ],
)
@pytest.mark.parametrize("precompute", [True, False])
def test_initial_values_are_checked_before_the_data_is_read(
    no_pass, init, match, precompute
):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 1)), rng.normal(size=50)
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor(precompute=precompute).fit(X, y, **init)
    assert no_pass == []


def test_warm_start_shape_is_checked_before_the_data_is_read(monkeypatch):
    rng = np.random.default_rng(0)
    model = QuadraticGDRegressor(warm_start=True).fit(
        rng.normal(size=(50, 1)), rng.normal(size=50)
    )
    calls = []
    monkeypatch.setattr(_statistics, "gather", lambda *a, **k: calls.append(a))
    with pytest.raises(ValueError, match="warm_start=True but the previous fit"):
        model.fit(rng.normal(size=(50, 2)), rng.normal(size=50))
    assert calls == []


def test_validation_split_is_checked_before_the_data_is_read(no_pass):
    X, y = np.arange(10.0)[:, None], np.arange(10.0)
    with pytest.raises(ValueError, match="validation set is too small"):
        QuadraticGDRegressor(early_stopping=True, validation_fraction=0.1).fit(X, y)
    assert no_pass == []


# -- the checks of plain input and plain parameters, made cheaper ----------------


def test_a_float_array_refit_after_a_frame_forgets_its_names():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = X[:, 0] ** 2 + X[:, 1]
    model = QuadraticGDRegressor(solver="newton-cholesky")
    model.fit(pd.DataFrame(X, columns=["a", "b"]), y)
    assert list(model.feature_names_in_) == ["a", "b"]
    model.fit(X[:, :1], y)
    assert not hasattr(model, "feature_names_in_")
    assert model.n_features_in_ == 1


def test_predict_on_float_arrays_keeps_scikit_learns_checks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    model = QuadraticGDRegressor(solver="newton-cholesky").fit(X, X[:, 0])
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.predict(bad)
    with pytest.raises(ValueError, match="X has 3 features, but"):
        model.predict(np.ones((4, 3)))
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        model.predict(np.ones((0, 2)))


def test_parameters_found_valid_once_are_still_checked_when_they_change():
    from sklearn.utils._param_validation import InvalidParameterError

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 1))
    y = X[:, 0]
    QuadraticGDRegressor(max_iter=10, tol=None).fit(X, y)
    for bad in [{"max_iter": 0}, {"max_iter": 10.0}, {"tol": float("nan")}]:
        with pytest.raises(InvalidParameterError):
            QuadraticGDRegressor(**{"max_iter": 10, "tol": None, **bad}).fit(X, y)
