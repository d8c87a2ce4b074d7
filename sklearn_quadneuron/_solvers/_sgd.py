# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Mini-batch epochs: a pass over the training samples, one update per batch.

An epoch draws an order of the training samples (a permutation from the random
generator when shuffling, their order otherwise), cuts it into consecutive
batches of ``batch_size`` (the last one smaller when the size does not divide
the number of samples, as in scikit-learn's ``gen_batches``), and applies an
update rule to each batch's gradient in turn: the weighted mean of its samples'
analytic gradients,

.. math::

    g_B = \\frac{2 \\sum_{i \\in B} w_i \\phi_i r_i}{\\sum_{i \\in B} w_i}
          + 2 \\alpha D \\theta .

With plain steps this is mini-batch stochastic gradient descent; with the
momentum or Adam rules, their stochastic versions, as in ``MLPRegressor``.

The step that suits a batch. The curvature a batch sees can be larger than the
whole data's: a single sample's loss curves by ``2 ||phi_i||**2`` along
``phi_i``. For a quadratic loss, batches of ``b`` samples descend fastest,
without diverging, with the step ``b / (2 (beta + (b - 1) lam))`` (Ma, Bassily
and Belkin, 2018), ``beta = max ||phi_i||**2`` and ``lam`` the largest
eigenvalue of half the Hessian: ``1 / (2 beta)`` for single samples, growing
linearly with ``b`` up to about ``beta / lam`` samples, and tending to full-batch
gradient descent's ``1 / (2 lam)``.
"""

import numpy as np


class MiniBatches:
    """Epochs of mini-batch updates over ``n_samples`` training samples.

    Parameters
    ----------
    gradient : callable
        ``gradient(theta, rows) -> grad``: the batch's gradient, ``rows`` the
        positions of its samples among the training samples.
    n_samples : int
        Number of training samples.
    batch_size : int
        Clipped to ``n_samples``.
    shuffle : bool
        Draw a new order of the samples every epoch.
    random_state : numpy.random.RandomState
        The generator of the orders: each epoch's is
        ``random_state.permutation(n_samples)``.
    sample_curvature : callable
        ``sample_curvature() -> beta``, the largest ``||phi_i||**2`` (plus the
        penalty's curvature) over the training samples, for the step of the
        module docstring; called only when that step is asked for.
    """

    def __init__(
        self, gradient, n_samples, batch_size, shuffle, random_state, sample_curvature
    ):
        self.gradient = gradient
        self.sample_curvature = sample_curvature
        self.n_samples = int(n_samples)
        self.batch_size = int(min(batch_size, n_samples))
        self.shuffle = shuffle
        self.random_state = random_state

    def epoch(self, theta, rule):
        """The parameters after one pass over the batches from ``theta``."""
        n, size = self.n_samples, self.batch_size
        if self.shuffle:
            order = self.random_state.permutation(n)
        else:
            order = np.arange(n)
        for start in range(0, n, size):
            theta = rule.update(
                theta, self.gradient(theta, order[start : start + size])
            )
        return theta


def batch_step(batch_size, beta, lam_max):
    """The step ``b / (2 (beta + (b - 1) lam))`` of the module docstring."""
    b = float(batch_size)
    return b / (2.0 * (beta + (b - 1.0) * lam_max))
