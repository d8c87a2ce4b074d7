"""
=================================================================
Racing the optimizers: gradient descent, momentum, Nesterov, Adam
=================================================================

The article trains its neuron with plain gradient descent. Neural networks are
usually trained with its descendants: momentum, Nesterov's accelerated
gradient, Adam, on mini-batches. ``solver`` gives the quadratic neuron the same
choice, with the update rules of scikit-learn's
:class:`~sklearn.neural_network.MLPRegressor`. This example races them on the
article's data, where every one of them is quick, and on an ill-conditioned
set, where the difference is a factor of ten and more, and shows what each
curve tells the learner.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The article's race
# ------------------
#
# The article's start, ``a, b, c = 15, -2, 10``, on the raw features
# :math:`[x^2, x, 1]` (``standardize=False``), 50 epochs. Plain gradient
# descent, momentum and Nesterov's momentum use ``learning_rate="auto"`` and
# ``momentum="auto"``: constants tuned to the curvature of this loss. Adam's
# step is different in kind, about ``learning_rate`` per epoch for every
# parameter whatever its gradient, so it gets a step in the units of a, b and c,
# 0.5. The fifth runner is mini-batch gradient descent, one update per batch
# of 32 samples, its order of the samples drawn from ``random_state``.
import matplotlib.pyplot as plt
import numpy as np

from sklearn_quadneuron import QuadraticGDRegressor
from sklearn_quadneuron.datasets import make_ill_conditioned, make_quadratic
from sklearn_quadneuron.plotting import LossSurfaceDisplay, ParameterPathDisplay

X, y = make_quadratic(1000, random_state=0)
runners = {
    "gd": {"solver": "gd"},
    "momentum": {"solver": "momentum"},
    "nesterov": {"solver": "nesterov"},
    "adam": {"solver": "adam", "learning_rate": 0.5},
    "mini-batch gd": {"solver": "gd", "batch_size": 32, "random_state": 0},
}
article = {}
for name, params in runners.items():
    model = QuadraticGDRegressor(
        standardize=False, max_iter=50, tol=None, record_path=True, **params
    )
    article[name] = model.fit(X, y, coef_init=[15, -2], intercept_init=10)
    print(
        f"{name:14s} learning rate {model.learning_rate_:.3g}, "
        f"final loss {model.loss_curve_[-1]:.3g}, "
        f"(a, b, c) = ({model.coef_[0]:.3f}, {model.coef_[1]:.3f}, "
        f"{model.intercept_:.3f})"
    )

# %%
# The loss before each epoch, on a log scale. Every runner starts from the same
# loss, and the data lie exactly on a parabola: the minimum is 0. The momentum
# methods fall the fastest of the full-batch runners, and reach the rounding
# of float64 (about 1e-14 here, 1e-16 of the first loss) within 50 epochs;
# plain gradient descent gains ten orders of magnitude. The mini-batch runner
# takes 32 updates per epoch, and since every sample's gradient vanishes at the
# minimum of these exact data, it converges too, in few epochs. Adam's loss
# falls fast, then wavers: its steps do not shrink as the gradient does.
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
for name, model in article.items():
    ax.plot(np.arange(1, model.n_iter_ + 1), model.loss_curve_, label=name)
ax.set_yscale("log")
ax.set_ylim(bottom=1e-14)
ax.set_xlabel("epoch")
ax.set_ylabel("training loss (MSE)")
ax.set_title("The article's data: loss before each epoch")
ax.legend()
plt.show()

# %%
# The parameters on their way
# ---------------------------
#
# :class:`~sklearn_quadneuron.plotting.ParameterPathDisplay` draws several
# models on the same axes when each is given a ``name``: here the article's
# ``a`` for every runner, with its true value 10. Plain gradient descent
# creeps towards it. Momentum and Nesterov's momentum overshoot, swing back
# and settle: their velocity carries them past the minimum, and that is what
# lets them take long strides along the flat directions. Adam's path is the
# most erratic of all.
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
for name, model in article.items():
    ParameterPathDisplay.from_estimator(
        model, params=["a"], true_values={"a": 10}, name=name, ax=ax
    )
ax.set_xlabel("epoch")
ax.set_title("The article's a, epoch by epoch")
plt.show()

# %%
# And on the loss surface
# -----------------------
#
# :meth:`~sklearn_quadneuron.plotting.LossSurfaceDisplay.from_estimators`
# draws every path on one surface: the loss over ``(b, c)`` with ``a`` held at
# its fitted value. Gradient descent walks down the valley in short steps;
# momentum and Nesterov's momentum cut across it, overshooting the floor and
# coming back; Adam loops around the minimum. The mini-batch runner's path is
# recorded once per epoch, after its 32 updates: its first epoch alone lands
# next to the minimum.
fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
LossSurfaceDisplay.from_estimators(article, X, y, params=("b", "c"), ax=ax)
ax.set_title("Loss over (b, c), a at its fitted value, and each path")
plt.show()

# %%
# An ill-conditioned race
# -----------------------
#
# On the article's data the loss is almost equally curved in every direction,
# and every solver is quick. Real features are often skewed and nearly
# collinear: :func:`~sklearn_quadneuron.datasets.make_ill_conditioned` makes
# such a set, and its loss is hundreds of times more curved along some
# directions of the parameters than along others, even on the standardized
# features the estimator descends on by default. Plain gradient descent then
# needs about that ratio of epochs; momentum about its square root.
#
# Each fit runs with the defaults until the loss is certified within
# ``tol=1e-6`` of its minimum (``stop_reason_ == "tol"``).
X_ill, y_ill = make_ill_conditioned(random_state=0)
ill = {
    name: QuadraticGDRegressor(solver=name, max_iter=20_000).fit(X_ill, y_ill)
    for name in ("gd", "momentum", "nesterov", "adam")
}
for name, model in ill.items():
    print(f"{name:9s} {model.n_iter_:6d} epochs, stopped: {model.stop_reason_}")

# %%
# The excess of the loss over its minimum (the least-squares loss, computed
# here with numpy) shows the race: gradient descent's error shrinks by a
# constant factor per epoch, set by the flattest direction; the momentum
# methods' falls about ten times as fast, after a first stretch where the
# heavy ball's loss even rises. Adam, whose default step is small in the units
# of y, is the slowest: on a quadratic loss with exact gradients its
# per-parameter scaling buys nothing that the tuned momentum does not.
design = np.column_stack([X_ill**2, X_ill, np.ones(len(y_ill))])
minimum = np.mean((design @ np.linalg.lstsq(design, y_ill, rcond=None)[0] - y_ill) ** 2)

fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
for name, model in ill.items():
    excess = np.maximum(np.asarray(model.loss_curve_) - minimum, 1e-16)
    ax.plot(np.arange(1, model.n_iter_ + 1), excess, label=f"{name}")
    ax.plot(model.n_iter_, excess[-1], "o", color=ax.lines[-1].get_color())
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss minus its minimum")
ax.set_title("make_ill_conditioned: until certified (dots)")
ax.legend()
plt.show()

# %%
# The momentum that "auto" picks
# ------------------------------
#
# ``learning_rate_`` and ``momentum_`` record the constants used. With
# ``momentum="auto"`` they come from the largest and smallest curvatures of the
# loss, ``L`` and ``m``: Polyak's heavy ball takes
# :math:`\eta = 4/(\sqrt{L} + \sqrt{m})^2` and
# :math:`\mu = ((\sqrt{L} - \sqrt{m})/(\sqrt{L} + \sqrt{m}))^2`, Nesterov's
# :math:`\eta = 1/L` and :math:`\mu = (\sqrt{L} - \sqrt{m})/(\sqrt{L} +
# \sqrt{m})`. The better conditioned the loss, the less momentum: on the
# article's raw features the heavy ball takes far less than the 0.9 of
# ``MLPRegressor``'s default, on the ill-conditioned set more.
for data, models in (("article", article), ("ill-conditioned", ill)):
    for name in ("momentum", "nesterov"):
        model = models[name]
        print(
            f"{data:16s} {name:9s} learning_rate_ = {model.learning_rate_:.4g}, "
            f"momentum_ = {model.momentum_:.4f}"
        )

# %%
# Mini-batches on noisy data
# --------------------------
#
# When the data are noisy the samples disagree at the minimum: each batch's
# gradient points somewhere else, and with a constant learning rate mini-batch
# descent keeps wandering around the minimum instead of settling, while the
# full batch goes on down to the rounding of float64. Its loss falls quickly,
# then hovers above the minimum: the smaller the step, the lower it hovers,
# and the longer it takes to get there. ``learning_rate="auto"`` takes the
# largest step batches of that size allow. The estimator says so with a
# :class:`~sklearn.exceptions.ConvergenceWarning` when ``tol`` asks for a
# certified fit; here ``tol=None`` runs the 40 epochs silently.
X_noisy, y_noisy = make_quadratic(2000, noise=3.0, random_state=1)
design = np.column_stack([X_noisy**2, X_noisy, np.ones(len(y_noisy))])
best = np.linalg.lstsq(design, y_noisy, rcond=None)[0]
minimum = np.mean((design @ best - y_noisy) ** 2)

batch = {"batch_size": 32, "random_state": 0, "max_iter": 40, "tol": None}
step = QuadraticGDRegressor(**batch).fit(X_noisy, y_noisy).learning_rate_
runs = {
    "full batch": QuadraticGDRegressor(max_iter=40, tol=None),
    f'batch_size=32, "auto" ({step:.3g})': QuadraticGDRegressor(**batch),
    f"batch_size=32, {step / 4:.3g}": QuadraticGDRegressor(
        learning_rate=step / 4, **batch
    ),
    f"batch_size=32, {step / 16:.3g}": QuadraticGDRegressor(
        learning_rate=step / 16, **batch
    ),
}
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
for label, model in runs.items():
    model.fit(X_noisy, y_noisy)
    excess = np.maximum(np.asarray(model.loss_curve_) - minimum, 1e-14)
    ax.plot(np.arange(1, model.n_iter_ + 1), excess, label=label)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss minus its minimum")
ax.set_title(f"Noisy data (minimum loss {minimum:.2f}): mini-batches hover")
ax.legend(title="learning rate", loc="center right")
plt.show()

# %%
# What to take away: on this model, whose loss is an exact quadratic, plain
# gradient descent with the full batch is the article's lesson and always
# converges with ``learning_rate="auto"``; ``solver="nesterov"`` or
# ``"momentum"`` with the defaults get there in about the square root of the
# epochs on ill-conditioned data; Adam and mini-batches are there to watch what
# the optimizers of deep learning do, on a problem small enough to see all of
# it. ``quadneuron demo --solver nesterov --animate descent.gif`` animates any
# of these descents on the article's data.
