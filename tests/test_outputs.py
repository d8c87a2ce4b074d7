# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Readable forms of a fitted model: term names, the equation, importances."""

import numpy as np
import pytest

from sklearn_quadneuron import QuadraticGDRegressor, feature_importances
from sklearn_quadneuron._outputs import format_equation, term_names


def test_term_names_and_equation():
    assert list(term_names(["x0"])) == ["x0^2", "x0"]
    assert list(term_names(["age", "bmi"])) == ["age^2", "bmi^2", "age", "bmi"]
    text = format_equation([10.0, -5.0], 12.0, ["x0"])
    assert text == "y = 10*x0^2 - 5*x0 + 12"
    assert format_equation([-1.5, 0.25], -3.0, ["t"], "z", 3) == (
        "z = -1.5*t^2 + 0.25*t - 3"
    )


# -- feature importances -------------------------------------------------------------


def _contribution_std(model, X, w=None):
    """The weighted standard deviation of each feature's part of the model."""
    p = X.shape[1]
    coef = np.atleast_2d(model.coef_)
    parts = coef[:, :p][:, None, :] * X**2 + coef[:, p:][:, None, :] * X
    mean = np.average(parts, axis=1, weights=w)
    return np.sqrt(np.average((parts - mean[:, None, :]) ** 2, axis=1, weights=w))


def test_feature_importances_are_the_spread_of_each_features_part():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(800, 3)) * [1.0, 5.0, 0.1] + [0.0, 1e3, -2.0]
    y = X[:, 0] ** 2 + 0.3 * X[:, 1] + 0.01 * X[:, 2] + rng.normal(0, 0.1, 800)
    w = rng.uniform(0.0, 2.0, 800)
    for weights in (None, w):
        model = QuadraticGDRegressor(solver="newton-cholesky").fit(
            X, y, sample_weight=weights
        )
        np.testing.assert_allclose(
            feature_importances(model), _contribution_std(model, X, weights)[0]
        )


def test_feature_importances_of_several_targets_are_summed_shares():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 2))
    Y = np.column_stack([X[:, 0] ** 2, 1e6 * X[:, 1]])
    model = QuadraticGDRegressor(solver="newton-cholesky").fit(X, Y)
    spreads = _contribution_std(model, X)
    shares = spreads / spreads.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(feature_importances(model), shares.sum(axis=0))
    np.testing.assert_allclose(feature_importances(model), [1.0, 1.0], atol=1e-6)


@pytest.mark.parametrize("selector", ["RFE", "SelectFromModel"])
def test_feature_selection_takes_the_importances(selector):
    # scikit-learn's default reads coef_, two numbers per feature here: RFE
    # fails, SelectFromModel returns a mask of twice the features. With
    # importance_getter=feature_importances both keep the features the target
    # depends on, curved or straight.
    from sklearn import feature_selection

    rng = np.random.default_rng(2)
    X = rng.normal(size=(600, 5))
    y = 3 * X[:, 1] ** 2 - 2 * X[:, 3] + rng.normal(0, 0.1, 600)
    model = QuadraticGDRegressor(solver="newton-cholesky")
    tool = getattr(feature_selection, selector)
    kwargs = {"n_features_to_select": 2} if selector == "RFE" else {"threshold": 0.5}
    try:
        default = tool(model, **kwargs).fit(X, y)
    except (IndexError, ValueError):
        pass
    else:
        assert default.get_support().shape == (10,)
    chosen = tool(model, importance_getter=feature_importances, **kwargs).fit(X, y)
    np.testing.assert_array_equal(chosen.get_support(), [0, 1, 0, 1, 0])
