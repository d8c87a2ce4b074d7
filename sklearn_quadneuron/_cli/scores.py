# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The R^2 of a fitted model on rows read once, chunk by chunk."""

import numpy as np


class ResidualSums:
    """What the R^2 of any additive quadratic model on a stream of rows needs.

    The residual sum of squares of ``y_hat = c + sum_j (a_j x_j**2 + b_j x_j)``
    is a quadratic form in the coefficients: it is read from the count, the
    sums and the cross-products of ``z = [t**2, t, y - s]``, with ``t = x - r``
    and ``r``, ``s`` the first chunk's means of the features and the target.
    The shifts keep the sums near the spread of the data, so that centering
    them at the end loses little (and ``t**2`` and ``t`` are not nearly
    collinear for a feature far from 0). The sums of chunks add up; the model
    is known only once every row was read, and nothing is read twice.
    """

    def __init__(self):
        self.count = 0
        self.x_shift = self.y_shift = self.sums = self.products = None

    def add(self, X, y):
        """Add rows: X of shape (n, p), y of shape (n,), both float64."""
        n, p = X.shape
        if n == 0:
            return
        if self.count == 0:
            self.x_shift, self.y_shift = X.mean(axis=0), float(y.mean())
            self.sums = np.zeros(2 * p + 1)
            self.products = np.zeros((2 * p + 1, 2 * p + 1))
        # One row of z per variable: each a contiguous vector for the product.
        z = np.empty((2 * p + 1, n))
        np.subtract(X.T, self.x_shift[:, None], out=z[p : 2 * p])
        np.multiply(z[p : 2 * p], z[p : 2 * p], out=z[:p])
        np.subtract(y, self.y_shift, out=z[2 * p])
        self.sums += z.sum(axis=1)
        self.products += z @ z.T
        self.count += n

    def rsquared(self, coef, intercept):
        """R^2 of the model ``coef`` (``[a_1..a_p, b_1..b_p]``), ``intercept``.

        As :func:`sklearn.metrics.r2_score`: 1.0 for a perfect fit of a
        constant target, 0.0 for an imperfect one.
        """
        coef = np.asarray(coef, dtype=np.float64).ravel()
        p = coef.shape[0] // 2
        a, b = coef[:p], coef[p:]
        r = self.x_shift
        # a x^2 + b x = a t^2 + (b + 2 a r) t + (a r^2 + b r), t = x - r; the
        # residual is then v . z - c_t.
        b_t = b + 2.0 * a * r
        c_t = float(intercept) + float(np.sum(a * r * r + b * r)) - self.y_shift
        v = np.concatenate([-a, -b_t, [1.0]])
        mean = self.sums / self.count
        cross = self.products - self.count * np.outer(mean, mean)
        mean_residual = float(v @ mean) - c_t
        spread = max(float(v @ cross @ v), 0.0)
        ssr = spread + self.count * mean_residual**2
        tss = max(float(cross[-1, -1]), 0.0)
        if tss == 0.0:
            return 1.0 if ssr == 0.0 else 0.0
        return 1.0 - ssr / tss
