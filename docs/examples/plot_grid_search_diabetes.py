"""
=====================================================
Model selection on the diabetes data set
=====================================================

:class:`~sklearn_quadneuron.QuadraticGDRegressor` is an ordinary scikit-learn
regressor: it goes into a :class:`~sklearn.pipeline.Pipeline`, is
cross-validated by :func:`~sklearn.model_selection.cross_val_score` and tuned
by :class:`~sklearn.model_selection.GridSearchCV`. This example tunes its
learning rate and L2 penalty on scikit-learn's diabetes data set and compares
the result with a plain :class:`~sklearn.linear_model.LinearRegression`.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# The data
# --------
#
# 442 patients, 10 baseline measurements (age, sex, body mass index, blood
# pressure and six blood serum measurements), and a measure of disease
# progression one year later. The data set ships with scikit-learn; with
# ``as_frame=True`` it comes as a :class:`pandas.DataFrame`, whose column names
# the estimator keeps.
from sklearn.datasets import load_diabetes

X, y = load_diabetes(return_X_y=True, as_frame=True)
X.head()

# %%
# A linear baseline
# -----------------
#
# All models below are scored by 5-fold cross-validation on the same shuffled
# folds, with the :math:`R^2` score.
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_val_score

cv = KFold(n_splits=5, shuffle=True, random_state=0)
linear_scores = cross_val_score(LinearRegression(), X, y, cv=cv)
print(
    f"LinearRegression: R^2 = {linear_scores.mean():.3f} +/- {linear_scores.std():.3f}"
)

# %%
# The quadratic neuron in a pipeline
# ----------------------------------
#
# With 10 features the neuron learns one parabola per feature, 21 parameters.
# The estimator standardizes internally, so the
# :class:`~sklearn.preprocessing.StandardScaler` is not needed for the descent;
# it is here to show the estimator as a pipeline step (and it makes the
# coefficients comparable across features: they are then per standard
# deviation).
#
# The features of this data set are correlated (the serum measurements ``s1``
# and ``s2`` especially), which makes the loss a long, flat valley: without a
# penalty, gradient descent needs thousands of epochs. Epochs are cheap, since
# each costs a few hundred multiplications whatever the number of samples, so
# we allow 10 000.
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_quadneuron import QuadraticGDRegressor

# set_output keeps the scaler's output a DataFrame, so the column names reach
# the estimator.
pipe = make_pipeline(StandardScaler(), QuadraticGDRegressor(max_iter=10_000))
pipe.set_output(transform="pandas")
quadratic_scores = cross_val_score(pipe, X, y, cv=cv)
print(
    f"QuadraticGDRegressor: R^2 = {quadratic_scores.mean():.3f} "
    f"+/- {quadratic_scores.std():.3f}"
)

# %%
# Tuning the learning rate and the penalty
# ----------------------------------------
#
# The grid crosses two learning rates with five values of ``alpha``, the L2
# penalty on the coefficients. Small learning rates cannot reach the minimum
# within ``max_iter`` epochs when the penalty is small; they issue a
# :class:`~sklearn.exceptions.ConvergenceWarning`, which we silence here: their
# lower scores in the table tell the same story.
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

param_grid = {
    "quadraticgdregressor__learning_rate": ["auto", 0.01],
    "quadraticgdregressor__alpha": [0.0, 0.01, 0.1, 1.0, 10.0],
}
search = GridSearchCV(pipe, param_grid, cv=cv)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    search.fit(X, y)
print("best parameters:", search.best_params_)
print(f"best R^2: {search.best_score_:.3f}")

# %%
# The mean cross-validated :math:`R^2` of every candidate:
import pandas as pd

results = pd.DataFrame(search.cv_results_)
table = results.pivot(
    index="param_quadraticgdregressor__alpha",
    columns="param_quadraticgdregressor__learning_rate",
    values="mean_test_score",
)
table.index.name, table.columns.name = "alpha", "learning_rate"
table.round(4)

# %%
# Once the descent converges, the learning rate does not change the model: the
# two columns agree, except without a penalty, where a step of 0.01 stops short
# of the minimum within ``max_iter`` epochs. The search is really over
# ``alpha``: here the best is no penalty at all, and a strong one (``alpha=1``
# or 10) shrinks the parabolas too much.
#
# Comparing the models
# --------------------
#
# The tuned model is scored once more on the same folds (a nested
# cross-validation would be needed for an unbiased estimate of the tuned
# model's score; the differences here are small either way).
import matplotlib.pyplot as plt

with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    tuned_scores = cross_val_score(search.best_estimator_, X, y, cv=cv)

scores = {
    "LinearRegression": linear_scores,
    "QuadraticGDRegressor\n(default)": quadratic_scores,
    "QuadraticGDRegressor\n(tuned)": tuned_scores,
}
fig, ax = plt.subplots(figsize=(7, 4))
ax.boxplot(list(scores.values()), orientation="horizontal")
ax.set_yticks(range(1, len(scores) + 1), list(scores))
ax.set_xlabel("$R^2$ on held-out folds")
ax.set_title("5-fold cross-validation on the diabetes data")
fig.tight_layout()
plt.show()

# %%
# The quadratic terms buy a little: the disease progression is close to linear
# in these measurements. Which terms matter? The fitted neuron names its
# coefficients after the DataFrame's columns.
best = search.best_estimator_[-1]
coefficients = pd.Series(best.coef_, index=best.get_term_names())
fig, ax = plt.subplots(figsize=(7, 5))
coefficients.plot.barh(ax=ax)
ax.axvline(0, color="black", linewidth=0.8)
ax.set_xlabel("coefficient (per standard deviation of the feature)")
ax.set_title("Terms of the tuned quadratic neuron")
fig.tight_layout()
plt.show()

# %%
# The largest coefficients are the linear terms of ``s1`` and ``s2``, with
# opposite signs: the two serum measurements are strongly correlated and the
# model leans on their difference, as a linear model does on this data. Body
# mass index (``bmi``), blood pressure (``bp``), ``s3`` and ``s5`` follow; the
# squared terms are mostly small corrections.
#
# ``sex`` deserves a remark. It takes two values, so its square is an exact
# linear function of it: ``sex^2`` and ``sex`` are not separately identifiable,
# only their combined effect on each of the two values is. Gradient descent
# started from zero settles on one particular split between them; read the two
# coefficients together.
print(best.equation(precision=3))
