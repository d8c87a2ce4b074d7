"""
================================================
Early stopping on a held-out validation set
================================================

With many features and few samples, a quadratic neuron per feature has enough
parameters to fit the noise: run gradient descent to the end and the training
loss keeps falling while the error on new data rises. ``early_stopping=True``
holds out part of the training data, watches the loss on it every epoch
(``validation_loss_curve_``) and keeps the parameters of the epoch where it was
lowest (``best_iter_``).
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Few samples, many features
# --------------------------
#
# 200 samples of 90 features, of which only three matter: the model has
# :math:`2 \times 90 + 1 = 181` parameters, almost one per sample. A large test
# set, drawn from the same distribution, measures the error on new data.
import numpy as np


def target(X):
    return 2 * X[:, 0] ** 2 - 3 * X[:, 1] + X[:, 2]


rng = np.random.default_rng(0)
n_samples, n_features = 200, 90
X = rng.normal(size=(n_samples, n_features))
y = target(X) + rng.normal(scale=2, size=n_samples)
X_test = rng.normal(size=(5000, n_features))
y_test = target(X_test) + rng.normal(scale=2, size=5000)

# %%
# Training to the end
# -------------------
#
# Without early stopping, gradient descent runs until the training loss stops
# improving: it reaches the least-squares fit, noise included.
from sklearn_quadneuron import QuadraticGDRegressor

full = QuadraticGDRegressor(max_iter=5000).fit(X, y)
print(f"{full.n_iter_} epochs, stopped by {full.stop_reason_!r}")
print(f"R^2 on the training data: {full.score(X, y):.3f}")
print(f"R^2 on new data:          {full.score(X_test, y_test):.3f}")

# %%
# Near-perfect on the data it saw, worse than predicting the mean (a negative
# :math:`R^2`) on new data: the model has learned the noise.
#
# Stopping when the validation loss turns
# ---------------------------------------
#
# With ``early_stopping=True`` a fraction ``validation_fraction`` of the samples
# (drawn with ``random_state``) is held out. Both losses are recorded at the
# same parameters every epoch; training stops after ``n_iter_no_change``
# epochs without improvement of the validation loss, and the parameters of the
# best epoch are kept. A patience of 50 epochs lets us see the validation loss
# rise after its minimum.
early = QuadraticGDRegressor(
    early_stopping=True,
    validation_fraction=0.2,
    n_iter_no_change=50,
    max_iter=5000,
    random_state=0,
).fit(X, y)
print(f"{early.n_iter_} epochs, stopped by {early.stop_reason_!r}")
print(f"parameters kept: after {early.best_iter_} updates")
print(f"R^2 on new data: {early.score(X_test, y_test):.3f}")

# %%
# The kept model is far better on new data, although it trained on fewer
# samples. Early stopping acts as a regularizer: gradient descent from zero
# fits the strong, well-determined directions of the data first and the noise
# last, and stopping early keeps the first and leaves the second.
#
# The two loss curves
# -------------------
#
# :class:`~sklearn_quadneuron.plotting.LossCurveDisplay` draws
# ``loss_curve_`` and, when it is not empty, ``validation_loss_curve_``.
# ``validation_loss_curve_[k]`` is measured before epoch k's update, at the
# parameters after ``k`` updates, so the kept parameters are those at which
# ``validation_loss_curve_[best_iter_]`` was measured: the lowest point of the
# curve, marked by the dotted line.
import matplotlib.pyplot as plt

from sklearn_quadneuron.plotting import LossCurveDisplay

print(np.argmin(early.validation_loss_curve_) == early.best_iter_)

display = LossCurveDisplay.from_estimator(early, log_scale=True)
display.ax_.axvline(
    early.best_iter_ + 1, color="black", linestyle=":", label="best epoch (kept)"
)
display.ax_.legend()
display.ax_.set_title("Training and validation loss with early stopping")
plt.show()

# %%
# Early stopping against a penalty
# --------------------------------
#
# An L2 penalty (``alpha``) is the other classic way to keep the coefficients
# of the irrelevant features small. The comparison below scores each on the
# same new data.
results = {"no regularization": full, "early stopping": early}
for alpha in (0.1, 1.0):
    results[f"alpha={alpha}"] = QuadraticGDRegressor(alpha=alpha, max_iter=5000).fit(
        X, y
    )

fig, ax = plt.subplots(figsize=(7, 3.5))
names = list(results)
ax.barh(names, [model.score(X_test, y_test) for model in results.values()])
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("$R^2$ on new data")
ax.set_title("Regularizing a 181-parameter neuron fitted on 200 samples")
fig.tight_layout()
plt.show()

# %%
# Both rescue the model. Here a well-chosen penalty does better: it trains on
# all the samples, while early stopping gives a fifth of them to validation.
# Early stopping's advantages are elsewhere: nothing to tune but the patience,
# and a fit that ends sooner. The two combine, too
# (``early_stopping=True, alpha=...``).
