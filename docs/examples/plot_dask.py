"""
====================================
Fitting a Dask array, on any cluster
====================================

:meth:`~sklearn_quadneuron.QuadraticGDRegressor.fit` accepts Dask arrays and
DataFrames. Every block of rows is reduced, where it lives, to the few sums the
loss needs; the sums are merged in a tree, and gradient descent runs on the
result. The data is never gathered in one place, and the model is the one an
in-memory fit would give.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Lazily generated data
# ---------------------
#
# A million samples of the article's ``y = 10 x^2 + 5 x + 12`` plus noise, in
# blocks of 250,000 rows. Nothing is computed yet: these are recipes.
import dask.array as da

rng = da.random.default_rng(0)
X = rng.uniform(-2, 2, size=(1_000_000, 1), chunks=(250_000, 1))
x = X[:, 0]
y = 10 * x**2 + 5 * x + 12 + rng.normal(0, 2, size=1_000_000, chunks=250_000)
X

# %%
# Fitting with the local scheduler
# --------------------------------
#
# Without a distributed client, Dask runs the blocks on local threads.
from sklearn_quadneuron import QuadraticGDRegressor

model = QuadraticGDRegressor().fit(X, y)
print(model.equation(precision=5))
print(f"{model.n_iter_} epochs on the statistics of {X.shape[0]:,} rows")

# %%
# Predictions are lazy too
# ------------------------
#
# ``predict`` on a Dask array returns a Dask array with the same row blocks;
# computing a slice of it reads only the blocks that slice needs.
y_pred = model.predict(X)
print(y_pred)
print(y_pred[:5].compute())

# %%
# The same fit on a distributed cluster
# -------------------------------------
#
# With a :class:`distributed.Client`, the same call runs on its workers. Here a
# small cluster in this process; an address of a real cluster works the same.
# The model does not depend on where the blocks were reduced. (``":0"`` serves
# the dashboard on any free port.)
from distributed import Client, LocalCluster

with (
    LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster,
    Client(cluster) as client,
):
    remote = QuadraticGDRegressor().fit(X, y)
print(remote.equation(precision=5))
print("largest coefficient difference:", abs(remote.coef_ - model.coef_).max())

# %%
# The fitted curve
# ----------------
#
# The first 2,000 points (computed from the first block only) against the
# fitted parabola.
import matplotlib.pyplot as plt
import numpy as np

sample = slice(0, 2_000)
x_sample, y_sample = da.compute(x[sample], y[sample])
grid = np.linspace(-2, 2, 200)[:, None]

fig, ax = plt.subplots(figsize=(6, 4))
ax.scatter(x_sample, y_sample, s=4, alpha=0.3, label="data (first 2,000 rows)")
ax.plot(grid[:, 0], model.predict(grid), color="C3", label=model.equation(4))
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend()
plt.show()
