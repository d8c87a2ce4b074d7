# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""solver="newton-cholesky": one step to the least-squares (or ridge) minimum.

Oracles: scikit-learn's LinearRegression and numpy's lstsq / pinv on the
expanded [X**2, X] (centred, as LinearRegression centres), Ridge on the
standardized columns of tests/_oracles.py, and polynomials fitted on data
centred in the test.
"""

import numpy as np
import pytest
from _oracles import standardized_columns
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, Ridge

from sklearn_quadneuron import CollinearityWarning, QuadraticGDRegressor

NEWTON = {"solver": "newton-cholesky"}


def _expanded(X):
    return np.hstack([X**2, X])


def _lstsq(X, y, sample_weight=None):
    """Minimum-norm weighted least squares on [X**2, X, 1], in X's units.

    Solved in the variables ``t = (X - m) / s`` (``[t**2, t, 1]`` spans the same
    space, far better conditioned), with the columns centred as
    LinearRegression centres them, then mapped back to X's units.
    """
    m = X.mean(axis=0)
    s = X.std(axis=0)
    s = np.where(s > 0, s, 1.0)
    Z = _expanded((X - m) / s)
    w = np.ones(len(Z)) if sample_weight is None else sample_weight
    z_mean, y_mean = w @ Z / w.sum(), w @ y / w.sum()
    root = np.sqrt(w)[:, None]
    Yc = (y - y_mean).reshape(len(Z), -1)
    coef = np.linalg.lstsq((Z - z_mean) * root, Yc * root, rcond=None)[0]
    intercept = y_mean - z_mean @ coef
    p = X.shape[1]
    A, B = coef[:p] / s[:, None] ** 2, coef[p:] / s[:, None]
    # A t**2 + B t with t = x - m: A x**2 + (B - 2 A m) x + A m**2 - B m.
    raw = np.vstack([A, B - 2 * A * m[:, None]])
    intercept = intercept + (A * m[:, None] ** 2 - B * m[:, None]).sum(axis=0)
    return raw.T.reshape(np.shape(y)[1:] + (2 * p,)), intercept.reshape(np.shape(y)[1:])


def _r2(y, y_pred, sample_weight=None):
    w = np.ones(len(y)) if sample_weight is None else sample_weight
    y = y.reshape(len(y), -1)
    y_pred = y_pred.reshape(len(y), -1)
    mean = w @ y / w.sum()
    return 1 - (w @ (y - y_pred) ** 2) / (w @ (y - mean) ** 2)


BUNDLED = {
    "diabetes": datasets.load_diabetes,
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "linnerud": datasets.load_linnerud,
}


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_data_reaches_least_squares(name):
    X, y = BUNDLED[name](return_X_y=True)
    y = y.astype(float)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)  # warnings are errors
    coef, intercept = _lstsq(X, y)
    oracle = _expanded(X) @ np.transpose(coef) + intercept
    np.testing.assert_allclose(_r2(y, model.predict(X)), _r2(y, oracle), atol=1e-8)
    assert model.n_iter_ == 1
    assert model.stop_reason_ == "tol"
    assert len(model.loss_curve_) == 2
    # The loss after the step is the mean squared error of least squares,
    # summed over targets.
    residual = (y - oracle).reshape(len(y), -1)
    np.testing.assert_allclose(
        model.loss_curve_[1], np.sum(np.mean(residual**2, axis=0)), rtol=1e-8
    )


def test_loss_before_the_step_is_that_of_the_start():
    X, y = datasets.load_diabetes(return_X_y=True)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    np.testing.assert_allclose(model.loss_curve_[0], np.mean(y**2), rtol=1e-12)
    coef_init = np.full(2 * X.shape[1], 3.0)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y, coef_init=coef_init)
    start = _expanded(X) @ coef_init
    # (The start is mapped to the standardized basis and back, as for every
    # solver, at a cost of about 1e-7 of the loss on this data.)
    np.testing.assert_allclose(
        model.loss_curve_[0], np.mean((y - start) ** 2), rtol=1e-6
    )


def test_identifiable_coefficients_equal_least_squares():
    X, y = datasets.load_wine(return_X_y=True)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y.astype(float))
    coef, intercept = _lstsq(X, y.astype(float))
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-7)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-7)


def test_diabetes_equals_linear_regression():
    # On diabetes's small, centred columns LinearRegression's lstsq on the raw
    # [X**2, X] is accurate too; "sex" takes two values, so its square is
    # collinear with it and with 1: LinearRegression splits their effect,
    # the standardized basis leaves the square out, same predictions.
    X, y = datasets.load_diabetes(return_X_y=True)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    oracle = LinearRegression().fit(_expanded(X), y)
    np.testing.assert_allclose(
        model.predict(X), oracle.predict(_expanded(X)), rtol=1e-9
    )
    np.testing.assert_allclose(model.score(X, y), oracle.score(_expanded(X), y))


def _noisy(n=400, p=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = 1.0 + X**2 @ rng.normal(size=p) + X @ rng.normal(size=p)
    return X, y + rng.normal(scale=0.3, size=n)


def test_duplicate_column_is_aliased_with_a_warning():
    X, y = _noisy()
    X = np.hstack([X, X[:, :1]])
    with pytest.warns(CollinearityWarning) as record:
        model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    message = str(record[0].message)
    # The later copy and its square are aliased (R's lm), not the first.
    assert "x3^2, x3 are aliased" in message
    assert "x0" not in message and "intercept" not in message
    # Least squares without the aliased terms, which get 0.
    coef, intercept = _lstsq(X[:, :3], y)
    np.testing.assert_allclose(model.coef_[[0, 1, 2, 4, 5, 6]], coef, rtol=1e-8)
    assert model.coef_[3] == 0 and model.coef_[7] == 0
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-8)


def test_constant_column_gets_zero_silently():
    X, y = _noisy()
    X = np.hstack([X, np.full((len(X), 1), 7.0)])
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    coef, intercept = _lstsq(X, y)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-8)
    assert model.coef_[3] == 0 and model.coef_[7] == 0


def test_two_valued_feature_square_is_left_out():
    # x in {0, 1}: x**2 == x, so the square adds nothing. The basis leaves it
    # out (coefficient 0); lstsq splits the effect between the two, with the
    # same predictions.
    X, y = _noisy()
    X[:, 2] = (X[:, 2] > 0).astype(float)
    y = y + 4.0 * X[:, 2]
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    coef, intercept = _lstsq(X, y)
    assert model.coef_[2] == 0
    np.testing.assert_allclose(model.coef_[5], coef[2] + coef[5], rtol=1e-8)
    oracle = _expanded(X) @ coef + intercept
    np.testing.assert_allclose(model.predict(X), oracle, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("eleventh", ["skewed", "two-valued"])
def test_many_features_with_a_constant_one_equal_lstsq(eleventh):
    # 260 features and a constant one: one pass keeps its Gram, and the
    # standardized factor is Cholesky's of the mapped Gram, whose rows of the
    # constant feature are exactly zero. A two-valued feature makes the pass's
    # design singular (its square is affine in it): the rows are read again,
    # and its square is left out. Same predictions as least squares, which
    # splits the square's effect among the collinear columns; the weights
    # make the rows uneven.
    rng = np.random.default_rng(4)
    n, p = 2000, 260
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, p) + rng.normal(size=p)
    X[:, 7] = 3.5
    if eleventh == "skewed":
        X[:, 11] = rng.exponential(size=n)
    else:
        X[:, 11] = (X[:, 11] > 0).astype(float)
    y = 1.0 + X**2 @ rng.normal(size=p) / p + X @ rng.normal(size=p)
    y += 4.0 * X[:, 11] + rng.normal(scale=0.3, size=n)
    w = rng.uniform(0.5, 2.0, size=n)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w)
    assert model.coef_[7] == 0 and model.coef_[p + 7] == 0
    assert (model.coef_[11] == 0) == (eleventh == "two-valued")
    coef, intercept = _lstsq(X, y, w)
    oracle = _expanded(X) @ coef + intercept
    np.testing.assert_allclose(model.predict(X), oracle, rtol=1e-9, atol=1e-9)


def test_linear_combination_of_features_warns_and_predicts_as_lstsq():
    X, y = _noisy()
    X = np.hstack([X, X[:, :1] + X[:, 1:2]])
    # x3 = x0 + x1 is aliased; its square (with the cross term 2 x0 x1) is not.
    with pytest.warns(CollinearityWarning, match=r"The terms x3 are aliased"):
        model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    coef, intercept = _lstsq(X, y)
    oracle = _expanded(X) @ coef + intercept
    np.testing.assert_allclose(model.predict(X), oracle, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("offset, scale", [(1e6, 1.0), (0.0, 1e-3), (1e6, 1e-3)])
def test_ill_conditioned_raw_design(offset, scale):
    rng = np.random.default_rng(1)
    t = rng.normal(size=(500, 2))
    y = 3.0 + t**2 @ [2.0, -1.0] + t @ [0.5, 1.5] + rng.normal(0, 0.1, 500)
    X = offset + scale * t
    if offset / scale >= 1e6:
        # Coefficients in X's units are terms of size offset**2 that cancel in
        # each prediction: stored in float64, they cannot hold the fit to tol,
        # and the fit says so; predict() evaluates the centered form.
        with pytest.warns(ConvergenceWarning, match=r"which holds it"):
            model = QuadraticGDRegressor(**NEWTON).fit(X, y)
        assert model.stop_reason_ == "stalled"
    else:
        model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    # The oracle fits in the centred, scaled variable t, where lstsq is exact,
    # and predicts there; t as X holds it (X - offset is exact).
    t = (X - offset) / scale
    coef, intercept = _lstsq(t, y)
    np.testing.assert_allclose(
        model.predict(X), _expanded(t) @ coef + intercept, rtol=1e-9
    )
    # The curvature in X's units is that in t's over scale**2.
    np.testing.assert_allclose(model.coef_[:2], coef[:2] / scale**2, rtol=1e-7)


@pytest.mark.parametrize("alpha", [0.1, 1e9])
def test_penalty_is_ridge_on_the_standardized_columns(alpha):
    X, y = _noisy(p=2)
    w = np.random.default_rng(3).uniform(0.5, 2.0, len(y))
    model = QuadraticGDRegressor(alpha=alpha, **NEWTON).fit(X, y, sample_weight=w)
    S = standardized_columns(X, w)[:, :-1]
    # alpha * ||coef||^2 on the weighted mean: Ridge's alpha on the weighted sum.
    oracle = Ridge(alpha=alpha * w.sum()).fit(S, y, sample_weight=w)
    np.testing.assert_allclose(model.predict(X), oracle.predict(S), rtol=1e-9)


def test_raw_penalty_is_ridge_on_the_raw_columns():
    X, y = _noisy(p=2)
    model = QuadraticGDRegressor(alpha=0.5, standardize=False, **NEWTON).fit(X, y)
    oracle = Ridge(alpha=0.5 * len(y)).fit(_expanded(X), y)
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, rtol=1e-9)


def test_raw_descent_basis_reaches_least_squares():
    X, y = _noisy()
    X = X + 50.0
    model = QuadraticGDRegressor(standardize=False, **NEWTON).fit(X, y)
    coef, intercept = _lstsq(X, y)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-7)
    assert model.stop_reason_ == "tol"


def test_zero_weights_and_far_outliers():
    X, y = _noisy()
    w = np.ones(len(y))
    w[:10] = 0.0
    X[:5] = 1e150
    y[5:10] = -1e200
    model = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w)
    coef, intercept = _lstsq(X[10:], y[10:])
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-9)


def test_weights_are_weighted_least_squares():
    X, y = _noisy()
    w = np.random.default_rng(2).uniform(0, 3, len(y))
    model = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w)
    coef, intercept = _lstsq(X, y, w)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-9)


def test_multi_output():
    X, Y = datasets.load_linnerud(return_X_y=True)
    model = QuadraticGDRegressor(**NEWTON).fit(X, Y)
    coef, intercept = _lstsq(X, Y)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-7)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-8)


def test_partial_fit_over_chunks_equals_least_squares():
    X, y = _noisy(n=1000)
    model = QuadraticGDRegressor(**NEWTON)
    for chunk in np.array_split(np.arange(len(y)), 7):
        model.partial_fit(X[chunk], y[chunk])
    coef, intercept = _lstsq(X, y)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-9)
    assert model.n_iter_ == 1


def test_dask_input_equals_least_squares():
    da = pytest.importorskip("dask.array")
    import dask

    X, y = _noisy(n=1000)
    with dask.config.set(scheduler="synchronous"):
        model = QuadraticGDRegressor(**NEWTON).fit(
            da.from_array(X, chunks=(300, 3)), da.from_array(y, chunks=300)
        )
    coef, intercept = _lstsq(X, y)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-9)


def test_precompute_false_is_refused():
    X, y = _noisy()
    model = QuadraticGDRegressor(precompute=False, **NEWTON)
    with pytest.raises(ValueError, match="precompute=False"):
        model.fit(X, y)


def test_parameters_of_epochs_are_ignored():
    X, y = _noisy()
    plain = QuadraticGDRegressor(**NEWTON).fit(X, y)
    other = QuadraticGDRegressor(
        batch_size=10,
        early_stopping=True,
        learning_rate=1e3,
        momentum=0.5,
        max_iter=1,
        **NEWTON,
    ).fit(X, y)
    np.testing.assert_array_equal(plain.coef_, other.coef_)
    assert other.validation_loss_curve_ == []


def test_record_path_holds_the_start_and_the_solution():
    X, y = _noisy()
    model = QuadraticGDRegressor(record_path=True, **NEWTON).fit(X, y)
    assert model.coef_path_.shape == (2, 6)
    np.testing.assert_array_equal(model.coef_path_[0], 0.0)
    np.testing.assert_array_equal(model.coef_path_[1], model.coef_)
    assert len(model.get_history()) == 2


def test_uncertified_solve_warns(monkeypatch):
    # Rounding that left the solve 1e-3 off (in the standardized basis, on
    # the worst conditioned data one could build): the certificate must see it.
    from sklearn_quadneuron._objective import GramObjective

    solve = GramObjective.minimizer
    monkeypatch.setattr(GramObjective, "minimizer", lambda self: solve(self) + 1e-3)
    X, y = _noisy()
    with pytest.warns(ConvergenceWarning, match="newton-cholesky") as record:
        model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    assert model.stop_reason_ == "stalled"
    # The excess the warning reports is that of the loss it recorded over
    # least squares's.
    coef, intercept = _lstsq(X, y)
    excess = model.loss_curve_[1] - np.mean((y - _expanded(X) @ coef - intercept) ** 2)
    reported = float(str(record[0].message).split("may be ")[1].split(" above")[0])
    np.testing.assert_allclose(reported, excess, rtol=1e-2)


def test_the_certificate_holds_the_solve_to_tol(monkeypatch):
    # A solve left off by a known excess (measured against least squares):
    # certified with tol ten times that excess, refused with a tenth of it.
    from sklearn_quadneuron._objective import GramObjective

    solve = GramObjective.minimizer
    monkeypatch.setattr(GramObjective, "minimizer", lambda self: solve(self) + 1e-3)
    X, y = _noisy()
    coef, intercept = _lstsq(X, y)
    minimum = np.mean((y - _expanded(X) @ coef - intercept) ** 2)
    off = QuadraticGDRegressor(tol=None, **NEWTON).fit(X, y)
    excess = (off.loss_curve_[1] - minimum) / minimum
    assert 1e-7 < excess < 0.1
    model = QuadraticGDRegressor(tol=10 * excess, **NEWTON).fit(X, y)
    assert model.stop_reason_ == "tol"
    with pytest.warns(ConvergenceWarning, match="newton-cholesky"):
        model = QuadraticGDRegressor(tol=excess / 10, **NEWTON).fit(X, y)
    assert model.stop_reason_ == "stalled"


def test_tol_none_never_warns(monkeypatch):
    from sklearn_quadneuron._objective import GramObjective

    solve = GramObjective.minimizer
    monkeypatch.setattr(GramObjective, "minimizer", lambda self: solve(self) + 1e-3)
    X, y = _noisy()
    model = QuadraticGDRegressor(tol=None, **NEWTON).fit(X, y)
    assert model.stop_reason_ == "stalled"
