# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""QuadraticGDRegressor as a practitioner uses it, against independent oracles."""

import pickle
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_quadneuron import DivergenceError, QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic


def least_squares(X, Y, sample_weight=None):
    """LinearRegression on the expanded features [X**2, X]: the exact minimiser."""
    lr = LinearRegression().fit(np.hstack([X**2, X]), Y, sample_weight=sample_weight)
    return lr.coef_, lr.intercept_


@pytest.fixture
def frame():
    rng = np.random.default_rng(11)
    df = pd.DataFrame(
        {
            "temperature": rng.normal(20, 5, 300),
            "pressure": rng.normal(1000, 30, 300),
        }
    )
    y = (
        0.3 * df.temperature**2
        - 2 * df.temperature
        + 0.01 * (df.pressure - 1000) ** 2
        + 5
        + rng.normal(0, 0.5, 300)
    )
    return df, y.rename("yield")


def test_several_features_equal_least_squares(frame):
    X, y = frame
    model = QuadraticGDRegressor(tol=1e-10).fit(X, y)
    coef, intercept = least_squares(X.to_numpy(), y.to_numpy())
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-6)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-6)
    assert model.n_features_in_ == 2
    assert list(model.feature_names_in_) == ["temperature", "pressure"]


def test_term_names_equation_and_polynomials(frame):
    X, y = frame
    model = QuadraticGDRegressor().fit(X, y)
    names = list(model.get_term_names())
    assert names == ["temperature^2", "pressure^2", "temperature", "pressure"]
    equation = model.equation(precision=3)
    assert equation.startswith("y = ")
    for name in names:
        assert f"*{name}" in equation
    polys = model.to_polynomials()
    total = sum(P(X[col].to_numpy()) for P, col in zip(polys, X.columns))
    np.testing.assert_allclose(total, model.predict(X), rtol=1e-9)
    # One feature: the polynomial is the whole model, lowest power first.
    x = X[["temperature"]]
    one = QuadraticGDRegressor().fit(x, y)
    (P,) = one.to_polynomials()
    np.testing.assert_allclose(P.coef, [one.intercept_, one.coef_[1], one.coef_[0]])


def test_equation_parses_back_to_the_model(article_data):
    X, y = article_data
    model = QuadraticGDRegressor().fit(X, y)
    numbers = [float(v) for v in re.findall(r"-?[\d.]+(?=\*|$)", model.equation())]
    np.testing.assert_allclose(numbers, [10, 5, 12], rtol=1e-5)


def test_pipeline_grid_search_and_cross_validation_on_a_dataframe(frame):
    X, y = frame
    pipe = make_pipeline(StandardScaler(), QuadraticGDRegressor())
    grid = GridSearchCV(
        pipe,
        {"quadraticgdregressor__learning_rate": [0.01, 0.1, "auto", 50.0]},
        cv=KFold(3),
    )
    # 50.0 diverges on standardized features: the candidate scores NaN, the
    # search goes on, and scikit-learn reports the failed fits.
    with (
        pytest.warns(FitFailedWarning, match="DivergenceError"),
        pytest.warns(UserWarning, match="non-finite"),
    ):
        grid.fit(X, y)
    scores = grid.cv_results_["mean_test_score"]
    assert np.isnan(scores[3])
    assert np.all(np.isfinite(scores[:3]))
    assert grid.best_params_["quadraticgdregressor__learning_rate"] != 50.0
    assert grid.best_score_ > 0.9

    # The oracle: least squares on the same folds scores the same once converged.
    ours = cross_val_score(
        QuadraticGDRegressor(tol=1e-10), X, y, cv=KFold(3), scoring="r2"
    )
    expanded = np.hstack([X.to_numpy() ** 2, X.to_numpy()])
    reference = cross_val_score(
        LinearRegression(), expanded, y, cv=KFold(3), scoring="r2"
    )
    np.testing.assert_allclose(ours, reference, rtol=1e-8)


def test_integer_sample_weight_equals_repeated_rows(frame):
    X, y = frame
    weights = np.random.default_rng(0).integers(0, 4, size=len(y))
    weighted = QuadraticGDRegressor(tol=None, max_iter=300).fit(X, y, weights)
    repeated = QuadraticGDRegressor(tol=None, max_iter=300).fit(
        X.loc[X.index.repeat(weights)], y.loc[y.index.repeat(weights)]
    )
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-8)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-8)
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-8)
    coef, _ = least_squares(X.to_numpy(), y.to_numpy(), weights)
    converged = QuadraticGDRegressor(tol=1e-12).fit(X, y, weights)
    np.testing.assert_allclose(converged.coef_, coef, rtol=1e-6)


def test_multi_output_equals_one_fit_per_target(frame):
    X, y = frame
    Y = np.column_stack([y, -2 * y + X.temperature])
    model = QuadraticGDRegressor(tol=1e-10).fit(X, Y)
    assert model.coef_.shape == (2, 4)
    assert model.intercept_.shape == (2,)
    assert model.predict(X).shape == (300, 2)
    coef, intercept = least_squares(X.to_numpy(), Y)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-6)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-6)
    # A single target keeps the 1-D layout of LinearRegression.
    single = QuadraticGDRegressor().fit(X, y)
    assert single.coef_.shape == (4,)
    assert np.ndim(single.intercept_) == 0
    assert isinstance(single.intercept_, float)


def test_pickle_round_trip_predicts_identically(frame):
    X, y = frame
    model = QuadraticGDRegressor(record_path=True).fit(X, y)
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict(X), model.predict(X))
    assert clone.loss_curve_ == model.loss_curve_
    np.testing.assert_array_equal(clone.coef_path_, model.coef_path_)


def test_convergence_warning_once_with_figures_and_remedy(article_data):
    X, y = article_data
    with pytest.warns(ConvergenceWarning) as record:
        model = QuadraticGDRegressor(learning_rate=1e-3, max_iter=20).fit(X, y)
    assert len(record) == 1
    message = str(record[0].message)
    assert "20" in message and "max_iter" in message
    assert "learning_rate" in message
    assert model.stop_reason_ == "max_iter"
    assert model.n_iter_ == 20


def test_tol_none_runs_max_iter_epochs_and_never_warns(article_data):
    X, y = article_data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = QuadraticGDRegressor(tol=None, max_iter=7, learning_rate=1e-4)
        model.fit(X, y)
    assert model.n_iter_ == 7 == len(model.loss_curve_)


def test_divergence_error_names_learning_rate_value_epoch_and_a_safe_value(
    article_data,
):
    X, y = article_data
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning before the error
        with pytest.raises(DivergenceError) as info:
            QuadraticGDRegressor(standardize=False, learning_rate=0.5).fit(X, y)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "learning_rate=0.5" in message
    assert re.search(r"epoch \d+", message)
    assert "auto" in message
    safe = float(re.search(r"use learning_rate=([\d.e+-]+)", message).group(1))
    model = QuadraticGDRegressor(standardize=False, learning_rate=safe * 0.9)
    model.set_params(max_iter=20000, tol=1e-9).fit(X, y)
    np.testing.assert_allclose(model.coef_, [10, 5], rtol=1e-4)


def test_failed_fit_leaves_the_fitted_model_unchanged(article_data):
    X, y = article_data
    model = QuadraticGDRegressor(standardize=False, learning_rate=0.1).fit(X, y)
    before = (model.coef_.copy(), model.intercept_, list(model.loss_curve_))
    prediction = model.predict(X)
    model.set_params(learning_rate=5.0)
    with pytest.raises(DivergenceError):
        model.fit(X, y)
    np.testing.assert_array_equal(model.coef_, before[0])
    assert model.intercept_ == before[1]
    assert model.loss_curve_ == before[2]
    np.testing.assert_array_equal(model.predict(X), prediction)


def test_verbose_prints_the_loss_every_k_epochs(article_data, capsys):
    X, y = article_data
    model = QuadraticGDRegressor(verbose=3, tol=None, max_iter=9).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if "loss" in line]
    epochs = [int(re.search(r"Epoch (\d+)", line).group(1)) for line in lines]
    assert epochs == [1, 3, 6, 9]
    for line, epoch in zip(lines, epochs):
        value = float(line.rsplit("=", 1)[1])
        assert value == pytest.approx(model.loss_curve_[epoch - 1], rel=1e-6, abs=1e-8)


def test_verbose_zero_prints_nothing(article_data, capsys):
    QuadraticGDRegressor().fit(*article_data)
    assert capsys.readouterr().out == ""


def test_early_stopping_records_validation_and_keeps_the_best_epoch():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(400, 1))
    y = 2 * X[:, 0] ** 2 + X[:, 0] + rng.normal(scale=2.0, size=400)
    model = QuadraticGDRegressor(
        early_stopping=True, learning_rate=0.01, random_state=0, record_path=True
    ).fit(X, y)
    assert model.stop_reason_ in {"early_stopping", "max_iter"}
    val = np.asarray(model.validation_loss_curve_)
    assert len(val) == model.n_iter_ == len(model.loss_curve_)
    assert model.best_iter_ == int(np.argmin(val))
    np.testing.assert_allclose(model.coef_, model.coef_path_[model.best_iter_])
    # The held-out rows are those scikit-learn's split picks: recompute the
    # validation loss at the kept parameters from the data itself.
    from sklearn.model_selection import train_test_split

    idx = np.arange(400)
    _, val_idx = train_test_split(idx, test_size=0.1, random_state=0)
    residual = model.predict(X[val_idx]) - y[val_idx]
    assert np.mean(residual**2) == pytest.approx(val[model.best_iter_], rel=1e-9)


@pytest.mark.parametrize("solver", ["gd", "momentum", "nesterov", "adam"])
@pytest.mark.parametrize("precompute", [True, False])
def test_early_stopping_that_reaches_max_iter_warns_and_keeps_the_best(
    solver, precompute
):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 2))
    y = X[:, 0] ** 2 - X[:, 1] + rng.normal(scale=0.5, size=300)
    model = QuadraticGDRegressor(
        solver=solver,
        early_stopping=True,
        max_iter=3,
        learning_rate=0.01,
        precompute=precompute,
        random_state=0,
        record_path=True,
    )
    with pytest.warns(ConvergenceWarning, match="did not stop early") as caught:
        model.fit(X, y)
    assert model.stop_reason_ == "max_iter"
    val = np.asarray(model.validation_loss_curve_)
    assert model.best_iter_ == int(np.argmin(val))
    np.testing.assert_allclose(model.coef_, model.coef_path_[model.best_iter_])
    assert f"validation loss {val[model.best_iter_]:.6g}" in str(caught[0].message)


@pytest.mark.parametrize("learning_rate", [0.01, "auto"])
def test_early_stopping_at_max_iter_says_why_it_did_not_stop(learning_rate):
    # A slow descent is still falling at max_iter; one that reached its
    # minimum in an epoch had too few epochs without a gain to stop. The
    # message says which, counting the epochs after the best as numpy does.
    X, y = make_quadratic(60, noise=1.0, random_state=0)
    model = QuadraticGDRegressor(
        early_stopping=True, max_iter=5, learning_rate=learning_rate, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="did not stop early") as caught:
        model.fit(X, y)
    val = np.asarray(model.validation_loss_curve_)
    after = len(val) - 1 - int(np.argmin(val))
    message = str(caught[0].message)
    if learning_rate == 0.01:
        assert after == 0 and "still falling by more than tol" in message
    else:
        assert after > 0, val
        assert f"the last {after} epochs did not lower the held-out loss" in message
        assert "n_iter_no_change=5 would stop it" in message


def test_warm_start_continues_the_trajectory(article_data):
    X, y = article_data
    settings = {"standardize": False, "learning_rate": 0.05, "tol": None}
    whole = QuadraticGDRegressor(max_iter=40, **settings).fit(X, y)
    warm = QuadraticGDRegressor(max_iter=25, warm_start=True, **settings)
    warm.fit(X, y)
    first = list(warm.loss_curve_)
    warm.set_params(max_iter=15).fit(X, y)
    np.testing.assert_allclose(first + warm.loss_curve_, whole.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(warm.coef_, whole.coef_, rtol=1e-9)


@pytest.mark.parametrize(
    "coef_init, intercept_init, match",
    [
        ([1.0], None, "coef_init"),
        ([[1.0, 2.0, 3.0]], None, "coef_init"),
        ([np.nan, 1.0], None, "coef_init"),
        (None, [1.0, 2.0], "intercept_init"),
        (None, np.inf, "intercept_init"),
    ],
)
def test_bad_initial_values_are_named(article_data, coef_init, intercept_init, match):
    X, y = article_data
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor().fit(
            X, y, coef_init=coef_init, intercept_init=intercept_init
        )


def test_history_frame(article_data):
    X, y = article_data
    model = QuadraticGDRegressor(
        standardize=False, learning_rate=0.1, max_iter=12, tol=None, record_path=True
    ).fit(X, y, coef_init=[15, -2], intercept_init=10)
    history = model.get_history()
    assert list(history.columns) == ["epoch", "loss", "x0^2", "x0", "intercept"]
    assert history.epoch.tolist() == list(range(1, 13))
    assert history.loss.tolist() == model.loss_curve_
    # The initial values, through the change of basis and back.
    np.testing.assert_allclose(
        history.iloc[0][["x0^2", "x0", "intercept"]], [15, -2, 10], rtol=1e-12
    )
    # Each row's loss is the MSE at that row's parameters, computed plainly.
    row = history.iloc[5]
    pred = row["x0^2"] * X[:, 0] ** 2 + row["x0"] * X[:, 0] + row["intercept"]
    assert np.mean((pred - y) ** 2) == pytest.approx(row.loss, rel=1e-9)


def test_alpha_is_ridge_on_the_standardized_features():
    # With standardize=True, the penalty applies to the coefficients of the
    # standardized basis: the minimiser is ridge regression on those columns.
    rng = np.random.default_rng(8)
    x = rng.normal(size=500)
    y = 3 * x**2 + x + rng.normal(size=500)
    model = QuadraticGDRegressor(alpha=0.2, tol=1e-15).fit(x[:, None], y)
    u = (x - x.mean()) / x.std()
    s = u**2 - 1 - np.mean(u**3) * u
    s /= s.std()
    Phi = np.column_stack([s, u])
    Pc, yc = Phi - Phi.mean(axis=0), y - y.mean()
    n = len(y)
    beta = np.linalg.solve(Pc.T @ Pc / n + 0.2 * np.eye(2), Pc.T @ yc / n)
    pred = Pc @ beta + y.mean()
    # tol=1e-15 is below what the certificate resolves: the loss is certified
    # within its floor (1e-12 of the loss), which leaves the predictions
    # within about 1e-7 of the minimiser's.
    np.testing.assert_allclose(model.predict(x[:, None]), pred, rtol=1e-6)


@pytest.mark.parametrize("precision", [0, -1, 2.5, True, "6"])
def test_equation_rejects_bad_precision(article_data, precision):
    model = QuadraticGDRegressor().fit(*article_data)
    with pytest.raises(ValueError, match="precision must be an integer >= 1"):
        model.equation(precision=precision)


def test_all_zero_sample_weight_says_what_to_do(article_data):
    X, y = article_data
    with pytest.raises(ValueError, match="pass at least one positive sample_weight"):
        QuadraticGDRegressor().fit(X[:1], y[:1], sample_weight=[0.0])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_x_far_into_the_data_gets_scikit_learns_error(bad):
    # X's finiteness is checked while the statistics are gathered: a value deep
    # into a large array must still get the standard message, and no warning.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 1))
    y = X[:, 0] ** 2
    X[150_000, 0] = bad
    with pytest.raises(ValueError, match="Input X contains (NaN|infinity)"):
        QuadraticGDRegressor().fit(X, y)


@pytest.mark.parametrize("bad", [np.nan, -np.inf])
def test_non_finite_y_far_into_the_data_gets_scikit_learns_error(bad):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 1))
    y = X[:, 0] ** 2
    y[199_999] = bad
    with pytest.raises(ValueError, match="Input y contains (NaN|infinity)"):
        QuadraticGDRegressor().fit(X, y)


def test_fit_without_y_says_y_is_required(article_data):
    with pytest.raises(ValueError, match="requires y to be passed"):
        QuadraticGDRegressor().fit(article_data[0], None)


def test_string_targets_are_rejected_clearly(article_data):
    X, _ = article_data
    with pytest.raises(ValueError, match="could not convert|numeric"):
        QuadraticGDRegressor().fit(X, np.array(["a"] * len(X)))


def test_html_representation_links_to_this_projects_api_page():
    from sklearn.utils import estimator_html_repr

    url = (
        "https://sklearn-quadneuron.readthedocs.io/en/latest/generated/"
        "sklearn_quadneuron.QuadraticGDRegressor.html"
    )
    assert QuadraticGDRegressor()._get_doc_link() == url
    html = estimator_html_repr(QuadraticGDRegressor())
    assert url in html
    assert "scikit-learn.org" not in html.split(url)[0].rsplit("<a", 1)[-1]


def test_verbose_reports_the_long_passes(capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 60))  # 121 parameters: the curvature is bounded
    y = X[:, 0] ** 2 + rng.normal(size=500)
    QuadraticGDRegressor(precompute=False, max_iter=2, tol=None, verbose=1).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Reading the data once: 500 samples, 60 features..."
    assert re.fullmatch(
        r"Gathered the moments of each feature; epochs read the data in "
        r"\d+\.\d\d s\.",
        out[1],
    )
    passes = [line for line in out if line.startswith("Bounding the curvature")]
    assert passes == [
        f"Bounding the curvature: pass {i} of 6 over the data" for i in range(1, 7)
    ]
    assert [line.split(",")[0] for line in out if line.startswith("Epoch")] == [
        "Epoch 1",
        "Epoch 2",
    ]
    QuadraticGDRegressor(max_iter=2, tol=None).fit(X, y)
    assert capsys.readouterr().out == ""


def test_counts_agree_in_number(capsys):
    X = np.arange(6.0)[:, None]
    y = X[:, 0] ** 2
    QuadraticGDRegressor(max_iter=1, tol=None, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "6 samples, 1 feature" in out and "1 features" not in out
    assert "Stopped after 1 epoch:" in out


def test_adam_that_runs_out_of_epochs_says_how_far_it_is():
    # Noiseless data: the minimum is 0, so no "times the minimum" can be said;
    # the warning gives the loss and a lower bound on the epochs still needed,
    # the farthest parameter's distance to the minimum over Adam's step.
    X, y = make_quadratic(200, random_state=0)
    model = QuadraticGDRegressor(solver="adam", max_iter=50)
    with pytest.warns(ConvergenceWarning) as caught:
        model.fit(X, y)
    message = str(caught[0].message)
    assert "inf times" not in message
    assert "0: the model fits this data exactly" in message
    needed = int(re.search(r"as far from the minimum as (\d+) epochs", message)[1])
    # One of those parameters is the intercept of the centered features: the
    # mean prediction. Its distance to least squares', in steps, is a floor.
    design = np.column_stack([X[:, 0] ** 2, X[:, 0], np.ones(len(y))])
    best = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    floor = abs(model.predict(X).mean() - best.mean()) / model.learning_rate_
    assert floor > 100
    assert needed >= floor - 1


@pytest.mark.parametrize("solver", ["gd", "newton-cholesky"])
def test_float32_in_float32_out_from_float64_statistics(solver):
    # As Ridge and LinearRegression: coef_, intercept_ and predictions in the
    # input's floating dtype. The statistics are float64's: the float32 fit is
    # the float64 fit of the same numbers (to well below float32's resolution
    # of these coefficients of order 1), rounded once to float32 at the end.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2)).astype(np.float32)
    Y = np.column_stack([X[:, 0] ** 2 - X[:, 1], X[:, 1] ** 2]).astype(np.float32)
    for y in (Y[:, 0], Y):
        wide = QuadraticGDRegressor(solver=solver).fit(X.astype(np.float64), y)
        narrow = QuadraticGDRegressor(solver=solver).fit(X, y)
        assert narrow.coef_.dtype == np.float32
        assert np.asarray(narrow.intercept_).dtype == np.float32
        np.testing.assert_allclose(
            narrow.coef_, wide.coef_.astype(np.float32), rtol=2e-7, atol=1e-8
        )
        assert narrow.predict(X).dtype == np.float32
        assert narrow.predict(X.astype(np.float64)).dtype == np.float64
        np.testing.assert_allclose(
            narrow.predict(X), wide.predict(X), rtol=1e-6, atol=1e-6
        )
    # And against least squares in float64 on the same numbers.
    design = np.column_stack([X**2, X, np.ones(len(X))]).astype(np.float64)
    exact = np.linalg.lstsq(design, Y[:, 0].astype(np.float64), rcond=None)[0]
    fitted = QuadraticGDRegressor(solver="newton-cholesky").fit(X, Y[:, 0])
    np.testing.assert_allclose(fitted.coef_, exact[:-1], rtol=1e-6, atol=1e-6)
    assert (
        type(QuadraticGDRegressor().fit(X.astype(float), Y[:, 0]).intercept_) is float
    )


def test_float32_chunks_of_a_stream_give_float32():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 1)).astype(np.float32)
    y = (3 * X[:, 0] ** 2 + 1).astype(np.float32)
    model = QuadraticGDRegressor(solver="newton-cholesky")
    for rows in np.array_split(np.arange(400), 4):
        model.partial_fit(X[rows], y[rows])
    assert model.coef_.dtype == np.float32 and model.predict(X).dtype == np.float32
    np.testing.assert_allclose(model.coef_, [3.0, 0.0], atol=1e-5)
