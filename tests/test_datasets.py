# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""make_quadratic: shapes, seeding, the exact quadratic and the noise level."""

import numpy as np
import pytest

from sklearn_quadneuron.datasets import make_quadratic


@pytest.mark.parametrize("n_samples", [1, 7, 1000])
def test_shapes(n_samples):
    X, y = make_quadratic(n_samples, random_state=0)
    assert X.shape == (n_samples, 1)
    assert y.shape == (n_samples,)
    assert X.dtype == np.float64 and y.dtype == np.float64


def test_defaults_are_the_article_data():
    X, y = make_quadratic(random_state=0)
    x = X[:, 0]
    assert X.shape == (1000, 1)
    np.testing.assert_allclose(y, 10 * x * x + 5 * x + 12, rtol=1e-14)


def test_seeding_is_deterministic():
    X1, y1 = make_quadratic(50, noise=2.0, random_state=42)
    X2, y2 = make_quadratic(50, noise=2.0, random_state=np.random.RandomState(42))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make_quadratic(50, noise=2.0, random_state=43)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("a, b, c", [(10, 5, 12), (-0.5, 3.0, -7.25), (0, 0, 1)])
def test_exact_quadratic_without_noise(a, b, c):
    X, y = make_quadratic(300, a=a, b=b, c=c, random_state=1)
    x = X[:, 0]
    np.testing.assert_allclose(y, a * x * x + b * x + c, rtol=1e-14, atol=1e-13)


def test_x_is_standard_normal():
    X, _ = make_quadratic(20_000, random_state=3)
    # Standard errors: 1/sqrt(n) = 0.007 for the mean, about 0.005 for the std.
    assert abs(X.mean()) < 0.03
    assert abs(X.std() - 1.0) < 0.03


@pytest.mark.parametrize("noise", [0.5, 3.0])
def test_noise_standard_deviation(noise):
    X, y = make_quadratic(20_000, a=2, b=-1, c=4, noise=noise, random_state=5)
    x = X[:, 0]
    residual = y - (2 * x * x - x + 4)
    # The relative standard error of the sample std of 20000 Gaussian draws is
    # 0.5%: 2.5% is five standard errors.
    assert abs(residual.std() / noise - 1.0) < 0.025
    assert abs(residual.mean()) < 4 * noise / np.sqrt(x.shape[0])


@pytest.mark.parametrize("n_samples", [0, -3, 2.5, "100", None])
def test_invalid_n_samples(n_samples):
    with pytest.raises((ValueError, TypeError), match="n_samples"):
        make_quadratic(n_samples)


def test_invalid_noise():
    with pytest.raises(ValueError, match="noise"):
        make_quadratic(10, noise=-1.0)
