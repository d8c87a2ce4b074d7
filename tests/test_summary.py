# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""summary(): statsmodels' OLS and WLS on [X**2, X, 1], from the statistics.

Oracle: statsmodels (the tests extra), fitted in the test on the expanded
design; for weights, WLS on the rows of positive weight (a row of weight 0
takes no part in this estimator's fits, nor in its count of observations).
"""

import numpy as np
import pandas as pd
import pytest
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron._summary import format_summary

sm = pytest.importorskip("statsmodels.api")

NEWTON = {"solver": "newton-cholesky"}
MODEL = ("rsquared", "rsquared_adj", "fvalue", "llf", "aic", "bic")


def _design(X):
    return np.column_stack([X**2, X, np.ones(len(X))])


def _statsmodels(X, y, sample_weight=None):
    if sample_weight is None:
        return sm.OLS(y, _design(X)).fit()
    keep = sample_weight > 0
    return sm.WLS(y[keep], _design(X[keep]), weights=sample_weight[keep]).fit()


def _assert_matches(table, model, result, level=0.95):
    np.testing.assert_allclose(table["coef"], result.params, rtol=1e-6)
    np.testing.assert_allclose(table["std_err"], result.bse, rtol=1e-6)
    np.testing.assert_allclose(table["t"], result.tvalues, rtol=1e-6)
    np.testing.assert_allclose(table["p_value"], result.pvalues, atol=1e-4, rtol=1e-4)
    ci = result.conf_int(alpha=1 - level)
    np.testing.assert_allclose(table["ci_lower"], ci[:, 0], rtol=1e-6)
    np.testing.assert_allclose(table["ci_upper"], ci[:, 1], rtol=1e-6)
    for name in MODEL:
        np.testing.assert_allclose(model[name], getattr(result, name), rtol=1e-6)
    np.testing.assert_allclose(model["f_pvalue"], result.f_pvalue, atol=1e-4)
    for name in ("nobs", "df_model", "df_resid"):
        assert model[name] == getattr(result, name)


def _diabetes():
    # "sex" takes two values: its square is collinear with it (see the
    # refusals below); the other columns are measured.
    X, y = datasets.load_diabetes(return_X_y=True)
    return np.delete(X, 1, axis=1), y


def _synthetic(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=[3.0, -50.0], scale=[2.0, 0.5], size=(n, 2))
    y = 1 + 0.3 * X[:, 0] ** 2 - X[:, 1] + rng.normal(scale=2.0, size=n)
    return X, y


DATA = {"diabetes": _diabetes, "synthetic": _synthetic}


@pytest.mark.parametrize("name", sorted(DATA))
@pytest.mark.parametrize("level", [0.95, 0.8])
def test_ols(name, level):
    X, y = DATA[name]()
    table = QuadraticGDRegressor(**NEWTON).fit(X, y).summary(level)
    _assert_matches(table, table.attrs["model"].iloc[0], _statsmodels(X, y), level)
    assert table.attrs["confidence_level"] == level


@pytest.mark.parametrize("name", sorted(DATA))
def test_wls_with_zero_weights(name):
    X, y = DATA[name]()
    w = np.random.default_rng(1).uniform(0.2, 3.0, len(y))
    w[::7] = 0.0
    table = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w).summary()
    model = table.attrs["model"].iloc[0]
    _assert_matches(table, model, _statsmodels(X, y, w))
    # statsmodels counts the rows of weight 0 as observations: its WLS on all
    # rows has more residual degrees of freedom and a log-likelihood of -inf.
    assert model["df_resid"] == len(y) - np.count_nonzero(w == 0) - X.shape[1] * 2 - 1


def test_weights_are_scale_free():
    X, y = _synthetic()
    w = np.random.default_rng(2).uniform(0.2, 3.0, len(y))
    one = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w).summary()
    ten = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=10 * w).summary()
    pd.testing.assert_frame_equal(one, ten, rtol=1e-9)


def test_standard_errors_survive_offsets_and_scales():
    rng = np.random.default_rng(3)
    t = rng.normal(size=(400, 2))
    y = 2 + t**2 @ [1.0, 0.5] + t @ [1.0, -1.0] + rng.normal(size=400)
    X = 1e4 + 1e-3 * t
    # 1e7 spreads from 0: coef_ in X's units cannot hold the fit to tol.
    with pytest.warns(ConvergenceWarning, match="which holds it"):
        model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    table = model.summary()
    # The oracle fits in the well-conditioned t = (X - 1e4) / 1e-3 (exact for
    # X as held) and maps the squares' coefficients: a_X = a_t / scale**2.
    result = _statsmodels((X - 1e4) / 1e-3, y)
    np.testing.assert_allclose(table["t"].iloc[:2], result.tvalues[:2], rtol=1e-6)
    np.testing.assert_allclose(
        table["std_err"].iloc[:2], result.bse[:2] / 1e-6, rtol=1e-6
    )
    np.testing.assert_allclose(
        table.attrs["model"]["rsquared"], result.rsquared, rtol=1e-9
    )


def test_multi_output_blocks():
    X, Y = datasets.load_linnerud(return_X_y=True)
    X = X + np.arange(3)  # linnerud has no two-valued column: any shift will do
    table = QuadraticGDRegressor(**NEWTON).fit(X, Y).summary()
    assert table.index.names == ["target", "term"]
    for t, target in enumerate(["y0", "y1", "y2"]):
        _assert_matches(
            table.loc[target],
            table.attrs["model"].loc[target],
            _statsmodels(X, Y[:, t]),
        )


def test_chunked_partial_fit_equals_whole():
    X, y = _synthetic(n=1000)
    w = np.random.default_rng(4).uniform(0, 2, len(y))
    w[:40] = 0
    model = QuadraticGDRegressor(**NEWTON)
    for chunk in np.array_split(np.arange(len(y)), 6):
        model.partial_fit(X[chunk], y[chunk], sample_weight=w[chunk])
    table = model.summary()
    _assert_matches(table, table.attrs["model"].iloc[0], _statsmodels(X, y, w))


@pytest.mark.parametrize("weighted", [False, True])
def test_dask_input_equals_whole(weighted):
    da = pytest.importorskip("dask.array")
    import dask

    X, y = _synthetic(n=1000)
    w = np.random.default_rng(5).uniform(0, 2, len(y)) if weighted else None
    if weighted:
        w[5:30] = 0
    with dask.config.set(scheduler="synchronous"):
        model = QuadraticGDRegressor(**NEWTON).fit(
            da.from_array(X, chunks=(250, 2)),
            da.from_array(y, chunks=250),
            sample_weight=None if w is None else da.from_array(w, chunks=250),
        )
    table = model.summary()
    _assert_matches(table, table.attrs["model"].iloc[0], _statsmodels(X, y, w))


def test_gradient_descent_fit_gives_the_same_table():
    X, y = _synthetic()
    table = QuadraticGDRegressor(tol=1e-12, max_iter=100_000).fit(X, y).summary()
    _assert_matches(table, table.attrs["model"].iloc[0], _statsmodels(X, y))


def test_names_index_the_table():
    X, y = _synthetic()
    frame = pd.DataFrame(X, columns=["intercept", "x^2"])
    table = QuadraticGDRegressor(**NEWTON).fit(frame, y).summary()
    assert list(table.index) == [
        "(intercept)^2",
        "(x^2)^2",
        "(intercept)",
        "(x^2)",
        "intercept",
    ]


def test_text_reads_like_statsmodels():
    X, y = _synthetic()
    text = QuadraticGDRegressor(**NEWTON).fit(X, y).summary_text()
    result = _statsmodels(X, y)
    assert "R-squared:" in text and "Df Residuals:" in text
    assert f"{result.rsquared:.3f}" in text
    assert "x0^2" in text and "intercept" in text


def test_refuses_before_fit():
    with pytest.raises(NotFittedError):
        QuadraticGDRegressor().summary()


def test_reads_the_penalty_the_model_was_fitted_with():
    X, y = _synthetic()
    penalised = QuadraticGDRegressor(alpha=10.0, **NEWTON).fit(X, y)
    penalised.set_params(alpha=0.0)
    with pytest.raises(ValueError, match="fitted with alpha=10.0"):
        penalised.summary()
    plain = QuadraticGDRegressor(**NEWTON).fit(X, y)
    plain.set_params(alpha=5.0)
    table = plain.summary()
    np.testing.assert_allclose(table["coef"].iloc[:-1], plain.coef_, rtol=1e-9)


def test_refuses_a_penalised_fit():
    X, y = _synthetic()
    model = QuadraticGDRegressor(alpha=0.1, **NEWTON).fit(X, y)
    with pytest.raises(ValueError, match="alpha=0.1"):
        model.summary()


def test_refuses_an_unconverged_fit():
    X, y = _synthetic()
    model = QuadraticGDRegressor(max_iter=3, tol=None).fit(X, y)
    with pytest.raises(ValueError, match="stop_reason_='max_iter'.*standard errors"):
        model.summary()


def test_refuses_without_residual_degrees_of_freedom():
    X, y = _synthetic(n=5)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    with pytest.raises(ValueError, match="5 observations .* 5 identifiable parameters"):
        model.summary()


def _assert_aliased(table, aliased, X, y, keep):
    """Aliased rows are NaN; the others are OLS on the design without them."""
    assert table.attrs["aliased"] == aliased
    assert table.loc[aliased].isna().all().all()
    kept = table.drop(index=aliased)
    result = sm.OLS(y, _design(X)[:, keep]).fit()
    np.testing.assert_allclose(kept["coef"], result.params, rtol=1e-6)
    np.testing.assert_allclose(kept["std_err"], result.bse, rtol=1e-6)
    np.testing.assert_allclose(kept["p_value"], result.pvalues, atol=1e-4, rtol=1e-4)
    model = table.attrs["model"].iloc[0]
    for name in MODEL:
        np.testing.assert_allclose(model[name], getattr(result, name), rtol=1e-6)
    assert model["df_resid"] == result.df_resid


def test_two_valued_feature_square_is_aliased_in_the_table():
    # "sex" takes two values: its square is affine in it, as R's lm finds.
    X, y = datasets.load_diabetes(return_X_y=True, as_frame=True)
    table = QuadraticGDRegressor(**NEWTON).fit(X, y).summary()
    keep = np.ones(2 * X.shape[1] + 1, bool)
    keep[1] = False
    _assert_aliased(table, ["sex^2"], X.to_numpy(), y.to_numpy(), keep)
    assert "1 not defined because of singularities" in format_summary(table)


def test_duplicated_feature_is_aliased_in_the_table():
    X, y = _synthetic()
    X = np.hstack([X, X[:, :1]])
    with pytest.warns(UserWarning, match="x2\\^2, x2 are aliased"):
        model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    keep = np.array([True, True, False, True, True, False, True])
    _assert_aliased(model.summary(), ["x2^2", "x2"], X, y, keep)


def test_refuses_without_statistics():
    X, y = _synthetic()
    model = QuadraticGDRegressor(precompute=False, max_iter=5000).fit(X, y)
    with pytest.raises(ValueError, match="precompute=False"):
        model.summary()


@pytest.mark.parametrize("level", [0, 1, 1.5, "high"])
def test_bad_confidence_level(level):
    X, y = _synthetic()
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    with pytest.raises(ValueError, match="confidence_level"):
        model.summary(level)


def test_pickled_model_keeps_its_summary():
    import pickle

    X, y = _synthetic()
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    again = pickle.loads(pickle.dumps(model))
    pd.testing.assert_frame_equal(model.summary(), again.summary())
