"""
=======================
Is the curvature real?
=======================

A fitted parabola always bends a little: noise alone gives every square a
coefficient that is not exactly 0. Whether the bend is worth believing is a
question for statistics: how large is the coefficient next to its standard
error? :meth:`~sklearn_quadneuron.QuadraticGDRegressor.summary` answers it
with the inference of ordinary least squares, computed from the statistics the
fit gathered. This example asks it on scikit-learn's diabetes data, measured
on 442 patients, and checks the numbers against statsmodels.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The data and the fit
# --------------------
#
# Ten baseline measurements and a measure of disease progression a year
# later. ``sex`` takes two values: its square is the same column as itself, up
# to an offset and a scale, so the squared term of ``sex`` is not identifiable
# and :meth:`summary` would refuse the design (it names ``sex^2`` as
# collinear). The nine measured features remain. ``solver="newton-cholesky"``
# reaches the least-squares minimum in one step.
from sklearn.datasets import load_diabetes

from sklearn_quadneuron import QuadraticGDRegressor

X, y = load_diabetes(return_X_y=True, as_frame=True)
X = X.drop(columns="sex")
model = QuadraticGDRegressor(solver="newton-cholesky").fit(X, y)
print(f"stopped: {model.stop_reason_}, R^2 = {model.score(X, y):.4f}")

# %%
# The table
# ---------
#
# One row per term, squares first, then the linear terms and the intercept.
# ``p_value`` is the probability of a ``|t|`` at least as large if the
# coefficient were 0, under independent errors of constant variance.
table = model.summary()
table.round(4)

# %%
# The model as a whole (``table.attrs["model"]``): the :math:`F` test of all
# terms against the intercept alone, the log-likelihood and the information
# criteria.
table.attrs["model"]

# %%
# The same, laid out as statsmodels prints its summaries:
print(model.summary_text())

# %%
# The squares and their intervals
# -------------------------------
#
# The curvature of each feature, with its 95% confidence interval. An
# interval that straddles 0 leaves the sign of the bend undecided; the
# coefficients are in the units of the data (diabetes's features are scaled,
# hence their size), so each is drawn relative to its own standard error.
import matplotlib.pyplot as plt
import numpy as np

squares = table.loc[[f"{name}^2" for name in X.columns]]
t = squares["coef"] / squares["std_err"]
half = (squares["ci_upper"] - squares["ci_lower"]) / 2 / squares["std_err"]
significant = squares["p_value"] < 0.05

fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
positions = np.arange(len(squares))
ax.errorbar(
    t,
    positions,
    xerr=half,
    fmt="none",
    ecolor="0.6",
    capsize=3,
)
ax.scatter(t[~significant], positions[~significant], color="0.4", label="p >= 0.05")
ax.scatter(t[significant], positions[significant], color="C3", label="p < 0.05")
ax.axvline(0.0, color="k", linewidth=0.8)
ax.set_yticks(positions, squares.index)
ax.invert_yaxis()
ax.set_xlabel("coefficient of the square / its standard error (95% interval)")
ax.set_title("Diabetes: which curvatures are real?")
ax.legend(loc="upper left")
plt.show()

# %%
# Three squares (``age``, ``s5`` and ``s6``) have intervals clear of 0 at the
# 5% level; the others' bends are within what noise would give. With nine
# tests at once, about one in twenty would look significant by chance alone:
# read the p-values as evidence, not verdicts.
#
# The same numbers from statsmodels
# ---------------------------------
#
# statsmodels' ``OLS`` on the expanded design ``[X**2, X, 1]`` gives the same
# coefficients, standard errors and tests; the largest relative difference:
import statsmodels.api as sm

design = np.column_stack([X**2, X, np.ones(len(X))])
result = sm.OLS(y.to_numpy(), design).fit()
for column, theirs in [("coef", result.params), ("std_err", result.bse)]:
    ours = table[column].to_numpy()
    print(f"{column}: {np.max(np.abs(ours / theirs - 1)):.1e}")
print(f"R^2: {table.attrs['model']['rsquared'].iloc[0]:.10f} vs {result.rsquared:.10f}")

# %%
# The summary is computed from the statistics of the fit, never from the data
# again: after :meth:`~sklearn_quadneuron.QuadraticGDRegressor.partial_fit` over
# chunks, or on a Dask array, it is the same. See the User Guide for the
# assumptions and for what ``sample_weight`` means here (the weights of
# weighted least squares).
