"""
=========================================
Streaming a CSV file through partial_fit
=========================================

The quadratic neuron needs the data only through a few sums, and the sums of two
chunks combine exactly into the sums of their union. So a file too large for
memory can be read in chunks with :func:`pandas.read_csv` and fed to
:meth:`~sklearn_quadneuron.QuadraticGDRegressor.partial_fit`: after the last
chunk the model is the one :meth:`~sklearn_quadneuron.QuadraticGDRegressor.fit`
finds on the whole file.
"""

# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A CSV file of the article's data
# --------------------------------
#
# 20,000 noisy samples of ``y = 10 x^2 + 5 x + 12``, written to a temporary
# file. In practice the file would be the one too large to load.
import tempfile
from pathlib import Path

import pandas as pd

from sklearn_quadneuron.datasets import make_quadratic

X, y = make_quadratic(n_samples=20_000, noise=20.0, random_state=0)
path = Path(tempfile.mkdtemp()) / "quadratic.csv"
pd.DataFrame({"x": X[:, 0], "y": y}).to_csv(path, index=False)

# %%
# One chunk at a time
# -------------------
#
# ``chunksize`` makes :func:`pandas.read_csv` return an iterator of DataFrames.
# Each call to ``partial_fit`` adds the chunk's statistics to those seen so far
# and runs gradient descent on all of them, from the current parameters. The
# coefficients after each chunk are kept to watch them settle.
from sklearn_quadneuron import QuadraticGDRegressor

stream = QuadraticGDRegressor(tol=1e-10, max_iter=2000)
seen, path_a, path_b, path_c = [], [], [], []
for chunk in pd.read_csv(path, chunksize=1_000):
    stream.partial_fit(chunk[["x"]], chunk["y"])
    seen.append((seen[-1] if seen else 0) + len(chunk))
    path_a.append(stream.coef_[0])
    path_b.append(stream.coef_[1])
    path_c.append(stream.intercept_)
print(stream.equation(precision=5))

# %%
# The same model as a fit on the whole file
# -----------------------------------------
#
# Merging statistics loses nothing: the streamed model and the model fitted on
# the whole file agree to the tolerance of gradient descent.
whole = pd.read_csv(path)
full = QuadraticGDRegressor(tol=1e-10, max_iter=2000).fit(whole[["x"]], whole["y"])
print(full.equation(precision=5))
print("largest coefficient difference:", abs(stream.coef_ - full.coef_).max())

# %%
# The estimates as the chunks arrive
# ----------------------------------
#
# Early chunks give noisy estimates; each new chunk moves them towards the
# full-data fit (dashed), which they reach with the last chunk.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharex=True)
for ax, values, final, label in zip(
    axes,
    (path_a, path_b, path_c),
    (full.coef_[0], full.coef_[1], full.intercept_),
    ("a (x^2)", "b (x)", "c (intercept)"),
):
    ax.plot(seen, values, marker="o", markersize=3)
    ax.axhline(final, color="k", linestyle="--", linewidth=1)
    ax.set_title(label)
    ax.set_xlabel("samples seen")
fig.suptitle("partial_fit on a chunked CSV file")
fig.tight_layout()
plt.show()
