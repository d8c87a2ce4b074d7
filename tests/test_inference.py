# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Robust covariances, diagnostics, intervals for new points and turning points.

Oracles: statsmodels' OLS and WLS fitted in the test on the expanded design
(for weights, on the rows of positive weight: a row of weight 0 takes no part
in this estimator's fits); for Fieller's interval a direct solve of its
inequality on a grid written here, and a simulation of its coverage.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sklearn_quadneuron import QuadraticGDRegressor

sm = pytest.importorskip("statsmodels.api")
stattools = pytest.importorskip("statsmodels.stats.stattools")

NEWTON = {"solver": "newton-cholesky"}
COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3")


def _design(X):
    return np.column_stack([X**2, X, np.ones(len(X))])


def _data(n=300, seed=0, weighted=False):
    # Errors whose spread grows with |x0|: the robust errors differ from the
    # plain ones.
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.normal(3.0, 2.0, n), rng.uniform(-1.0, 1.0, n)])
    noise = rng.normal(size=n) * (1.0 + np.abs(X[:, 0]))
    y = 0.7 * X[:, 0] ** 2 - 2.0 * X[:, 0] + 0.5 * X[:, 1] + noise
    w = None
    if weighted:
        w = rng.uniform(0.2, 3.0, n)
        w[:7] = 0.0
    return X, y, w


def _statsmodels(X, y, w=None, cov_type="nonrobust"):
    if w is None:
        return sm.OLS(y, _design(X)).fit(cov_type=cov_type)
    keep = w > 0
    model = sm.WLS(y[keep], _design(X[keep]), weights=w[keep])
    return model.fit(cov_type=cov_type)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("cov_type", COV_TYPES)
def test_covariances_are_statsmodels(cov_type, weighted):
    X, y, w = _data(weighted=weighted)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w)
    result = _statsmodels(X, y, w, cov_type)
    table = model.summary(0.9, cov_type, X, y, w)
    np.testing.assert_allclose(table["std_err"], result.bse, rtol=1e-8)
    np.testing.assert_allclose(table["t"], result.tvalues, rtol=1e-8)
    np.testing.assert_allclose(table["p_value"], result.pvalues, rtol=1e-7, atol=1e-14)
    np.testing.assert_allclose(table[["ci_lower", "ci_upper"]], result.conf_int(0.1))
    cov = model.cov_params(cov_type, X, y, w)
    np.testing.assert_allclose(cov.to_numpy(), result.cov_params(), rtol=1e-8)
    assert list(cov.index) == list(cov.columns) == list(table.index)
    assert table.attrs["cov_type"] == cov_type


@pytest.mark.parametrize("weighted", [False, True])
def test_diagnostics_are_statsmodels(weighted):
    X, y, w = _data(weighted=weighted)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w)
    figures = model.summary(X=X, y=y, sample_weight=w).attrs["model"].iloc[0]
    result = _statsmodels(X, y, w)
    resid = result.wresid
    omnibus, omnibus_p = stattools.omni_normtest(resid)
    jb, jb_p, skew, kurtosis = stattools.jarque_bera(resid)
    expected = {
        "omnibus": omnibus,
        "omnibus_pvalue": omnibus_p,
        "skew": skew,
        "kurtosis": kurtosis,
        "jarque_bera": jb,
        "jarque_bera_pvalue": jb_p,
        "durbin_watson": stattools.durbin_watson(resid),
        "condition_number": result.condition_number,
    }
    for name, value in expected.items():
        np.testing.assert_allclose(figures[name], value, rtol=1e-8, err_msg=name)


def test_condition_number_needs_no_data():
    X, y, _ = _data()
    figures = QuadraticGDRegressor(**NEWTON).fit(X, y).summary().attrs["model"]
    result = _statsmodels(X, y)
    np.testing.assert_allclose(figures["condition_number"], result.condition_number)
    assert "omnibus" not in figures


@pytest.mark.parametrize("weighted", [False, True])
def test_prediction_intervals_are_statsmodels(weighted):
    X, y, w = _data(weighted=weighted)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w)
    new = np.array([[0.0, 0.0], [3.0, 0.5], [8.0, -1.0], [-4.0, 2.0]])
    frame = model.get_prediction(new, confidence_level=0.8)
    expected = _statsmodels(X, y, w).get_prediction(_design(new)).summary_frame(0.2)
    assert list(frame.columns) == list(expected.columns)
    np.testing.assert_allclose(frame.to_numpy(), expected.to_numpy(), rtol=1e-8)


def test_several_targets_have_block_diagonal_covariance_and_predictions():
    X, y, _ = _data()
    Y = np.column_stack([y, -3.0 * y + X[:, 1]])
    model = QuadraticGDRegressor(**NEWTON).fit(X, Y)
    cov = model.cov_params()
    assert cov.index.names == ["target", "term"]
    frame = model.get_prediction(X[:3])
    for t in range(2):
        result = _statsmodels(X, Y[:, t])
        block = cov.loc[f"y{t}", f"y{t}"].to_numpy()
        np.testing.assert_allclose(block, result.cov_params(), rtol=1e-8)
        expected = result.get_prediction(_design(X[:3])).summary_frame(0.05)
        np.testing.assert_allclose(frame[f"y{t}"].to_numpy(), expected.to_numpy())
    assert np.all(cov.loc["y0", "y1"].to_numpy() == 0)


def test_robust_covariance_needs_the_data():
    X, y, _ = _data()
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    with pytest.raises(ValueError, match="pass the training data"):
        model.summary(cov_type="HC3")
    with pytest.raises(ValueError, match="cov_type"):
        model.summary(cov_type="HC4", X=X, y=y)


def test_data_that_is_not_the_training_data_is_refused():
    X, y, _ = _data()
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    for other in (
        (X[:-1], y[:-1]),  # a row short
        (X, y + 0.01 * np.random.default_rng(1).normal(size=len(y))),
        (X, y[::-1]),
    ):
        with pytest.raises(ValueError, match="not the data the model was fitted"):
            model.summary(cov_type="HC1", X=other[0], y=other[1])


def test_chunks_of_a_stream_passed_back_give_the_whole_data_figures():
    X, y, w = _data(weighted=True)
    stream = QuadraticGDRegressor(**NEWTON)
    for rows in np.array_split(np.arange(len(y)), 4):
        stream.partial_fit(X[rows], y[rows], sample_weight=w[rows])
    table = stream.summary(cov_type="HC2", X=X, y=y, sample_weight=w)
    result = _statsmodels(X, y, w, "HC2")
    np.testing.assert_allclose(table["std_err"], result.bse, rtol=1e-7)
    np.testing.assert_allclose(
        table.attrs["model"]["durbin_watson"].iloc[0],
        stattools.durbin_watson(result.wresid),
    )


def test_dask_data_passed_back_gives_the_same_figures():
    da = pytest.importorskip("dask.array")
    import dask

    X, y, w = _data(n=1000, weighted=True)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w)
    with dask.config.set(scheduler="synchronous"):
        table = model.summary(
            cov_type="HC3",
            X=da.from_array(X, chunks=(300, 2)),
            y=da.from_array(y, chunks=300),
            sample_weight=da.from_array(w, chunks=300),
        )
    expected = model.summary(cov_type="HC3", X=X, y=y, sample_weight=w)
    np.testing.assert_allclose(table["std_err"], expected["std_err"], rtol=1e-10)
    np.testing.assert_allclose(
        table.attrs["model"].to_numpy(float), expected.attrs["model"].to_numpy(float)
    )


def test_text_says_what_statsmodels_says():
    X, y, w = _data(weighted=True)
    model = QuadraticGDRegressor(**NEWTON).fit(X, y, sample_weight=w)
    text = model.summary_text(cov_type="HC1", X=X, y=y, sample_weight=w)
    assert "WLS" in text and "Covariance Type:" in text and "P>|z|" in text
    assert "Omnibus:" in text and "Durbin-Watson:" in text and "Cond. No." in text
    assert "heteroscedasticity robust (HC1)" in text
    assert "Turning points" in text and "minimum at x =" in text
    plain = QuadraticGDRegressor(**NEWTON).fit(X, y).summary_text()
    assert "OLS" in plain and "P>|t|" in plain and "Omnibus" not in plain
    assert "correctly specified" in plain


# -- turning points -----------------------------------------------------------------


def _fieller_by_scan(a, b, V, t, grid):
    """The x of a grid where b + 2 a x = 0 is not rejected at the level."""
    num = (b + 2 * a * grid) ** 2
    var = V[1, 1] + 4 * grid * V[0, 1] + 4 * grid**2 * V[0, 0]
    return grid[num <= t * t * var]


def test_turning_point_and_its_intervals_against_a_direct_solve():
    X, y, _ = _data()
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    points = model.turning_points(confidence_level=0.9)
    result = _statsmodels(X, y)
    a, b = result.params[0], result.params[2]
    V = result.cov_params()[np.ix_([0, 2], [0, 2])]
    row = points.loc["x0"]
    assert row["kind"] == "minimum"
    np.testing.assert_allclose(row["x"], -b / (2 * a), rtol=1e-10)
    gradient = np.array([b / (2 * a * a), -1 / (2 * a)])
    np.testing.assert_allclose(row["std_err"], np.sqrt(gradient @ V @ gradient))
    # The model at the vertex, the other feature at its mean.
    at = np.array([[row["x"], X[:, 1].mean()]])
    np.testing.assert_allclose(row["y"], model.predict(at)[0], rtol=1e-10)
    t = stats.t.ppf(0.95, result.df_resid)
    inside = _fieller_by_scan(a, b, V, t, np.linspace(-10, 10, 400_001))
    np.testing.assert_allclose(
        [row["ci_lower"], row["ci_upper"]], [inside.min(), inside.max()], atol=1e-4
    )


def test_a_flat_parabola_has_an_unbounded_fieller_set_with_a_note():
    # x1 enters linearly: its square is not significantly non-zero.
    X, y, _ = _data()
    points = QuadraticGDRegressor(**NEWTON).fit(X, y).turning_points()
    row = points.loc["x1"]
    assert row["ci_lower"] == -np.inf and row["ci_upper"] == np.inf
    assert any(
        note.startswith("x1: a is not significantly") for note in points.attrs["notes"]
    )


def test_a_maximum_and_a_feature_without_curvature():
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.normal(size=200), rng.choice([0.0, 1.0], 200)])
    y = -2 * (X[:, 0] - 0.5) ** 2 + X[:, 1] + rng.normal(0, 0.1, 200)
    # The square of a two-valued feature is the feature again: it has no
    # column (as a constant feature has none), silently, and no curvature.
    model = QuadraticGDRegressor(**NEWTON).fit(X, y)
    points = model.turning_points()
    assert points.loc["x0", "kind"] == "maximum"
    assert abs(points.loc["x0", "x"] - 0.5) < 0.05
    assert points.loc["x1", "kind"] == "none" and np.isnan(points.loc["x1", "x"])
    # The model at the vertex, x1 (whose square is aliased) at its mean.
    at = np.array([[points.loc["x0", "x"], X[:, 1].mean()]])
    np.testing.assert_allclose(points.loc["x0", "y"], model.predict(at)[0])


def test_fieller_interval_covers_the_vertex_at_its_level():
    # 400 data sets from a parabola with its vertex at 1.5: the 90% interval
    # holds it in 90% of them, within three binomial standard errors.
    rng = np.random.default_rng(11)
    x = np.linspace(-2.0, 4.0, 40)[:, None]
    covered, draws, level = 0, 400, 0.9
    for _ in range(draws):
        y = 0.5 * (x[:, 0] - 1.5) ** 2 + rng.normal(0, 1.0, 40)
        row = QuadraticGDRegressor(**NEWTON).fit(x, y).turning_points(level).iloc[0]
        covered += row["ci_lower"] <= 1.5 <= row["ci_upper"]
    spread = np.sqrt(level * (1 - level) / draws)
    assert abs(covered / draws - level) < 3 * spread


def test_turning_points_of_several_targets():
    X, y, _ = _data()
    Y = np.column_stack([y, -y])
    points = QuadraticGDRegressor(**NEWTON).fit(X, Y).turning_points()
    assert points.index.names == ["target", "feature"]
    assert points.loc[("y0", "x0"), "kind"] == "minimum"
    assert points.loc[("y1", "x0"), "kind"] == "maximum"
    np.testing.assert_allclose(
        points.loc[("y0", "x0"), "x"], points.loc[("y1", "x0"), "x"]
    )
    assert isinstance(points, pd.DataFrame)
