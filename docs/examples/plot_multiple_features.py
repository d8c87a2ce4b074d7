"""
===================================
Several features: one parabola each
===================================

With several features the quadratic neuron is *additive*: it learns one
parabola per feature and a single intercept,

.. math::

    \\hat{y} = c + \\sum_j \\left(a_j x_j^2 + b_j x_j\\right),

with no cross terms :math:`x_j x_k`. This example fits such a model on a
:class:`pandas.DataFrame`, prints its equation with the column names, and draws
the parabola learned for each feature.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data with a different shape per feature
# ---------------------------------------
#
# Daily ice-cream sales, say, as a function of three measurements: a
# temperature with a sweet spot (sales peak at 28 degrees and fall on either
# side), a humidity with a linear effect, and a wind speed that only ever hurts,
# more and more. The true model is additive, so the neuron can represent it
# exactly.
import numpy as np
import pandas as pd

rng = np.random.default_rng(0)
n_samples = 800
X = pd.DataFrame(
    {
        "temperature": rng.uniform(5, 40, n_samples),
        "humidity": rng.uniform(20, 95, n_samples),
        "wind": rng.uniform(0, 15, n_samples),
    }
)
true_effects = {
    "temperature": lambda t: -0.5 * (t - 28) ** 2,
    "humidity": lambda h: -0.8 * h,
    "wind": lambda w: -0.6 * w**2,
}
y = 400 + sum(f(X[name]) for name, f in true_effects.items())
y = y + rng.normal(scale=10, size=n_samples)

# %%
# Fitting and reading the model
# -----------------------------
#
# The estimator standardizes each feature internally, so features in different
# units (degrees, percent, metres per second) need no preprocessing, and the
# coefficients come back in those units.
from sklearn_quadneuron import QuadraticGDRegressor

model = QuadraticGDRegressor().fit(X, y)
print(f"R^2 = {model.score(X, y):.3f} after {model.n_iter_} epochs")

# %%
# ``coef_`` holds the quadratic coefficients first, then the linear ones, in
# column order; :meth:`~sklearn_quadneuron.QuadraticGDRegressor.get_term_names`
# names them after the DataFrame's columns.
pd.Series(model.coef_, index=model.get_term_names())

# %%
# :meth:`~sklearn_quadneuron.QuadraticGDRegressor.equation` writes the whole
# model out. Expanding the truth gives
# :math:`-0.5\,t^2 + 28\,t - 0.8\,h - 0.6\,w^2 + 8`: the fit recovers it up to
# the noise.
print(model.equation(precision=3))

# %%
# One polynomial per feature
# --------------------------
#
# :meth:`~sklearn_quadneuron.QuadraticGDRegressor.to_polynomials` splits the
# model into one :class:`numpy.polynomial.Polynomial` per feature, which sum to
# the prediction (the intercept is placed in the first one). To compare each
# learned shape with the true effect, we center both over the data: an additive
# model identifies each feature's effect only up to a constant, which all
# features share through the intercept.
import matplotlib.pyplot as plt

polynomials = model.to_polynomials()
fig, axes = plt.subplots(1, 3, figsize=(12, 3.8), sharey=True)
for ax, name, poly in zip(axes, X.columns, polynomials):
    grid = np.linspace(X[name].min(), X[name].max(), 200)
    learned = poly(grid) - poly(X[name]).mean()
    truth = true_effects[name](grid) - true_effects[name](X[name]).mean()
    ax.plot(grid, truth, linewidth=5, alpha=0.4, label="true effect")
    ax.plot(grid, learned, "--", color="black", label="learned parabola")
    ax.set_xlabel(name)
    ax.set_title(str(poly.convert().coef[::-1].round(3)), fontsize=9)
axes[0].set_ylabel("effect on sales (centered)")
axes[0].legend()
fig.suptitle("Per-feature parabolas; titles: [a, b, c] of each polynomial")
fig.tight_layout()
plt.show()

# %%
# The fit against one feature
# ---------------------------
#
# :class:`~sklearn_quadneuron.plotting.FitDisplay` draws the data against one
# feature, chosen by name, with the model's curve, the other features held at
# their mean. The scatter is wide because the other two features vary; the
# curve is the temperature effect at average humidity and wind.
from sklearn_quadneuron.plotting import FitDisplay

display = FitDisplay.from_estimator(model, X, y, feature="temperature")
display.ax_.set_title("Sales against temperature, other features at their mean")
plt.show()

# %%
# No cross terms
# --------------
#
# An additive model cannot represent interactions: if the effect of
# temperature depended on humidity, no sum of one-feature parabolas would fit
# it. :class:`~sklearn.preprocessing.PolynomialFeatures` with ``degree=2``
# followed by a linear model includes every product :math:`x_j x_k` (here 9
# terms instead of 6); the neuron trades that flexibility for a model with one
# readable curve per feature. Here the data has no interaction, and the two
# score alike:
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures

full = make_pipeline(PolynomialFeatures(degree=2), LinearRegression())
print(f"additive neuron:         R^2 = {cross_val_score(model, X, y).mean():.4f}")
print(f"with interaction terms:  R^2 = {cross_val_score(full, X, y).mean():.4f}")
