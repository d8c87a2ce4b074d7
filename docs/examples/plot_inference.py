"""
=========================================
Inference a statistician would report
=========================================

The table of :meth:`~sklearn_quadneuron.QuadraticGDRegressor.summary` is
where inference starts. This example goes on where statsmodels' and R's
users go next, on scikit-learn's diabetes data: standard errors that do not
assume a constant error variance, the covariance of the coefficients,
intervals for new patients, the diagnostics of the residuals, and the one
question every quadratic model raises: where does the curve turn, and how
sure is that? Each number is checked against the statsmodels call that gives
it.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The fit, and statsmodels' beside it
# -----------------------------------
#
# Nine baseline measurements (``sex``, two-valued, has no square of its own)
# and the progression of the disease a year later. ``newton-cholesky``
# reaches the least-squares minimum; statsmodels fits ``OLS`` on the expanded
# design ``[X**2, X, 1]``, the same model.
import numpy as np
import statsmodels.api as sm
from sklearn.datasets import load_diabetes

from sklearn_quadneuron import QuadraticGDRegressor

X, y = load_diabetes(return_X_y=True, as_frame=True)
X = X.drop(columns="sex")
model = QuadraticGDRegressor(solver="newton-cholesky").fit(X, y)
design = np.column_stack([X**2, X, np.ones(len(X))])
ols = sm.OLS(y.to_numpy(), design)


def largest_difference(ours, theirs):
    """The largest relative difference, element by element."""
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    return float(np.max(np.abs(ours - theirs) / np.abs(theirs)))


# %%
# Robust standard errors
# ----------------------
#
# The plain standard errors assume every patient's error has the same
# variance. ``cov_type="HC3"`` (MacKinnon and White's) does not: it reads
# each residual, so the training data is passed once more. The tests then
# take the normal distribution, as statsmodels does.
robust = model.summary(cov_type="HC3", X=X, y=y)
result = ols.fit(cov_type="HC3")
difference = largest_difference(robust["std_err"], result.bse)
print(f"std_err vs statsmodels: {difference:.1e}")
import pandas as pd

squares = [f"{name}^2" for name in X.columns]
comparison = pd.DataFrame(
    {
        "std_err": model.summary()["std_err"].to_numpy(),
        "std_err HC3": robust["std_err"].to_numpy(),
        "p_value HC3": robust["p_value"].to_numpy(),
    },
    index=robust.index,
)
comparison.loc[squares].round(4)

# %%
# ``age``, ``s5`` and ``s6`` keep squares whose robust p-values stay below
# 5%: their curvature does not rest on the constant-variance assumption.
#
# The covariance of the coefficients, as ``result.cov_params()``:
cov = model.cov_params(cov_type="HC3", X=X, y=y)
print(f"cov_params vs statsmodels: {largest_difference(cov, result.cov_params()):.1e}")

# %%
# The residuals' diagnostics
# --------------------------
#
# Passing the data also gives statsmodels' diagnostics: the omnibus and
# Jarque-Bera tests of normality, skew, kurtosis, Durbin-Watson, and the
# condition number of the design.
figures = robust.attrs["model"].iloc[0]
plain = ols.fit()
from statsmodels.stats.stattools import durbin_watson, jarque_bera, omni_normtest

jb, jb_p, skew, kurtosis = jarque_bera(plain.wresid)
theirs = {
    "omnibus": omni_normtest(plain.wresid)[0],
    "jarque_bera": jb,
    "skew": skew,
    "kurtosis": kurtosis,
    "durbin_watson": durbin_watson(plain.wresid),
    "condition_number": plain.condition_number,
}
for name, value in theirs.items():
    print(f"{name:>16}: {figures[name]:10.4f}  (statsmodels {value:.4f})")

# %%
# Neither test rejects normal errors at 5%, the residuals show no serial
# correlation (Durbin-Watson near 2: the rows are patients, not times), and
# the condition number of ``[X**2, X, 1]`` in the data's units is large only
# because the features are small numbers (the estimator works in a
# standardized basis). All of it, laid out as statsmodels prints it:
print(model.summary_text(cov_type="HC3", X=X, y=y))

# %%
# Intervals for new patients
# --------------------------
#
# :meth:`~sklearn_quadneuron.QuadraticGDRegressor.get_prediction` gives the
# mean and its confidence interval, and the interval for one new observation,
# from the statistics alone: the columns of statsmodels'
# ``get_prediction(exog).summary_frame(alpha)``.
new = X.iloc[:4]
frame = model.get_prediction(new, confidence_level=0.95)
expected = plain.get_prediction(design[:4]).summary_frame(alpha=0.05)
print(f"vs statsmodels: {largest_difference(frame, expected):.1e}")
frame.round(1)

# %%
# Where does the curve turn?
# --------------------------
#
# Each feature's parabola ``a x**2 + b x + ...`` turns at ``x = -b / (2a)``.
# :meth:`~sklearn_quadneuron.QuadraticGDRegressor.turning_points` gives it,
# its standard error (the delta method) and Fieller's interval, exact under
# normal errors: the ``x`` at which the slope ``b + 2 a x`` is not
# significantly different from 0. Where the square is not significantly
# non-zero, the slope is nowhere surely 0 or surely not: the set is unbounded
# and a note gives it.
points = model.turning_points(confidence_level=0.95)
points.round(4)

# %%
for note in points.attrs["notes"]:
    print(note)

# %%
# ``age`` turns inside the data (its values run from -0.107 to 0.111):
# progression is lowest near the mean age. Fieller's interval around that
# minimum is lopsided and about twice as wide as the delta method's
# symmetric one (``x +/- 1.97 std_err``), which would overstate how well the
# data places it. ``s6`` turns inside its data too; ``s5`` just below its
# lowest value, where the curve is extrapolated. The same interval from
# statsmodels' estimates, by the formula written out: the roots of ``(b + 2 a
# x)**2 = t**2 Var(b + 2 a x)``.
from scipy import stats

j, p = list(X.columns).index("age"), X.shape[1]
a, b = plain.params[j], plain.params[p + j]
V = plain.cov_params()[np.ix_([j, p + j], [j, p + j])]
t = stats.t.ppf(0.975, plain.df_resid)
quadratic = [
    4 * (a * a - t * t * V[0, 0]),
    4 * (a * b - t * t * V[0, 1]),
    b * b - t * t * V[1, 1],
]
print("Fieller's interval from statsmodels:", np.sort(np.roots(quadratic)))
print("turning_points():", points.loc["age", ["ci_lower", "ci_upper"]].to_numpy())

# %%
# The vertex on the fitted curve, the other features at their mean:
import matplotlib.pyplot as plt

from sklearn_quadneuron.plotting import FitDisplay

fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
display = FitDisplay.from_estimator(
    model, X, y, feature="age", show_turning_point=True, ax=ax
)
ax.set_title("Diabetes: progression against age, its minimum and its interval")
plt.show()
