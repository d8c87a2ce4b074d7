# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Progress and monitoring through scikit-learn's callback API (experimental)."""

import numpy as np
import pytest

callback = pytest.importorskip(
    "sklearn.callback", reason="scikit-learn's callback API appeared in 1.9"
)

from sklearn_quadneuron import QuadraticGDRegressor  # noqa: E402


def full_batch_losses(x, y, theta, lr, epochs):
    """MSE after each of ``epochs`` plain gradient-descent updates."""
    Phi = np.column_stack([x**2, x, np.ones_like(x)])
    losses = []
    for _ in range(epochs):
        theta = theta - lr * 2 * Phi.T @ (Phi @ theta - y) / len(y)
        losses.append(np.mean((Phi @ theta - y) ** 2))
    return np.array(losses)


def article_model():
    return QuadraticGDRegressor(
        standardize=False, learning_rate=0.1, max_iter=8, tol=None
    )


def test_scoring_monitor_scores_every_epoch(article_data):
    X, y = article_data
    monitor = callback.ScoringMonitor(scoring="neg_mean_squared_error")
    model = article_model().set_callbacks(monitor)
    model.fit(X, y, coef_init=[15, -2], intercept_init=10)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log.task_name == "epoch"]
    assert epochs.task_id.tolist() == list(range(8))
    expected = full_batch_losses(X[:, 0], y, np.array([15.0, -2.0, 10.0]), 0.1, 8)
    np.testing.assert_allclose(
        -epochs.neg_mean_squared_error.to_numpy(), expected, rtol=1e-9
    )


class StopAfter:
    """A callback that asks the estimator to stop after a given epoch."""

    def __init__(self, epochs):
        self.epochs = epochs
        self.seen = 0

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        if context.task_name != "epoch":
            return False
        self.seen += 1
        return self.seen >= self.epochs


def test_a_callback_can_stop_training(article_data):
    X, y = article_data
    stop = StopAfter(3)
    model = article_model().set_callbacks(stop)
    model.fit(X, y, coef_init=[15, -2], intercept_init=10)
    assert model.stop_reason_ == "callback"
    assert model.n_iter_ == 3 == len(model.loss_curve_)
    reference = article_model().set_params(max_iter=3)
    reference.fit(X, y, coef_init=[15, -2], intercept_init=10)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-12)
    np.testing.assert_allclose(model.loss_curve_, reference.loss_curve_, rtol=1e-12)


def test_progress_bar_runs_to_the_end(article_data):
    pytest.importorskip("rich", reason="ProgressBar draws with rich")
    X, y = article_data
    model = article_model().set_callbacks(callback.ProgressBar())
    model.fit(X, y, coef_init=[15, -2], intercept_init=10)
    plain = article_model().fit(X, y, coef_init=[15, -2], intercept_init=10)
    np.testing.assert_array_equal(model.coef_, plain.coef_)


def test_without_callbacks_no_path_is_kept(article_data):
    model = article_model().fit(*article_data)
    assert not hasattr(model, "coef_path_")


def test_scoring_monitor_sees_the_momentum_epochs(article_data):
    # Epochs that step (here the heavy ball on the statistics) are replayed
    # to the callbacks just as the closed form's are.
    X, y = article_data
    monitor = callback.ScoringMonitor(scoring="neg_mean_squared_error")
    model = QuadraticGDRegressor(
        solver="momentum",
        momentum=0.5,
        standardize=False,
        learning_rate=0.1,
        max_iter=8,
        tol=None,
    ).set_callbacks(monitor)
    model.fit(X, y, coef_init=[15, -2], intercept_init=10)
    epochs = monitor.get_logs().data_as_pandas
    epochs = epochs[epochs.task_name == "epoch"]
    Phi = np.column_stack([X[:, 0] ** 2, X[:, 0], np.ones(len(y))])
    theta, velocity, expected = np.array([15.0, -2.0, 10.0]), 0.0, []
    for _ in range(8):
        velocity = 0.5 * velocity - 0.1 * 2 * Phi.T @ (Phi @ theta - y) / len(y)
        theta = theta + velocity
        expected.append(np.mean((Phi @ theta - y) ** 2))
    np.testing.assert_allclose(
        -epochs.neg_mean_squared_error.to_numpy(), expected, rtol=1e-9
    )


class CountEpochs(StopAfter):
    """An auto-propagated callback that counts the epochs it is shown."""

    max_propagation_depth = None

    def __init__(self):
        super().__init__(epochs=None)

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.seen += context.task_name == "epoch"
        return False


def test_callbacks_propagated_by_a_search_see_every_epoch(article_data):
    # A grid search hands its fits a context of its own; the callbacks it
    # propagates are shown every epoch of every fit.
    from sklearn.model_selection import GridSearchCV

    X, y = article_data
    count = CountEpochs()
    assert isinstance(count, callback.AutoPropagatedCallback)
    search = GridSearchCV(article_model(), {"learning_rate": [0.05, 0.1]}, cv=2)
    search.set_callbacks(count)
    search.fit(X, y)
    # Two rates by two folds, and the refit: 8 epochs each.
    assert count.seen == 5 * 8
