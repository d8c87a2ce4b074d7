# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Epochs gradient descent needs to reach the least-squares optimum.

For each data set: the first epoch whose training loss is within 1e-6 of the
least-squares minimum (relatively, numpy's lstsq on [X**2, X, 1]), with the
default settings (learning_rate="auto", standardize=True), from a run of
``tol=None`` epochs; then what the default fit does (its stop reason, epochs,
and whether its loss is within 1e-6 of the minimum). Run it on two checkouts to
compare them: ``python benchmarks/bench_convergence.py``.
"""

import warnings

import numpy as np
from sklearn.datasets import load_diabetes, load_linnerud
from sklearn.exceptions import ConvergenceWarning

from sklearn_quadneuron import QuadraticGDRegressor


def datasets():
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000)
    yield (
        "article (x ~ N(0,1), noise 1)",
        x[:, None],
        10 * x**2 + 5 * x + 12 + rng.normal(size=1000),
    )
    e = rng.exponential(size=1000)
    yield "skewed (x ~ Exp(1))", e[:, None], 2 * e**2 - e + rng.normal(size=1000)
    X = np.column_stack([rng.normal(size=1000), rng.lognormal(size=1000)])
    yield (
        "lognormal + normal",
        X,
        X[:, 0] ** 2 + np.log1p(X[:, 1]) + rng.normal(size=1000),
    )
    z = rng.normal(size=1000)
    X = np.column_stack([z, z + 1e-2 * rng.normal(size=1000)])
    yield (
        "collinear (x2 = x1 + 0.01 noise)",
        X,
        X[:, 0] ** 2 - X[:, 1] + rng.normal(size=1000),
    )
    u = rng.uniform(0, 100, size=1000)
    yield "uniform 0..100", u[:, None], 0.5 * u**2 - 3 * u + rng.normal(size=1000)
    X, y = load_diabetes(return_X_y=True)
    yield "diabetes (10 features)", X, y
    X, Y = load_linnerud(return_X_y=True)
    yield "linnerud (3 features, 1st target)", X, Y[:, 0]


def minimum(X, y):
    design = np.column_stack([X**2, X, np.ones(len(y))])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    return float(np.mean((design @ solution - y) ** 2))


def main(max_epochs=200_000):
    print(f"{'data':36s} {'epochs to 1e-6':>15s} {'default fit':>28s}")
    for name, X, y in datasets():
        best = minimum(X, y)
        run = QuadraticGDRegressor(tol=None, max_iter=max_epochs).fit(X, y)
        curve = np.asarray(run.loss_curve_)
        reached = np.flatnonzero(curve - best <= 1e-6 * best)
        epochs = str(int(reached[0]) + 1) if reached.size else f"> {max_epochs}"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model = QuadraticGDRegressor().fit(X, y)
        loss = float(np.mean((model.predict(X) - y) ** 2))
        optimal = (
            "optimal" if loss - best <= 1e-6 * best else f"{loss / best - 1:.2g} above"
        )
        warned = " +warning" if caught else ""
        default = f"{model.stop_reason_} {model.n_iter_}, {optimal}{warned}"
        print(f"{name:36s} {epochs:>15s} {default:>28s}")


if __name__ == "__main__":
    main()
