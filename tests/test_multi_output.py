# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Several targets of very different scales: the loss is in the units of y."""

import numpy as np
import pytest

from sklearn_quadneuron import QuadraticGDRegressor


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_loss_curve_is_the_summed_mse_of_the_recorded_parameters(precompute, alpha):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 2))
    Y = np.column_stack(
        [
            X[:, 0] ** 2 + rng.normal(size=500),
            1000 * (X[:, 1] + rng.normal(size=500)),
            1e-3 * (X[:, 0] * 2 - X[:, 1] ** 2 + rng.normal(size=500)),
        ]
    )
    w = rng.uniform(0.5, 2.0, size=500)
    model = QuadraticGDRegressor(
        precompute=precompute, alpha=alpha, max_iter=40, tol=None, record_path=True
    ).fit(X, Y, sample_weight=w)
    Phi = np.hstack([X**2, X])
    for k in (0, 1, 10, 39):
        pred = Phi @ model.coef_path_[k].T + model.intercept_path_[k]
        mse = np.average((pred - Y) ** 2, axis=0, weights=w).sum()
        if alpha:
            # The penalty sits on the descent basis's coefficients: check the
            # loss alone, where it is exact, by a fit without penalty.
            assert model.loss_curve_[k] >= mse * (1 - 1e-12)
        else:
            assert model.loss_curve_[k] == pytest.approx(mse, rel=1e-9)
