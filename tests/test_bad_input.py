# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Bad input raises ValueError or TypeError naming the argument at fault.

And a failed fit leaves a previously fitted model exactly as it was.
"""

import numpy as np
import pytest

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic


@pytest.fixture
def data():
    return make_quadratic(40, noise=0.5, random_state=0)


def _with(array, index, value):
    array = np.array(array, dtype=float)
    array[index] = value
    return array


# -- the data ------------------------------------------------------------------


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_X(data, value):
    X, y = data
    with pytest.raises(ValueError, match=r"Input X contains (NaN|infinity)"):
        QuadraticGDRegressor().fit(_with(X, (3, 0), value), y)


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_y(data, value):
    X, y = data
    with pytest.raises(ValueError, match=r"Input y contains (NaN|infinity)"):
        QuadraticGDRegressor().fit(X, _with(y, 5, value))


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_infinities_of_both_signs_give_the_error_alone(data, method):
    # scikit-learn's check sums the values first, and inf - inf warns: the
    # data is known not to be finite there, so only its error is given
    # (warnings are errors in this suite).
    X, y = data
    X = _with(_with(X, (3, 0), np.inf), (7, 0), -np.inf)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        getattr(QuadraticGDRegressor(), method)(X, y)
    with pytest.raises(ValueError, match="Input y contains infinity"):
        getattr(QuadraticGDRegressor(), method)(
            data[0], _with(_with(y, 1, np.inf), 2, -np.inf)
        )


def test_mismatched_lengths(data):
    X, y = data
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        QuadraticGDRegressor().fit(X, y[:-1])


def test_strings_in_X(data):
    X, y = data
    X = X.astype(object)
    X[0, 0] = "ten"
    with pytest.raises(ValueError, match="could not convert string to float"):
        QuadraticGDRegressor().fit(X, y)


def test_strings_in_y(data):
    X, y = data
    with pytest.raises(ValueError, match="could not convert string to float"):
        QuadraticGDRegressor().fit(X, np.array(["a"] * len(y), dtype=object))


@pytest.mark.parametrize(
    "X, y, match",
    [
        (np.empty((0, 1)), np.empty(0), "0 sample"),
        (np.empty((5, 0)), np.zeros(5), "0 feature"),
    ],
)
def test_empty_arrays(X, y, match):
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor().fit(X, y)


def test_one_dimensional_X(data):
    X, y = data
    with pytest.raises(ValueError, match="Reshape your data"):
        QuadraticGDRegressor().fit(X[:, 0], y)


def test_wrong_number_of_features_at_predict(data):
    X, y = data
    model = QuadraticGDRegressor().fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features.*expecting 1 features"):
        model.predict(np.hstack([X, X]))


def test_non_finite_X_at_predict(data):
    X, y = data
    model = QuadraticGDRegressor().fit(X, y)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        model.predict(_with(X, (0, 0), np.nan))


def test_predict_before_fit(data):
    X, _ = data
    with pytest.raises(ValueError, match="not fitted yet"):
        QuadraticGDRegressor().predict(X)


# -- sample_weight ---------------------------------------------------------------


def test_negative_sample_weight(data):
    X, y = data
    weights = np.ones(len(y))
    weights[2] = -1.0
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        QuadraticGDRegressor().fit(X, y, sample_weight=weights)


def test_all_zero_sample_weight(data):
    X, y = data
    with pytest.raises(ValueError, match="[Ss]ample weights"):
        QuadraticGDRegressor().fit(X, y, sample_weight=np.zeros(len(y)))


def test_sample_weight_wrong_length(data):
    X, y = data
    with pytest.raises(ValueError, match=r"sample_weight.shape"):
        QuadraticGDRegressor().fit(X, y, sample_weight=np.ones(len(y) + 1))


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_sample_weight(data, value):
    X, y = data
    with pytest.raises(ValueError, match="sample_weight"):
        QuadraticGDRegressor().fit(X, y, sample_weight=_with(np.ones(len(y)), 0, value))


@pytest.mark.parametrize("solver", ["gd", "newton-cholesky"])
@pytest.mark.parametrize(
    "weights", [(1e-320,), (1e-300,), (1e200,), (1.7e308,), (1.0, 1e308)]
)
def test_sample_weight_beyond_float64s_sums(data, solver, weights):
    # Subnormal weights, weights whose products with the data overflow, and
    # ratios float64 cannot add: a ValueError naming sample_weight and what to
    # do, never a RuntimeWarning or LinAlgError from inside the fit. The same
    # through partial_fit.
    X, y = data
    w = np.resize(np.array(weights), len(y))
    match = r"sample_weight holds weights from .* divide them by their largest"
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor(solver=solver).fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor(solver=solver).partial_fit(X, y, sample_weight=w)


@pytest.mark.parametrize(
    "weights", [(1e-100,), (1e100,), (1e-100, 1e100), (1e-100, 1.0)]
)
def test_sample_weight_at_the_ends_of_its_range(data, weights):
    # Weights at the ends of the range fit as numpy's weighted least squares
    # (on the weights divided by the largest, which does not change the fit),
    # in one fit, through partial_fit in chunks, and by gradient descent.
    X, y = data
    w = np.resize(np.array(weights), len(y))
    root = np.sqrt(w / w.max())
    Z = np.column_stack([X[:, 0] ** 2, X[:, 0], np.ones(len(y))])
    exact = np.linalg.lstsq(Z * root[:, None], y * root, rcond=None)[0]
    stream = QuadraticGDRegressor(solver="newton-cholesky")
    for rows in np.array_split(np.arange(len(y)), 4):
        stream.partial_fit(X[rows], y[rows], sample_weight=w[rows])
    models = [
        QuadraticGDRegressor(solver="newton-cholesky").fit(X, y, sample_weight=w),
        QuadraticGDRegressor(tol=1e-12, max_iter=100_000).fit(X, y, sample_weight=w),
        stream,
    ]
    for model in models:
        fitted = np.append(model.coef_, model.intercept_)
        np.testing.assert_allclose(fitted, exact, rtol=1e-9, atol=1e-9)


# -- coef_init / intercept_init ----------------------------------------------------


@pytest.mark.parametrize("coef_init", [[1.0], [1.0, 2.0, 3.0], [[1.0, 2.0]] * 2])
def test_coef_init_wrong_shape(data, coef_init):
    X, y = data
    with pytest.raises(ValueError, match="coef_init has shape"):
        QuadraticGDRegressor().fit(X, y, coef_init=coef_init)


def test_intercept_init_wrong_shape(data):
    X, y = data
    with pytest.raises(ValueError, match="intercept_init has shape"):
        QuadraticGDRegressor().fit(X, y, intercept_init=[1.0, 2.0])


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_inits(data, value):
    X, y = data
    with pytest.raises(ValueError, match="coef_init contains NaN or infinity"):
        QuadraticGDRegressor().fit(X, y, coef_init=[value, 1.0])
    with pytest.raises(ValueError, match="intercept_init contains NaN or infinity"):
        QuadraticGDRegressor().fit(X, y, intercept_init=value)


def test_string_init(data):
    X, y = data
    with pytest.raises(ValueError, match="could not convert string to float"):
        QuadraticGDRegressor().fit(X, y, coef_init=["a", "b"])


# -- constructor parameters: every one, negative, wrong type, bad string ---------

BAD_PARAMETERS = [
    ("learning_rate", 0),
    ("learning_rate", -0.1),
    ("learning_rate", "fast"),
    ("learning_rate", [0.1]),
    ("max_iter", 0),
    ("max_iter", -5),
    ("max_iter", 10.5),
    ("max_iter", "100"),
    ("tol", -1e-3),
    ("tol", "small"),
    ("n_iter_no_change", 0),
    ("n_iter_no_change", -1),
    ("n_iter_no_change", 2.5),
    ("alpha", -1.0),
    ("alpha", "none"),
    ("standardize", "yes"),
    ("standardize", 1.5),
    ("early_stopping", "yes"),
    ("validation_fraction", 0.0),
    ("validation_fraction", 1.0),
    ("validation_fraction", -0.1),
    ("validation_fraction", "tenth"),
    ("random_state", "seed"),
    ("random_state", -1),
    ("warm_start", "yes"),
    ("verbose", -1),
    ("verbose", "loud"),
    ("record_path", "yes"),
    ("precompute", "statistics"),
    ("precompute", 1),
    ("solver", "sgd"),
    ("solver", "direct"),
    ("solver", 1),
    ("momentum", 1.0),
    ("momentum", -0.1),
    ("momentum", "high"),
    ("beta_1", 1.0),
    ("beta_1", -0.5),
    ("beta_2", 1.0),
    ("beta_2", "slow"),
    ("epsilon", 0.0),
    ("epsilon", -1e-8),
    ("batch_size", 0),
    ("batch_size", 2.5),
    ("batch_size", "auto"),
    ("shuffle", "yes"),
]


@pytest.mark.parametrize("name, value", BAD_PARAMETERS)
def test_invalid_parameter(data, name, value):
    """scikit-learn's InvalidParameterError is both a ValueError and a TypeError."""
    X, y = data
    with pytest.raises((ValueError, TypeError), match=f"The '{name}' parameter"):
        QuadraticGDRegressor(**{name: value}).fit(X, y)


def test_every_parameter_is_checked():
    """The table above leaves no constructor parameter out."""
    checked = {name for name, _ in BAD_PARAMETERS}
    assert checked == set(QuadraticGDRegressor().get_params())


def test_validation_split_too_small():
    X, y = make_quadratic(5, random_state=0)
    with pytest.raises(ValueError, match="validation_fraction"):
        QuadraticGDRegressor(early_stopping=True, validation_fraction=0.1).fit(X, y)


# -- a failed fit leaves the previous model unchanged ------------------------------


def _snapshot(model, X):
    return (
        np.array(model.coef_, copy=True),
        model.intercept_,
        list(model.loss_curve_),
        model.n_iter_,
        model.predict(X),
    )


FAILING_FITS = [
    pytest.param(lambda X, y: (_with(X, (0, 0), np.nan), y, {}), id="nan-X"),
    pytest.param(lambda X, y: (X, _with(y, 0, np.inf), {}), id="inf-y"),
    pytest.param(lambda X, y: (X, y[:-1], {}), id="lengths"),
    pytest.param(lambda X, y: (np.hstack([X, X]), y, {"coef_init": [1.0]}), id="init"),
    pytest.param(
        lambda X, y: (X, y, {"sample_weight": np.zeros(len(y))}), id="zero-weights"
    ),
    pytest.param(
        lambda X, y: (X, y, {"intercept_init": np.nan}), id="nan-intercept-init"
    ),
]


@pytest.mark.parametrize("make_bad_fit", FAILING_FITS)
def test_failed_fit_keeps_previous_model(data, make_bad_fit):
    X, y = data
    model = QuadraticGDRegressor(max_iter=200).fit(X, y)
    before = _snapshot(model, X)
    bad_X, bad_y, fit_params = make_bad_fit(X, y)
    with pytest.raises(ValueError):
        model.fit(bad_X, bad_y, **fit_params)
    after = _snapshot(model, X)
    np.testing.assert_array_equal(after[0], before[0])
    assert after[1] == before[1]
    assert after[2] == before[2]
    assert after[3] == before[3]
    np.testing.assert_array_equal(after[4], before[4])
    assert model.n_features_in_ == X.shape[1]


def test_diverged_fit_keeps_previous_model(data):
    X, y = data
    model = QuadraticGDRegressor(standardize=False).fit(X, y)
    before = _snapshot(model, X)
    model.set_params(learning_rate=1e3)
    with pytest.raises(ValueError, match="learning_rate"):
        model.fit(X, y)
    after = _snapshot(model, X)
    np.testing.assert_array_equal(after[0], before[0])
    assert after[1:4] == before[1:4]
    np.testing.assert_array_equal(after[4], before[4])


def test_failed_partial_fit_keeps_previous_model(data):
    X, y = data
    model = QuadraticGDRegressor().partial_fit(X, y)
    before = _snapshot(model, X)
    with pytest.raises(ValueError, match="X has 2 features"):
        model.partial_fit(np.hstack([X, X]), y)
    with pytest.raises(ValueError, match="Input y contains NaN"):
        model.partial_fit(X, _with(y, 0, np.nan))
    after = _snapshot(model, X)
    np.testing.assert_array_equal(after[0], before[0])
    assert after[1:4] == before[1:4]
    np.testing.assert_array_equal(after[4], before[4])
