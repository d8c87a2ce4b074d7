# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Names never collide; numeric limits give a fit or an error that says what to do."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron._outputs import term_names


@pytest.mark.parametrize(
    "columns",
    [
        ["x", "x^2"],
        ["loss", "epoch"],
        ["intercept", "validation_loss"],
        ["a + b", "a", "b"],
        ["2x", "x2"],
    ],
)
def test_term_names_are_distinct_and_keep_every_history_column(columns):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(200, len(columns))))
    X.columns = columns
    y = rng.normal(size=200) + X.iloc[:, 0] ** 2
    model = QuadraticGDRegressor(record_path=True, early_stopping=True)
    model.fit(X, y)
    names = list(model.get_term_names())
    assert len(set(names)) == len(names) == 2 * len(columns)
    history = model.get_history()
    # Every parameter has a column, none overwritten by another or by a loss.
    assert len(history.columns) == 3 + len(names) + 1
    assert history.columns.is_unique
    # The first epoch's row holds the starting parameters: zeros.
    np.testing.assert_allclose(history.loc[0, names].to_numpy(float), 0.0, atol=1e-12)
    # The equation names every term once.
    equation = model.equation()
    for name in names:
        assert f"*{name}" in equation


def test_plain_names_are_unchanged():
    assert list(term_names(["age", "bmi_2", "x.1"])) == [
        "age^2",
        "bmi_2^2",
        "x.1^2",
        "age",
        "bmi_2",
        "x.1",
    ]
    assert list(term_names(["x", "x^2"])) == ["x^2", "(x^2)^2", "x", "(x^2)"]
    # Duplicated names (scikit-learn refuses them in a DataFrame, not here).
    assert list(term_names(["x", "x"])) == ["x[0]^2", "x[1]^2", "x[0]", "x[1]"]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"max_iter": 10**9, "tol": None}, r"max_iter=1000000000 epochs would keep"),
        ({"max_iter": 10**8, "tol": 1e-6}, r"at most \d+ epochs"),
        ({"max_iter": 10**7, "record_path": True}, "coef_path_"),
    ],
)
def test_a_history_that_cannot_be_held_is_refused_before_any_work(params, match):
    X, y = np.arange(20.0)[:, None], np.arange(20.0)
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor(**params).fit(X, y)


def test_the_largest_history_allowed_fits():
    # 10**7 epochs of losses (about 400 MB at most) are allowed; with tol the
    # fit stops long before.
    X = np.linspace(-1, 1, 50)[:, None]
    y = 3 * X[:, 0] ** 2 + 1
    model = QuadraticGDRegressor(max_iter=10**7).fit(X, y)
    assert model.stop_reason_ == "tol" and model.n_iter_ < 100


@pytest.mark.parametrize("spread", [1e155, 1e200, 1e300])
def test_targets_too_large_to_square_ask_to_rescale_y(spread):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 1))
    y = spread * rng.uniform(-1, 1, size=50)
    with pytest.raises(ValueError, match="Rescale y"):
        QuadraticGDRegressor().fit(X, y)


@pytest.mark.parametrize("value", [1e-300, -3.5, 1e150])
def test_constant_target_is_fitted_exactly(value):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    model = QuadraticGDRegressor().fit(X, np.full(50, value))
    np.testing.assert_allclose(model.predict(X), value, rtol=1e-12)
    assert model.stop_reason_ == "tol"


@pytest.mark.parametrize("value", [1e300, -1e308])
def test_constant_target_beyond_squaring_asks_to_rescale_y(value):
    # The loss of the starting model (zero) would be value**2: not a number.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    with pytest.raises(ValueError, match="Rescale y"):
        QuadraticGDRegressor().fit(X, np.full(50, value))


@pytest.mark.parametrize("scale", [1e-150, 1e150])
def test_extreme_feature_scales_fit_the_least_squares_answer(scale):
    rng = np.random.default_rng(1)
    x = rng.normal(size=300)
    y = 2 * x**2 - x + 3 + 0.1 * rng.normal(size=300)
    model = QuadraticGDRegressor().fit((scale * x)[:, None], y)
    reference = LinearRegression().fit(np.column_stack([x**2, x]), y)
    # In units of x * scale, the coefficients are the reference's rescaled.
    np.testing.assert_allclose(
        model.coef_ * [scale**2, scale], reference.coef_, rtol=1e-5
    )


@pytest.mark.parametrize("init", [1e300, -1e308])
def test_huge_initial_values_say_what_to_do(init):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 1))
    y = X[:, 0] ** 2
    with pytest.raises(ValueError, match="coef_init|Rescale|initial"):
        QuadraticGDRegressor().fit(X, y, coef_init=[init, init])


def test_the_public_exceptions_are_named_where_users_import_them():
    # A traceback's last line, a repr and a pickle name the package itself,
    # never the private module that defines them.
    import pickle
    import traceback

    import sklearn_quadneuron
    from sklearn_quadneuron import CollinearityWarning, DivergenceError

    X = np.random.default_rng(0).normal(size=(40, 1))
    try:
        QuadraticGDRegressor(learning_rate=50, standardize=False).fit(X, X[:, 0] ** 2)
    except DivergenceError as error:
        last = traceback.format_exception_only(error)[-1]
        copy, args = pickle.loads(pickle.dumps(error)), error.args
    assert last.startswith("sklearn_quadneuron.DivergenceError: Gradient descent")
    assert type(copy) is DivergenceError and copy.args == args
    for kind in (CollinearityWarning, DivergenceError):
        assert getattr(sklearn_quadneuron, kind.__name__) is kind
        assert pickle.loads(pickle.dumps(kind)) is kind
