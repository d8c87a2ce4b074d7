"""
====================================================================
Gradient descent against numpy.polyfit and least squares
====================================================================

The neuron's loss is a least-squares problem in disguise: the model is linear
in :math:`(a, b, c)`, so the minimum of the mean squared error is the
least-squares fit of :math:`y` on :math:`[x^2, x, 1]`, which
:func:`numpy.polyfit` and :class:`~sklearn.linear_model.LinearRegression`
compute directly. A converged
:class:`~sklearn_quadneuron.QuadraticGDRegressor` must find the same
coefficients. This example checks it, including on data with a large offset,
where a naive fit loses digits.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Noisy data from the article's parabola
# --------------------------------------
from sklearn_quadneuron.datasets import make_quadratic

X, y = make_quadratic(n_samples=2000, noise=3.0, random_state=0)
x = X[:, 0]

# %%
# Three ways to the same coefficients
# -----------------------------------
#
# - :func:`numpy.polyfit` with degree 2 returns ``[a, b, c]``, highest power
#   first: the same order as ``coef_`` followed by ``intercept_``;
# - :class:`~sklearn.linear_model.LinearRegression` on the expanded features
#   ``[x**2, x]``;
# - gradient descent, with the default ``learning_rate="auto"`` and a tight
#   ``tol`` so that it runs to the minimum.
import numpy as np
from sklearn.linear_model import LinearRegression

from sklearn_quadneuron import QuadraticGDRegressor

polyfit = np.polyfit(x, y, 2)
linear = LinearRegression().fit(np.column_stack([x**2, x]), y)
descent = QuadraticGDRegressor(tol=1e-12).fit(X, y)

table = np.array(
    [
        polyfit,
        [*linear.coef_, linear.intercept_],
        [*descent.coef_, descent.intercept_],
    ]
)
for name, row in zip(["numpy.polyfit", "LinearRegression", "gradient descent"], table):
    print(f"{name:>18}: a = {row[0]:.10f}  b = {row[1]:.10f}  c = {row[2]:.10f}")
print(f"gradient descent ran {descent.n_iter_} epochs")
print(f"largest difference from polyfit: {np.abs(table[2] - table[0]).max():.2e}")

# %%
# The three agree to rounding error, about 14 significant digits. They are not
# exactly 10, 5 and 12: with noise, the least-squares minimum is an estimate of
# the true parameters, and gradient descent converges to that minimum, not to
# the truth.
#
# The same model, drawn
# ---------------------
#
# :meth:`~sklearn_quadneuron.QuadraticGDRegressor.to_polynomials` returns the
# fitted model as a :class:`numpy.polynomial.Polynomial`, which evaluates like
# :func:`numpy.polyval` with polyfit's coefficients. The right panel shows the
# difference between the two curves: rounding noise.
import matplotlib.pyplot as plt

(poly,) = descent.to_polynomials()
grid = np.linspace(x.min(), x.max(), 300)

fig, (ax_fit, ax_diff) = plt.subplots(1, 2, figsize=(11, 4))
ax_fit.scatter(x, y, s=4, alpha=0.3, color="gray", label="data")
ax_fit.plot(grid, np.polyval(polyfit, grid), linewidth=4, alpha=0.5, label="polyfit")
ax_fit.plot(grid, poly(grid), "--", color="black", label="gradient descent")
ax_fit.set_xlabel("x")
ax_fit.set_ylabel("y")
ax_fit.legend()
ax_fit.set_title("Fitted parabolas")
ax_diff.plot(grid, descent.predict(grid[:, None]) - np.polyval(polyfit, grid))
ax_diff.set_xlabel("x")
ax_diff.set_ylabel("gradient descent - polyfit")
ax_diff.set_title("Difference of the predictions")
fig.tight_layout()
plt.show()

# %%
# A large offset
# --------------
#
# Move the same data far from zero: :math:`x' = x + 1000`. The model can still
# represent the same curve (the coefficients change to absorb the shift), but
# the columns :math:`x'^2` and :math:`x'` are now almost collinear and
# :math:`x'^4` reaches :math:`10^{12}`. Gradient descent on those raw columns
# would crawl; the estimator standardizes :math:`x'` before squaring and
# accumulates centred statistics, so it loses nothing.
x_far = x + 1000.0
X_far = x_far[:, None]

polyfit_far = np.polyfit(x_far, y, 2)
descent_far = QuadraticGDRegressor(tol=1e-12).fit(X_far, y)
# Twelve digits for these two lines only: the gallery runs every example in one
# process, and a global setting would carry over to the pages built after it.
with np.printoptions(precision=12):
    print("numpy.polyfit    :", polyfit_far)
    print("gradient descent :", np.array([*descent_far.coef_, descent_far.intercept_]))
print(f"gradient descent ran {descent_far.n_iter_} epochs")

# %%
# The coefficients agree with polyfit to the digits the offset leaves (``c``
# is now about :math:`10^7`, the difference of large terms). What matters is
# the prediction: both models give the same curve as the fit without offset.
print(
    "largest prediction difference, offset fit vs. fit at zero: "
    f"{np.abs(descent_far.predict(X_far) - descent.predict(X)).max():.2e}"
)

# %%
# What gradient descent adds
# --------------------------
#
# For a least-squares problem this small, a direct solver is the right tool
# for the final numbers, and the estimator does not pretend otherwise. What the
# descent gives is the path: the article's lesson of a loss falling epoch by
# epoch (``loss_curve_``), parameters walking to the minimum
# (``record_path=True``), and the behaviour of learning rates and stopping
# rules, with a model that still ends at the exact least-squares answer.
