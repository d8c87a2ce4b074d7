# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The article's loss from moments, and the L2 penalty: each formula once.

With expanded features ``phi = [x**2, x, 1]`` and parameters ``theta``, the model is
``y_hat = phi . theta`` and the residual is ``r = y_hat - y``. The loss is the
(weighted) mean squared error, summed over targets, plus an optional L2 penalty on
the coefficients (never on the intercept):

.. math::

    L(\\theta) = \\frac{\\sum_i w_i r_i^2}{\\sum_i w_i} + \\alpha \\|\\theta_{coef}\\|^2

    \\nabla L = \\frac{2}{\\sum_i w_i} \\sum_i w_i \\phi_i r_i
              + 2 \\alpha \\theta_{coef} = 2 (G \\theta - h) + 2 \\alpha D \\theta

where ``G = mean(phi phi^T)`` and ``h = mean(phi y)`` are the statistics. The
intercept's component is ``2 * mean(r)``: the exact derivative (the article's code
uses ``mean(r)``, half of it).
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class Moments:
    """Weighted moments of the expanded features ``phi`` and of the targets.

    Attributes
    ----------
    mean_phi : ndarray of shape (n_params,)
    mean_y : ndarray of shape (n_targets,)
    cov_phi : ndarray of shape (n_params, n_params)
    cov_phi_y : ndarray of shape (n_params, n_targets)
    var_y : ndarray of shape (n_targets,)
    weight : float
    """

    mean_phi: np.ndarray
    mean_y: np.ndarray
    cov_phi: np.ndarray
    cov_phi_y: np.ndarray
    var_y: np.ndarray
    weight: float

    def transformed(self, T):
        """Moments of ``T @ phi`` (a change of basis of the expanded features)."""
        return Moments(
            T @ self.mean_phi,
            self.mean_y,
            T @ self.cov_phi @ T.T,
            T @ self.cov_phi_y,
            self.var_y,
            self.weight,
        )

    def gram(self):
        """``G = mean(phi phi^T)`` and ``h = mean(phi y^T)``."""
        G = self.cov_phi + np.outer(self.mean_phi, self.mean_phi)
        h = self.cov_phi_y + np.outer(self.mean_phi, self.mean_y)
        return G, h

    @classmethod
    def from_samples(cls, Phi, Y, sample_weight=None):
        """Centered moments of expanded features ``Phi`` and targets ``Y``.

        Parameters
        ----------
        Phi : ndarray of shape (n_samples, n_params)
            Expanded features, the intercept's column of ones included.
        Y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : ndarray of shape (n_samples,), default=None

        Returns
        -------
        moments : Moments
        """
        Phi = np.asarray(Phi, dtype=float)
        Y = np.asarray(Y, dtype=float).reshape(Phi.shape[0], -1)
        w = np.ones(Phi.shape[0]) if sample_weight is None else sample_weight
        weight = float(w.sum())
        mean_phi = w @ Phi / weight
        mean_y = w @ Y / weight
        D = Phi - mean_phi
        E = Y - mean_y
        Dw = D * w[:, None]
        return cls(
            mean_phi,
            mean_y,
            Dw.T @ D / weight,
            Dw.T @ E / weight,
            np.einsum("i,it,it->t", w, E, E) / weight,
            weight,
        )

    def mse_per_column(self, theta):
        """Mean squared error of each column of ``theta`` (n_params, n_columns).

        Column t is scored against target t; with moments of a single target,
        every column is scored against it (a grid of candidate parameters).
        Evaluated as (mean residual)^2 + variance of the residual, both from
        centered moments, so that a large mean of y or of the features cannot
        cancel the digits of a small loss.
        """
        cov_phi_y = np.broadcast_to(self.cov_phi_y, theta.shape)
        bias = self.mean_phi @ theta - self.mean_y
        spread = (
            np.einsum("it,ij,jt->t", theta, self.cov_phi, theta)
            - 2.0 * np.einsum("it,it->t", theta, cov_phi_y)
            + self.var_y
        )
        return bias**2 + np.maximum(spread, 0.0)

    def mse(self, theta):
        """Mean squared error at ``theta`` (n_params, n_targets), summed."""
        return float(self.mse_per_column(theta).sum())


def per_feature_map(mean, comoment, diagonal, cross, shift):
    """Mean and co-moment of ``A v + shift``, ``A`` mixing each feature's own pair.

    ``v = [u**2 (p), u (p), y (k)]`` has mean ``mean`` and co-moment
    ``comoment``; ``A`` is diagonal (``diagonal``) but for the row of each
    ``u_j**2``, which also takes ``cross_j`` times ``u_j``. At most two entries
    a row: ``A comoment A^T`` in O((2p + k)**2), in the order of the dense
    products (a row's diagonal term first).
    """
    p = cross.shape[0]
    new_mean = diagonal * mean
    new_mean[:p] += cross * mean[p : 2 * p]
    new_mean += shift
    # A @ comoment, then (A @ comoment) @ A.T, each one sparse step.
    rows = diagonal[:, None] * comoment
    rows[:p] += cross[:, None] * comoment[p : 2 * p]
    new_comoment = rows * diagonal
    new_comoment[:, :p] += rows[:, p : 2 * p] * cross
    return new_mean, new_comoment


class L2Penalty:
    """``alpha * ||theta * mask||^2``: the coefficients, never the intercept.

    Parameters
    ----------
    alpha : float
        Strength of the penalty (0: none).
    mask : ndarray of shape (n_params,)
        1 for a penalised parameter, 0 for the intercept.
    """

    def __init__(self, alpha, mask):
        self.alpha = float(alpha)
        self.mask = mask

    def value(self, theta):
        """The penalty at ``theta`` (n_params, n_targets)."""
        if not self.alpha:
            # Unpenalised parameters may be far too large to square (raw
            # features of tiny scale): square nothing when there is no penalty.
            return 0.0
        return self.alpha * float(((theta * self.mask[:, None]) ** 2).sum())

    def per_column(self, theta):
        """The penalty of each column of ``theta`` (each target's parameters)."""
        if not self.alpha:
            return np.zeros(theta.shape[1])
        return self.alpha * ((theta * self.mask[:, None]) ** 2).sum(axis=0)

    def gradient(self, theta):
        """``2 alpha D theta``, or 0 without a penalty."""
        if not self.alpha:
            return 0.0
        return 2.0 * self.alpha * (theta * self.mask[:, None])

    def hessian_diagonal(self):
        """``alpha D``: half the penalty's (diagonal) Hessian."""
        return self.alpha * self.mask
