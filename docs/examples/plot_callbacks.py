"""
==============================================
Watching training: verbose, history, callbacks
==============================================

Three ways to follow gradient descent epoch by epoch: the ``verbose`` text
output, the training history as a DataFrame
(:meth:`~sklearn_quadneuron.QuadraticGDRegressor.get_history`), and
scikit-learn's experimental callback API (:mod:`sklearn.callback`, new in
scikit-learn 1.9), which the estimator supports: monitor any score during
training with :class:`~sklearn.callback.ScoringMonitor`, or write a callback
that stops training.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Verbose output
# --------------
#
# ``verbose=k`` prints the loss every k epochs (and the first), then why
# training stopped. A deliberately small learning rate makes the run long
# enough to watch.
from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic

X, y = make_quadratic(n_samples=1000, noise=2.0, random_state=0)

model = QuadraticGDRegressor(learning_rate=0.02, max_iter=150, tol=None, verbose=25)
model.fit(X, y)

# %%
# The history as a DataFrame
# --------------------------
#
# :meth:`~sklearn_quadneuron.QuadraticGDRegressor.get_history` returns one row
# per epoch: the loss (``loss_curve_``), and with ``record_path=True`` the
# parameters at which that loss was measured, one column per term name plus
# the intercept.
model = QuadraticGDRegressor(
    learning_rate=0.02, max_iter=150, tol=None, record_path=True
)
history = model.fit(X, y).get_history()
history.iloc[[0, 1, 2, 50, 100, 149]]

# %%
# Monitoring a score with ScoringMonitor
# --------------------------------------
#
# :class:`~sklearn.callback.ScoringMonitor` evaluates scikit-learn scorers on
# the training data after every epoch. Register it with ``set_callbacks``; after
# the fit, ``get_logs()`` returns the scores, and its ``data_as_pandas`` has one
# row per epoch (``task_name == "epoch"``).
#
# The callback API is experimental in scikit-learn 1.9: names and behaviour may
# change in later releases.
from sklearn.callback import ScoringMonitor

monitor = ScoringMonitor(scoring=["r2", "neg_mean_squared_error"])
model = QuadraticGDRegressor(learning_rate=0.02, max_iter=150, tol=None)
model.set_callbacks(monitor)
model.fit(X, y)

scores = monitor.get_logs().data_as_pandas
scores = scores[scores["task_name"] == "epoch"]
scores[["task_id", "r2", "neg_mean_squared_error"]].tail()

# %%
# Epoch ``task_id = k`` is scored after its update, that is after ``k + 1``
# updates, while ``loss_curve_[k]`` is measured before it. Shifted by one, the
# monitored mean squared error is the training loss, computed independently
# from the predictions:
import numpy as np

monitored_mse = -scores["neg_mean_squared_error"].to_numpy()
print(np.allclose(monitored_mse[:-1], model.loss_curve_[1:]))

# %%
# The :math:`R^2` rises while the loss falls; both level off once the neuron
# has found the parabola, at the noise level.
import matplotlib.pyplot as plt

epochs = scores["task_id"].to_numpy() + 1
fig, (ax_loss, ax_r2) = plt.subplots(1, 2, figsize=(11, 4))
ax_loss.plot(np.arange(model.n_iter_), model.loss_curve_, label="loss_curve_")
ax_loss.plot(epochs, monitored_mse, "--", label="ScoringMonitor: MSE")
ax_loss.set_yscale("log")
ax_loss.set_xlabel("number of updates")
ax_loss.set_ylabel("mean squared error")
ax_loss.legend()
ax_r2.plot(epochs, scores["r2"])
ax_r2.set_xlabel("number of updates")
ax_r2.set_ylabel("$R^2$ on the training data")
fig.suptitle("Monitoring training with scikit-learn callbacks")
fig.tight_layout()
plt.show()

# %%
# A progress bar
# --------------
#
# :class:`~sklearn.callback.ProgressBar` draws a bar of the epochs in the
# terminal. It needs the ``rich`` package, which is not a dependency of
# scikit-learn; without it, creating the callback raises an ImportError that
# says so.
from sklearn.callback import ProgressBar

try:
    progress = ProgressBar()
except ImportError as exc:
    print(f"ImportError: {exc}")
else:
    QuadraticGDRegressor(max_iter=50, tol=None).set_callbacks(progress).fit(X, y)

# %%
# A callback that stops training
# ------------------------------
#
# A callback follows the :class:`~sklearn.callback.FitCallback` protocol: four
# methods, of which ``on_fit_task_end`` may return True to stop. The estimator
# calls it once for the whole fit and once per epoch, the latter with
# ``fitted_estimator``, a model that predicts as if training had stopped there.
# This one stops as soon as the training :math:`R^2` reaches a target.


class StopAtScore:
    """Stop training once the model's score on the training data is high enough."""

    def __init__(self, target):
        self.target = target

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        if fitted_estimator is None:  # the end of the whole fit: nothing to decide
            return False
        return fitted_estimator.score(X, y) >= self.target


model = QuadraticGDRegressor(learning_rate=0.02, max_iter=1000)
model.set_callbacks(StopAtScore(target=0.95))
model.fit(X, y)
print(f"stopped after {model.n_iter_} epochs ({model.stop_reason_!r})")
print(f"R^2 = {model.score(X, y):.4f}")

# %%
# ``stop_reason_ == "callback"`` records why training ended, and the model
# keeps the parameters of the epoch at which the callback asked to stop.
