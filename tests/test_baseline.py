"""Every number of a set of recorded fits is unchanged.

``tests/data/baseline_fits.npz`` holds the data and results of fixed-epoch fits
(several learning rates, both bases, penalties, weights with zeros, several
features and targets, large offsets and small scales, both engines, early
stopping, partial_fit over chunks; every solver, mini-batches shuffled or not,
warm starts), recorded by ``tests/data/make_baseline.py``
before the estimator was reorganised into validation, statistics, objectives and
solvers. A change to the code that moves any of them beyond rounding fails here.
Cases 20 and 21 stop on ``tol``: since a fit keeps the parameters the
certificate measured (one update before those recorded), their ``coef_`` and
``intercept_`` were recorded again; their loss curves are the recorded ones.
"""

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from sklearn_quadneuron import QuadraticGDRegressor

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(DATA))
from baseline_cases import CASES  # noqa: E402

_RECORDED = np.load(DATA / "baseline_fits.npz")


def test_recorded_cases_are_the_listed_ones():
    assert json.loads(str(_RECORDED["cases"])) == CASES


@pytest.mark.parametrize("i", range(len(CASES)))
def test_fit_reproduces_the_recorded_numbers(i):
    case = CASES[i]
    X, y = _RECORDED[f"{i}_X"], _RECORDED[f"{i}_y"]
    w = _RECORDED[f"{i}_w"] if f"{i}_w" in _RECORDED else None
    model = QuadraticGDRegressor(**case["params"])
    with warnings.catch_warnings():
        # Some recorded runs stop at max_iter on purpose (fixed epochs); whether
        # they warn is not what this test is about.
        warnings.simplefilter("ignore", category=UserWarning)
        if case.get("chunks"):
            for rows in np.array_split(np.arange(X.shape[0]), case["chunks"]):
                model.partial_fit(X[rows], y[rows], None if w is None else w[rows])
        else:
            # A "warm" case is fitted twice (warm_start=True); the second counts.
            for _ in range(2 if case.get("warm") else 1):
                model.fit(X, y, sample_weight=w, **case.get("init", {}))
    scale = np.abs(_RECORDED[f"{i}_coef"]).max()
    np.testing.assert_allclose(
        model.coef_, _RECORDED[f"{i}_coef"], rtol=1e-9, atol=1e-9 * scale
    )
    np.testing.assert_allclose(
        model.intercept_, _RECORDED[f"{i}_intercept"], rtol=1e-9, atol=1e-12
    )
    np.testing.assert_allclose(model.loss_curve_, _RECORDED[f"{i}_loss"], rtol=1e-9)
    np.testing.assert_allclose(
        model.validation_loss_curve_, _RECORDED[f"{i}_val_loss"], rtol=1e-9
    )
