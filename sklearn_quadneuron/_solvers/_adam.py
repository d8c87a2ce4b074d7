# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Adam (Kingma and Ba, 2014), with the update rule of scikit-learn's MLP.

.. math::

    t &\\leftarrow t + 1 \\\\
    m &\\leftarrow \\beta_1 m + (1 - \\beta_1) g \\\\
    v &\\leftarrow \\beta_2 v + (1 - \\beta_2) g^2 \\\\
    \\eta_t &= \\eta \\sqrt{1 - \\beta_2^t} / (1 - \\beta_1^t) \\\\
    \\theta &\\leftarrow \\theta - \\eta_t m / (\\sqrt{v} + \\epsilon)

Each parameter moves by about ``eta`` per update, whatever the size of its
gradient: unlike the other rules, Adam's step is in the units of the
parameters. It is therefore taken in the units of y (those of the model, and of
``MLPRegressor``'s parameters), whatever units the descent works in: ``unit``
is the size, in y's units, of one unit of each column of ``theta``.
"""

import math

import numpy as np


class Adam:
    """Adam's update, on parameters measured in units of ``unit``.

    Parameters
    ----------
    learning_rate : float
        ``eta``, in the units of y.
    beta_1, beta_2 : float in [0, 1)
    epsilon : float > 0
        In the units of the gradient of the loss in the units of y.
    unit : float or ndarray of shape (n_targets,), default=1.0
        One unit of column t of ``theta`` is ``unit[t]`` units of y.
    """

    def __init__(self, learning_rate, beta_1, beta_2, epsilon, unit=1.0):
        self.learning_rate = float(learning_rate)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.unit = unit
        self.t = 0
        self.m = self.v = 0.0

    def update(self, theta, grad):
        """The parameters after one update from ``theta`` with gradient ``grad``."""
        # The gradient of the loss in y's units with respect to parameters in
        # y's units: the loss scales as unit**2, the parameters as unit.
        g = grad * self.unit
        self.t += 1
        self.m = self.beta_1 * self.m + (1.0 - self.beta_1) * g
        self.v = self.beta_2 * self.v + (1.0 - self.beta_2) * (g * g)
        rate = (
            self.learning_rate
            * math.sqrt(1.0 - self.beta_2**self.t)
            / (1.0 - self.beta_1**self.t)
        )
        return theta - (rate / self.unit) * self.m / (np.sqrt(self.v) + self.epsilon)
