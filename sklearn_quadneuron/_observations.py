# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What inference needs of the weights beyond the Gram: how many, and their logs.

The statistics hold weighted moments; weighted least squares's inference (as
statsmodels' ``WLS``) also counts the observations (the residual degrees of
freedom) and sums the logs of their weights (its log-likelihood). A row of
weight 0 takes no part: it is not counted, as in every fit of this estimator,
where it changes nothing at all. Tallies of chunks add up.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Observations:
    """The rows of positive weight, and the sum of the logs of their weights.

    Attributes
    ----------
    count : int
    log_weight : float
        ``sum(log(w_i))`` over the rows of positive weight (0 without weights).
    """

    count: int
    log_weight: float

    @classmethod
    def of(cls, sample_weight, n_rows, mask=None):
        """The tally of some rows (``mask``: rows held out, not counted)."""
        if sample_weight is None:
            held = 0 if mask is None else int(np.count_nonzero(mask))
            return cls(n_rows - held, 0.0)
        carry = sample_weight > 0
        if mask is not None:
            carry &= ~mask
        return cls(
            int(np.count_nonzero(carry)), float(np.log(sample_weight[carry]).sum())
        )

    def merge(self, other):
        """The tally of the rows of both."""
        if other is None or self is None:
            return None
        return Observations(
            self.count + other.count, self.log_weight + other.log_weight
        )
