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

from ._triangular import triangular_factor


@dataclass
class Moments:
    """Weighted means and triangular factor of the expanded features and targets.

    The expanded features ``phi = [f_1 .. f_{q-1}, 1]`` end with the constant.
    The centered rows ``sqrt(w_i) [f_i - mean_f, y_i - mean_y]`` are kept as
    their upper-triangular factor ``factor``: with ``F_ff``, ``F_fy`` its
    blocks on the features and ``F_yy`` the trailing (k x k) block, the mean
    squared error of ``theta = [beta, c]`` for target t is

    .. math::

        (\\bar\\phi \\cdot \\theta - \\bar y_t)^2
        + \\frac{\\|F_{ff} \\beta - F_{fy} e_t\\|^2 + \\|F_{yy} e_t\\|^2}{W}

    a sum of squares with nothing subtracted but the residuals themselves: no
    digit of a small loss is lost against the variance of y.

    Attributes
    ----------
    mean_phi : ndarray of shape (n_params,)
        Weighted mean of phi (its last entry, the constant's, is 1).
    mean_y : ndarray of shape (n_targets,)
    factor : ndarray of shape (n_params - 1 + n_targets, n_params - 1 + n_targets)
    weight : float
    """

    mean_phi: np.ndarray
    mean_y: np.ndarray
    factor: np.ndarray
    weight: float

    @property
    def _q(self):
        return self.mean_phi.shape[0] - 1

    @property
    def design(self):
        """``F_ff``: the factor of the centered features."""
        return self.factor[: self._q, : self._q]

    @property
    def projected(self):
        """``F_fy``: the targets' part in the features' span, (q - 1, k)."""
        return self.factor[: self._q, self._q :]

    @property
    def residual_squares(self):
        """``||F_yy e_t||**2``: each target's least-squares residual sum."""
        return (self.factor[self._q :, self._q :] ** 2).sum(axis=0)

    def restricted(self, keep):
        """The moments of the columns of phi where ``keep`` (the constant kept)."""
        q = self._q
        k = self.mean_y.shape[0]
        columns = np.concatenate([np.flatnonzero(keep[:q]), q + np.arange(k)])
        factor = self.factor[:, columns]
        if not keep[:q].all():
            factor = triangular_factor(factor)
        return Moments(self.mean_phi[keep], self.mean_y, factor, self.weight)

    def covariance(self):
        """``cov(phi)`` (the constant's row and column 0) and ``cov(phi, y)``."""
        q = self._q
        F = self.factor / np.sqrt(self.weight)
        cov = F.T @ F
        cov_phi = np.zeros((q + 1, q + 1))
        cov_phi[:q, :q] = cov[:q, :q]
        cov_phi_y = np.zeros((q + 1, self.mean_y.shape[0]))
        cov_phi_y[:q] = cov[:q, q:]
        return cov_phi, cov_phi_y

    def gram(self):
        """``G = mean(phi phi^T)`` and ``h = mean(phi y^T)``."""
        cov_phi, cov_phi_y = self.covariance()
        G = cov_phi + np.outer(self.mean_phi, self.mean_phi)
        h = cov_phi_y + np.outer(self.mean_phi, self.mean_y)
        return G, h

    @classmethod
    def from_samples(cls, Phi, Y, sample_weight=None):
        """The moments of expanded features ``Phi`` (constant last) and ``Y``.

        The factor is Householder QR's of ``sqrt(w) [1, Phi - m, Y - m_y]``
        (``m`` the computed means): with the constant column first, the
        trailing block is the factor of the rows centered on their exact
        means, whatever the rounding of ``m``.

        Parameters
        ----------
        Phi : ndarray of shape (n_samples, n_params)
            Expanded features, the intercept's column of ones last.
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
        V = np.column_stack([Phi[:, :-1], Y])
        mean = w @ V / weight
        root = np.sqrt(w)[:, None]
        R = triangular_factor(np.column_stack([root, (V - mean) * root]))
        mean = mean + R[0, 1:] / R[0, 0]
        q = Phi.shape[1] - 1
        return cls(np.append(mean[:q], 1.0), mean[q:], R[1:, 1:], weight)

    def mse_per_column(self, theta):
        """Mean squared error of each column of ``theta`` (n_params, n_columns).

        Column t is scored against target t; with moments of a single target,
        every column is scored against it (a grid of candidate parameters).
        """
        q = self._q
        projected = self.projected
        if projected.shape[1] != theta.shape[1]:
            projected = np.broadcast_to(projected, (q, theta.shape[1]))
        residual_squares = np.broadcast_to(self.residual_squares, theta.shape[1:])
        bias = self.mean_phi @ theta - self.mean_y
        residual = self.design @ theta[:q] - projected
        spread = ((residual**2).sum(axis=0) + residual_squares) / self.weight
        return bias**2 + spread

    def mse(self, theta):
        """Mean squared error at ``theta`` (n_params, n_targets), summed."""
        return float(self.mse_per_column(theta).sum())


def per_feature_map(mean, factor, diagonal, cross, shift):
    """Mean and triangular factor of ``A v + shift``, ``A`` mixing each feature's
    own pair.

    ``v = [u**2 (p), u (p), y (k)]`` has mean ``mean`` and centered rows whose
    upper-triangular factor is ``factor``; ``A`` is diagonal (``diagonal``) but
    for the row of each ``u_j**2``, which also takes ``cross_j`` times
    ``u_j``. The centered rows of ``A v`` are those of ``v`` times ``A^T``: at
    most two entries a column, so ``factor @ A.T`` costs O((2p + k)**2), and
    its QR gives the new factor (no QR when ``A`` is diagonal and positive:
    the product is triangular already).
    """
    p = cross.shape[0]
    new_mean = diagonal * mean
    new_mean[:p] += cross * mean[p : 2 * p]
    new_mean += shift
    rows = factor * diagonal
    rows[:, :p] += factor[:, p : 2 * p] * cross
    if np.any(cross != 0) or np.any(diagonal < 0):
        rows = triangular_factor(rows)
    return new_mean, rows


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
