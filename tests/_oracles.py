# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Per-sample oracles: the loss and its gradient by their definitions.

Written plainly, one sample at a time in effect, so that the package's arithmetic
(statistics, closed forms, chained gradients) is checked against something it
shares nothing with.
"""

import numpy as np


def squared_loss(y, y_pred, sample_weight=None):
    """Weighted mean squared error, summed over targets."""
    r2 = (np.asarray(y_pred) - np.asarray(y)) ** 2
    if r2.ndim == 1:
        r2 = r2[:, None]
    return float(np.average(r2, axis=0, weights=sample_weight).sum())


def loss_gradient_per_sample(Phi, y, theta, sample_weight=None, alpha=0.0, mask=None):
    """Loss and gradient of ``mean(w r**2) + alpha ||theta * mask||**2``.

    ``Phi`` (n_samples, n_params) holds the expanded features, the intercept's
    column of ones included; ``r = Phi @ theta - y``.
    """
    r = Phi @ theta - y
    w = np.ones(Phi.shape[0]) if sample_weight is None else sample_weight
    total = w.sum()
    loss = float((w @ r**2).sum() / total)
    gradient = 2.0 * (Phi.T @ (w[:, None] * r)) / total
    if alpha:
        penalised = theta * mask[:, None]
        loss += alpha * float((penalised**2).sum())
        gradient = gradient + 2.0 * alpha * penalised
    return loss, gradient


def central_differences(f, theta, eps=1e-6):
    """Numerical gradient of a scalar function of an array, by central steps."""
    numeric = np.zeros_like(theta)
    for idx in np.ndindex(theta.shape):
        step = np.zeros_like(theta)
        step[idx] = eps
        numeric[idx] = (f(theta + step) - f(theta - step)) / (2 * eps)
    return numeric
