# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The article, step by step, against a plain per-sample loop written here."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic


def per_sample_gradient_descent(x, y, a, b, c, learning_rate, epochs):
    """The article's training loop, one sample at a time, with the exact gradient.

    Each epoch records the loss at the current parameters, then subtracts the
    learning rate times the full-batch gradient of the mean squared error. The
    intercept's gradient is the exact ``2 * mean(r)``.
    """
    losses, path = [], [(a, b, c)]
    n = len(x)
    for _ in range(epochs):
        loss = grad_a = grad_b = grad_c = 0.0
        for xi, yi in zip(x, y):
            r = a * xi * xi + b * xi + c - yi
            loss += r * r
            grad_a += 2.0 * r * xi * xi
            grad_b += 2.0 * r * xi
            grad_c += 2.0 * r
        losses.append(loss / n)
        a -= learning_rate * grad_a / n
        b -= learning_rate * grad_b / n
        c -= learning_rate * grad_c / n
        path.append((a, b, c))
    return np.array(losses), np.array(path)


@pytest.fixture(scope="module")
def article_run():
    X, y = make_quadratic(1000, random_state=0)
    x = [float(v) for v in X[:, 0]]
    losses, path = per_sample_gradient_descent(
        x, [float(v) for v in y], 15.0, -2.0, 10.0, 0.1, 50
    )
    return X, y, losses, path


def article_model(**params):
    settings = {"standardize": False, "learning_rate": 0.1, "max_iter": 50, "tol": None}
    settings.update(params)
    return QuadraticGDRegressor(**settings)


def test_article_step_by_step(article_run):
    X, y, losses, path = article_run
    model = article_model(record_path=True)
    model.fit(X, y, coef_init=[15, -2], intercept_init=10)

    assert model.n_iter_ == 50
    assert model.stop_reason_ == "max_iter"
    assert len(model.loss_curve_) == 50
    np.testing.assert_allclose(model.loss_curve_, losses, rtol=1e-9)
    np.testing.assert_allclose(model.coef_, path[-1, :2], rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, path[-1, 2], rtol=1e-9)
    # Every epoch's parameters, not only the last ones.
    np.testing.assert_allclose(model.coef_path_, path[:, :2], rtol=1e-9)
    np.testing.assert_allclose(model.intercept_path_, path[:, 2], rtol=1e-9)
    # The article's story: the loss falls and the parameters approach (10, 5, 12).
    assert losses[-1] < 1e-2 * losses[0]
    np.testing.assert_allclose([*model.coef_, model.intercept_], [10, 5, 12], atol=0.5)


def test_article_per_epoch_by_repeated_single_epochs(article_run):
    # The same trajectory one epoch at a time with warm_start: each call's single
    # recorded loss is the loop's loss at that epoch.
    X, y, losses, _ = article_run
    model = article_model(max_iter=1, warm_start=True)
    model.fit(X, y, coef_init=[15, -2], intercept_init=10)
    recorded = [model.loss_curve_[0]]
    for _ in range(9):
        model.fit(X, y)
        recorded.append(model.loss_curve_[0])
    np.testing.assert_allclose(recorded, losses[:10], rtol=1e-9)


def test_defaults_recover_the_true_parameters_without_warning(article_data):
    X, y = article_data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = QuadraticGDRegressor().fit(X, y)
    np.testing.assert_allclose(model.coef_, [10, 5], rtol=1e-6)
    np.testing.assert_allclose(model.intercept_, 12, rtol=1e-6)
    assert model.stop_reason_ == "tol"
    assert model.n_iter_ < model.max_iter
    np.testing.assert_allclose(model.predict(X), y, rtol=1e-6)


def test_shifted_and_scaled_data_predicts_as_well_as_polyfit():
    rng = np.random.default_rng(1)
    x = rng.standard_normal(1000) * 1000 + 5000
    y = 1e-5 * x**2 - 0.05 * x + 3 + rng.normal(scale=0.01, size=x.size)
    model = QuadraticGDRegressor().fit(x[:, None], y)

    reference = np.polyval(np.polyfit(x, y, 2), x)
    ours = model.predict(x[:, None])
    mse_ours = np.mean((ours - y) ** 2)
    mse_polyfit = np.mean((reference - y) ** 2)
    assert mse_ours <= mse_polyfit * (1 + 1e-6)
    np.testing.assert_allclose(model.coef_, np.polyfit(x, y, 2)[:2], rtol=1e-5)


def test_raw_units_descent_needs_a_small_rate_on_shifted_data():
    # On x ~ 5000 the raw Hessian is huge: the article's 0.1 diverges there, and the
    # error says what to do.
    rng = np.random.default_rng(2)
    x = rng.standard_normal(200) * 1000 + 5000
    y = 2 * x**2 + x + 1
    with pytest.raises(ValueError, match="learning_rate"):
        QuadraticGDRegressor(standardize=False, learning_rate=0.1).fit(x[:, None], y)


def test_demo_command_prints_the_article_run():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_quadneuron", "demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    X, y = make_quadratic(1000, random_state=0)
    losses, path = per_sample_gradient_descent(X[:, 0], y, 15.0, -2.0, 10.0, 0.1, 50)
    out = result.stdout
    assert result.stderr == ""
    # The loss every 5 epochs, as the article prints it.
    printed = {}
    for line in out.splitlines():
        if line.startswith("Epoch "):
            epoch, loss = line[len("Epoch ") :].split(", loss = ")
            printed[int(epoch)] = float(loss)
    assert sorted(printed) == [1, *range(5, 51, 5)]
    for epoch, loss in printed.items():
        # Printed with 8 decimals, as MLPRegressor does.
        assert loss == pytest.approx(losses[epoch - 1], rel=1e-6, abs=5e-9)
    for name, value, true in zip("abc", path[-1], (10, 5, 12)):
        line = next(row for row in out.splitlines() if row.split()[:1] == [name])
        learned, shown_true = map(float, line.split()[1:3])
        assert learned == pytest.approx(value, rel=1e-6)
        assert shown_true == true
