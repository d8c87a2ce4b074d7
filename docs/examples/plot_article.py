"""
======================================================
The "hello, world" of deep learning, reproduced
======================================================

The article "The 'hello, world' of Deep Learning" trains a single neuron,
:math:`\\hat{y} = a x^2 + b x + c`, by gradient descent on 1000 points of
:math:`y = 10 x^2 + 5 x + 12`. This example runs the same experiment with
:class:`~sklearn_quadneuron.QuadraticGDRegressor` and draws the article's four
figures: the data with the model before and after training, the loss against
the epoch, each parameter walking to its true value, and the loss surface with
the path gradient descent took on it.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The data
# --------
#
# :func:`~sklearn_quadneuron.datasets.make_quadratic` draws the article's data:
# x from a standard normal distribution and y exactly on the parabola, no noise.
# The article seeds nothing; we do, so that the figures below are reproducible.
from sklearn_quadneuron.datasets import make_quadratic

X, y = make_quadratic(n_samples=1000, a=10, b=5, c=12, random_state=0)
X.shape, y.shape

# %%
# The article's training run
# --------------------------
#
# The article starts the neuron at :math:`a = 15, b = -2, c = 10` and runs 50
# epochs of full-batch gradient descent with learning rate 0.1 on the raw
# features :math:`[x^2, x, 1]`. In estimator terms:
#
# - ``standardize=False``: descend on the raw features, as the article does
#   (the default standardizes them, which is faster but takes another path);
# - ``learning_rate=0.1, max_iter=50, tol=None``: exactly 50 epochs, no early
#   stop and no convergence warning;
# - ``coef_init`` and ``intercept_init`` in :meth:`fit`: the starting point, in
#   the layout of ``coef_`` (``[a, b]``) and ``intercept_`` (``c``);
# - ``record_path=True``: keep the parameters of every epoch, for the figures;
# - ``verbose=5``: print the loss every 5 epochs, as the article does.
#
# One difference remains, on purpose: the article's code uses half the exact
# gradient for ``c``; the estimator uses the exact one (see the
# :ref:`user guide <user_guide_gradients>`), so the numbers are close to the
# article's, not identical.
from sklearn_quadneuron import QuadraticGDRegressor

model = QuadraticGDRegressor(
    learning_rate=0.1,
    max_iter=50,
    tol=None,
    standardize=False,
    record_path=True,
    verbose=5,
)
model.fit(X, y, coef_init=[15.0, -2.0], intercept_init=10.0)

# %%
# After 50 epochs the neuron is close to the true parameters (10, 5, 12):
print(model.equation(precision=5))
print(f"final loss: {model.loss_curve_[-1]:.3g}")

# %%
# Figure 1: the model before and after training
# ---------------------------------------------
#
# :class:`~sklearn_quadneuron.plotting.FitDisplay` draws the data and the fitted
# parabola; ``show_initial=True`` adds the parabola of the starting parameters
# (the first row of ``coef_path_``), the article's "before training".
import matplotlib.pyplot as plt

from sklearn_quadneuron.plotting import (
    FitDisplay,
    LossCurveDisplay,
    LossSurfaceDisplay,
    ParameterPathDisplay,
)

fit_display = FitDisplay.from_estimator(model, X, y, show_initial=True)
fit_display.ax_.set_title("Before and after 50 epochs")
plt.show()

# %%
# Figure 2: the loss against the epoch
# ------------------------------------
#
# ``loss_curve_[k]`` is the loss at the parameters *before* epoch k's update,
# as the article records it. On a logarithmic scale the fall is nearly a
# straight line: each epoch removes a fixed fraction of the remaining error,
# the signature of gradient descent on a quadratic loss.
loss_display = LossCurveDisplay.from_estimator(model, log_scale=True)
loss_display.ax_.set_title("Training loss (mean squared error)")
plt.show()

# %%
# Figure 3: each parameter against the epoch
# ------------------------------------------
#
# :class:`~sklearn_quadneuron.plotting.ParameterPathDisplay` draws
# ``coef_path_`` and ``intercept_path_``, with the true values as dashed lines
# (given in ``coef_`` order, then the intercept). ``a`` falls quickly from 15,
# ``b`` climbs steadily, and ``c`` first moves *away* from its true value:
# with ``a`` too large the predictions start too high on average, and lowering
# ``c`` is the quickest way to reduce that. ``c`` is the last to arrive: the
# curvature of the loss along each parameter sets its pace, which is why the
# default ``standardize=True`` evens them out.
path_display = ParameterPathDisplay.from_estimator(model, true_values=[10, 5, 12])
path_display.ax_.set_title("Parameters during training")
plt.show()

# %%
# Figure 4: the loss surface and the descent path
# -----------------------------------------------
#
# The loss as a function of two parameters, the third held at its fitted value,
# with the path of gradient descent drawn on it. The article looks at
# :math:`(b, c)`; with one feature the names ``"a"``, ``"b"``, ``"c"`` can be
# used. The path is the projection of the 3-parameter descent, so it need not
# cross the contours at right angles: ``a`` was changing too.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
LossSurfaceDisplay.from_estimator(model, X, y, params=("b", "c"), ax=axes[0])
axes[0].set_title("Loss over (b, c), a fixed")
LossSurfaceDisplay.from_estimator(model, X, y, params=("a", "b"), ax=axes[1])
axes[1].set_title("Loss over (a, b), c fixed")
fig.tight_layout()
plt.show()

# %%
# The same figure as a 3-D surface, as in the article:
surface = LossSurfaceDisplay.from_estimator(
    model, X, y, params=("b", "c"), kind="surface"
)
surface.ax_.set_title("Loss surface over (b, c)")
plt.show()

# %%
# What the defaults would have done
# ---------------------------------
#
# Without the article's settings, the estimator standardizes the features and
# picks its own learning rate (``learning_rate="auto"``), so it converges in a
# handful of epochs and stops by itself:
default_model = QuadraticGDRegressor().fit(X, y)
print(default_model.equation(precision=5))
print(f"{default_model.n_iter_} epochs, stopped by {default_model.stop_reason_!r}")
