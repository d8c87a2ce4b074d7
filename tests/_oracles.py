# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Per-sample oracles: the loss and its gradient by their definitions.

Written plainly, one sample at a time in effect, so that the package's arithmetic
(statistics, closed forms, chained gradients) is checked against something it
shares nothing with; and the update rules of the optimizers as scikit-learn's
MLP writes them, for the loops of the tests.
"""

import math

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


def step_rule(solver, lr, momentum=0.9, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
    """A function ``update(theta, g)`` holding its own state, as in MLP."""
    state = {"v": 0.0, "m": 0.0, "s": 0.0, "t": 0}

    def update(theta, g):
        if solver == "gd":
            return theta - lr * g
        if solver in ("momentum", "nesterov"):
            state["v"] = momentum * state["v"] - lr * g
            if solver == "momentum":
                return theta + state["v"]
            return theta + momentum * state["v"] - lr * g
        state["t"] += 1
        t = state["t"]
        state["m"] = beta_1 * state["m"] + (1 - beta_1) * g
        state["s"] = beta_2 * state["s"] + (1 - beta_2) * g**2
        rate = lr * math.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        return theta - rate * state["m"] / (np.sqrt(state["s"]) + epsilon)

    return update


def loss_and_gradient(Phi, y, theta, w):
    """Weighted MSE (summed over targets) and its gradient."""
    r = Phi @ theta - y
    wr = w.reshape(-1, *[1] * (r.ndim - 1)) * r
    return float(np.sum(wr * r) / w.sum()), 2.0 * Phi.T @ wr / w.sum()


def standardized_basis(X, w):
    """[u2_1 .. u2_p, u_1 .. u_p, 1] from their definition, with the mean and std.

    u standardizes x; u2 is u**2 less its projection on u and 1 (the skew
    E[u**3] times u, and 1), scaled to unit variance.
    """
    mean = w @ X / w.sum()
    std = np.sqrt(w @ (X - mean) ** 2 / w.sum())
    U = (X - mean) / std
    skew = w @ U**3 / w.sum()
    S = U**2 - 1 - skew * U
    S /= np.sqrt(w @ (S - w @ S / w.sum()) ** 2 / w.sum())
    return np.column_stack([S, U, np.ones(len(X))]), mean, std


def standardized_columns(X, w):
    """The columns of :func:`standardized_basis` alone."""
    return standardized_basis(X, w)[0]


def raw_columns(X):
    return np.column_stack([X**2, X, np.ones(len(X))])
