# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What a fit is given is checked before the data is read."""

import numpy as np
import pytest

from sklearn_quadneuron import QuadraticGDRegressor, _statistics
from sklearn_quadneuron._statistics import _pass


@pytest.fixture
def no_pass(monkeypatch):
    """Make any pass over the data fail loudly: validation must come first."""
    calls = []

    def forbidden(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the data was read before the inputs were checked")

    for name in ("gather", "feature_moments"):
        monkeypatch.setattr(_statistics, name, forbidden)
    monkeypatch.setattr(_pass, "accumulate", forbidden)
    monkeypatch.setattr(_statistics, "accumulate", forbidden)
    return calls


@pytest.mark.parametrize(
    "init, match",
    [
        ({"coef_init": [1.0, 2.0, 3.0]}, "coef_init has shape"),
        ({"coef_init": [np.nan, 1.0]}, "coef_init contains NaN"),
        ({"intercept_init": [1.0, 2.0]}, "intercept_init has shape"),
        ({"intercept_init": np.inf}, "intercept_init contains NaN"),
    ],
)
@pytest.mark.parametrize("precompute", [True, False])
def test_initial_values_are_checked_before_the_data_is_read(
    no_pass, init, match, precompute
):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 1)), rng.normal(size=50)
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor(precompute=precompute).fit(X, y, **init)
    assert no_pass == []


def test_warm_start_shape_is_checked_before_the_data_is_read(monkeypatch):
    rng = np.random.default_rng(0)
    model = QuadraticGDRegressor(warm_start=True).fit(
        rng.normal(size=(50, 1)), rng.normal(size=50)
    )
    calls = []
    monkeypatch.setattr(_statistics, "gather", lambda *a, **k: calls.append(a))
    with pytest.raises(ValueError, match="warm_start=True but the previous fit"):
        model.fit(rng.normal(size=(50, 2)), rng.normal(size=50))
    assert calls == []


def test_validation_split_is_checked_before_the_data_is_read(no_pass):
    X, y = np.arange(10.0)[:, None], np.arange(10.0)
    with pytest.raises(ValueError, match="validation set is too small"):
        QuadraticGDRegressor(early_stopping=True, validation_fraction=0.1).fit(X, y)
    assert no_pass == []
