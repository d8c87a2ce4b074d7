# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Shared fixtures.

scikit-learn's array API check needs SciPy's array API support, which SciPy reads
from the environment once, when it is first imported: set it before anything
imports scipy.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from sklearn_quadneuron.datasets import make_quadratic  # noqa: E402


@pytest.fixture
def article_data():
    """The article's data: 1000 points of y = 10 x^2 + 5 x + 12, seeded."""
    return make_quadratic(1000, random_state=0)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
