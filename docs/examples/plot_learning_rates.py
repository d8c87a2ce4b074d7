"""
===========================
Choosing the learning rate
===========================

The learning rate is the one number gradient descent cannot do without: too
small and training crawls, too large and it explodes. For a quadratic neuron
the boundary is known exactly. This example compares loss curves for several
learning rates, shows what ``learning_rate="auto"`` picks, and catches the
:class:`~sklearn_quadneuron.DivergenceError` of a rate past the limit.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The data and the safe step
# --------------------------
#
# We use the article's data, with some noise. The loss is an exact quadratic
# in the parameters with Hessian :math:`H`; gradient descent with step
# :math:`\eta` converges when :math:`\eta < 2 / L`, :math:`L` the largest
# eigenvalue of :math:`H`, and ``learning_rate="auto"`` uses :math:`1 / L`. A
# fit with ``"auto"`` tells us both numbers: ``learning_rate_`` is the step it
# used.
import numpy as np

from sklearn_quadneuron import DivergenceError, QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_quadratic

X, y = make_quadratic(n_samples=1000, noise=2.0, random_state=0)

auto = QuadraticGDRegressor(max_iter=60, tol=None).fit(X, y)
eta_auto = auto.learning_rate_
print(
    f"auto learning rate 1/L = {eta_auto:.4f}; stability limit 2/L = {2 * eta_auto:.4f}"
)

# %%
# Loss curves for several learning rates
# --------------------------------------
#
# Each fit runs 60 epochs (``tol=None``) from zero, on the standardized
# features (the default). Smaller steps fall more slowly; ``"auto"`` is the
# fastest of the stable, non-oscillating steps; a step of 1.8/L still converges
# but overshoots the minimum at every epoch, and along the steepest direction
# the error shrinks only by :math:`|1 - 1.8| = 0.8` per epoch.
import matplotlib.pyplot as plt

rates = {
    "0.01/L": 0.01 * eta_auto,
    "0.1/L": 0.1 * eta_auto,
    "0.5/L": 0.5 * eta_auto,
    '1/L ("auto")': "auto",
    "1.8/L": 1.8 * eta_auto,
}
fig, ax = plt.subplots(figsize=(7, 4.5))
for label, rate in rates.items():
    model = QuadraticGDRegressor(learning_rate=rate, max_iter=60, tol=None)
    model.fit(X, y)
    ax.plot(np.arange(1, model.n_iter_ + 1), model.loss_curve_, label=label)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (MSE)")
ax.set_title("Loss curves for several learning rates")
ax.legend(title="learning rate")
plt.show()

# %%
# The loss of all converging runs ends at the same floor, the noise variance
# (about :math:`2^2 = 4`): the learning rate changes how fast the minimum is
# reached, not which minimum.
#
# Past the limit: divergence
# --------------------------
#
# A step above :math:`2/L` makes every epoch overshoot by more than it corrects:
# the loss grows geometrically and would reach infinity within a few dozen
# epochs. The estimator stops at the first epoch whose loss rises and raises a
# :class:`~sklearn_quadneuron.DivergenceError` that states the limit and a safe
# value for this data.
try:
    QuadraticGDRegressor(learning_rate=round(2.5 * eta_auto, 2)).fit(X, y)
except DivergenceError as exc:
    print(exc)

# %%
# :class:`~sklearn_quadneuron.DivergenceError` is a :class:`ValueError`, so a
# :class:`~sklearn.model_selection.GridSearchCV` over learning rates records a
# diverging candidate as a failed fit (score NaN) and goes on with the others.
#
# Raw features: the limit depends on the data's scale
# ---------------------------------------------------
#
# With ``standardize=False`` the neuron descends on the raw :math:`[x^2, x, 1]`
# as the article does. The safe step then depends on the spread of
# :math:`x^2`: the article's rate of 0.1 works for its data, but the same rate
# diverges as soon as x is three times larger.
for scale in (1, 3):
    try:
        model = QuadraticGDRegressor(
            learning_rate=0.1, standardize=False, max_iter=50, tol=None
        ).fit(scale * X, y)
        print(f"x times {scale}: converged, final loss {model.loss_curve_[-1]:.3g}")
    except DivergenceError:
        print(f"x times {scale}: DivergenceError")

# %%
# With the default ``standardize=True`` the learning rate is expressed for
# standardized features, and ``"auto"`` adapts to any scale: the same settings
# fit both data sets.
for scale in (1, 3, 1000):
    model = QuadraticGDRegressor().fit(scale * X, y)
    r2 = model.score(scale * X, y)
    print(f"x times {scale}: {model.n_iter_} epochs, R^2 = {r2:.4f}")
