# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Numerics at every scale: property-based tests and their fixed companions.

The promise under test: on any data set, however pathological its scale, offset
or shape, ``fit`` either succeeds with finite parameters and loss, or raises a
``ValueError`` that says what is wrong and what to do. No RuntimeWarning may
escape (pytest turns every warning into an error). Every oracle here is plain
numpy or scikit-learn, never the code under test.

The number of generated examples defaults to 200; set the environment variable
``QUADNEURON_HYPOTHESIS_EXAMPLES`` for a longer run. The outcome counts of the
last run are written to ``.hypothesis/quadneuron_counts.json`` (and printed with
``pytest -s``).
"""

import json
import math
import os
import re
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.preprocessing import StandardScaler

from sklearn_quadneuron import (
    CollinearityWarning,
    DivergenceError,
    QuadraticGDRegressor,
)
from sklearn_quadneuron.datasets import make_quadratic

N_EXAMPLES = int(os.environ.get("QUADNEURON_HYPOTHESIS_EXAMPLES", "200"))

# Registered here rather than in a conftest so that the module states its own
# budget. derandomize=True draws the same examples on every run, so a failure
# in CI reproduces locally; deadline=None because a loaded machine can make a
# single fit slow without anything being wrong.
settings.register_profile(
    "quadneuron",
    max_examples=N_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("quadneuron")

COUNTS_FILE = Path(__file__).resolve().parent.parent / ".hypothesis"
COUNTS_FILE = COUNTS_FILE / "quadneuron_counts.json"

COLUMN_KINDS = ("normal", "constant", "duplicate", "binary", "integer")
TARGET_KINDS = ("huge", "tiny", "constant", "polynomial")
WEIGHT_KINDS = ("none", "random", "zeros")
OFFSET_RATIOS = (0.0, 1e-3, 1.0, 1e3, 1e6, 1e9, 1e12)

# An error message must give advice, not only a diagnosis: it must contain one
# of these imperative verbs.
ADVICE = re.compile(
    r"\b(use|set|pass|rescale|increase|raise|lower|remove|start|shuffle|"
    r"provide|reshape|check|drop|give|scale|standardize)\b",
    re.IGNORECASE,
)


def _fit_quietly(estimator, X, y, **fit_params):
    """Fit, silencing only ConvergenceWarning and CollinearityWarning.

    The generated data sets include ill-conditioned ones (near-duplicate
    columns, offsets of 1e12) on which gradient descent correctly stops at
    max_iter with that warning (asserted in tests/test_regressor.py), and
    degenerate ones (duplicated or two-valued columns) whose aliased terms are
    named in a warning (asserted in tests/test_newton.py); what these tests
    check is the outcome: a finite fit or a clear error. Every other warning,
    RuntimeWarning first, still fails the test.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", CollinearityWarning)
        return estimator.fit(X, y, **fit_params)


# -- the pathological data sets -------------------------------------------------


@st.composite
def pathological_problems(draw, standardize):
    """A data set, weights and estimator options from the whole promised range.

    Structure (sizes, kinds, exponents) is drawn by hypothesis so that failures
    shrink to a readable case; the values themselves come from a seeded numpy
    generator.
    """
    n_samples = draw(st.integers(1, 50), label="n_samples")
    n_features = draw(st.integers(1, 3), label="n_features")
    kinds = draw(
        st.lists(
            st.sampled_from(COLUMN_KINDS), min_size=n_features, max_size=n_features
        ),
        label="column_kinds",
    )
    # The magnitude of each column's values: 10**exponent. Zero is drawn often
    # so that plain binary and small-integer columns appear as they are.
    exponents = draw(
        st.lists(
            st.one_of(st.just(0), st.integers(-150, 150)),
            min_size=n_features,
            max_size=n_features,
        ),
        label="exponents",
    )
    offset_ratios = draw(
        st.lists(
            st.sampled_from(OFFSET_RATIOS), min_size=n_features, max_size=n_features
        ),
        label="offset_ratios",
    )
    target = draw(st.sampled_from(TARGET_KINDS), label="target_kind")
    target_exponent = draw(st.integers(-150, 150), label="target_exponent")
    weights = draw(st.sampled_from(WEIGHT_KINDS), label="weight_kind")
    precompute = draw(st.sampled_from([True, False]), label="precompute")
    seed = draw(st.integers(0, 2**32 - 1), label="seed")

    rng = np.random.default_rng(seed)
    X = np.empty((n_samples, n_features))
    U = np.empty((n_samples, n_features))  # the columns before scaling
    for j, kind in enumerate(kinds):
        ratio = offset_ratios[j] * rng.choice([-1.0, 1.0])
        # Values of magnitude 10**exponent: the offset dominates the spread by
        # ``ratio`` (up to 1e12), and together they stay within 10**exponent.
        spread = 10.0 ** exponents[j] / max(abs(ratio), 1.0)
        offset = ratio * spread
        if kind == "constant":
            u = np.full(n_samples, rng.normal())
        elif kind == "duplicate" and j > 0:
            X[:, j], U[:, j] = X[:, 0], U[:, 0]
            continue
        elif kind == "binary":
            u = rng.integers(0, 2, n_samples).astype(float)
        elif kind == "integer":
            u = rng.integers(-5, 6, n_samples).astype(float)
        else:
            u = rng.normal(size=n_samples)
        U[:, j] = u
        X[:, j] = offset + spread * u

    scale = 10.0**target_exponent
    if target == "huge":
        y = 10.0 ** rng.uniform(100, 150) * rng.normal(size=n_samples)
    elif target == "tiny":
        y = 10.0 ** rng.uniform(-150, -100) * rng.normal(size=n_samples)
    elif target == "constant":
        y = np.full(n_samples, scale * rng.choice([-1.0, 0.0, 1.0]))
    else:
        # A true quadratic in the unscaled columns (so its value is well inside
        # float64 whatever the features' scale), plus noise.
        a, b = rng.normal(size=(2, n_features))
        y = scale * (U**2 @ a + U @ b + rng.normal() + 0.1 * rng.normal(size=n_samples))

    if weights == "none":
        sample_weight = None
    else:
        sample_weight = rng.uniform(0.1, 2.0, n_samples)
        if weights == "zeros":
            sample_weight[rng.random(n_samples) < 0.3] = 0.0
            # All-zero weights are bad input, tested in test_bad_input.py.
            sample_weight[rng.integers(n_samples)] = 1.0
    return {
        "X": X,
        "U": U,
        "y": y,
        "sample_weight": sample_weight,
        "standardize": standardize,
        "precompute": precompute,
        "kinds": kinds,
        # Where coefficients in X's units may leave float64: features or
        # targets far from unit scale.
        "extreme": max(abs(e) for e in exponents) > 60
        or target != "polynomial"
        or abs(target_exponent) > 60,
    }


# The errors a fit may end with, each with what must have been drawn for it to
# be the right answer (X's columns as drawn, before scaling, give the condition).
EXPECTED_ERRORS = [
    # Targets too large to report a loss in the units of y.
    (r"Rescale y", lambda p: np.ptp(p["y"]) > 1e150 or np.abs(p["y"]).max() > 1e150),
    # Coefficients or losses beyond float64 in the data's units: extreme scales.
    (
        r"not representable in float64|overflow float64|cannot run on these data",
        lambda p: p["extreme"],
    ),
    # The raw basis cannot be formed: only with standardize=False.
    (r"standardize=False cannot be used", lambda p: not p["standardize"]),
]


def _least_squares(problem):
    """The minimum of the weighted MSE, on X's columns centred and scaled.

    A quadratic in x is a quadratic in z = (x - m) / s: least squares on the
    well-conditioned [Z**2, Z, 1] has the same minimum, without the offsets'
    cancellation (x - m is exact for the close numbers of a large offset).
    Z comes from X as the estimator sees it, not from the values before
    scaling: a spread below the offset's rounding is lost in X itself.
    """
    X, y, w = problem["X"], problem["y"], problem["sample_weight"]
    w = np.ones(len(y)) if w is None else w
    mean = np.array([np.median(column) for column in X.T])
    Z = X - mean
    spread = np.abs(Z).max(axis=0)
    U = Z / np.where(spread > 0, spread, 1.0)
    design = np.column_stack([U**2, U, np.ones(len(y))])
    root = np.sqrt(w)
    # Scaled to the y's magnitude so that tiny and huge targets stay in range.
    scale = max(np.abs(y).max(), np.finfo(float).tiny)
    solution = np.linalg.lstsq(design * root[:, None], y / scale * root, rcond=None)
    residual = design @ solution[0] - y / scale
    return float(np.average(residual**2, weights=w)) * scale**2


def _check_problem(problem):
    """Fit one problem; return its outcome, asserting the contract.

    Outcomes: "optimal" (no warning, and within the promised distance of least
    squares), "warned" (a ConvergenceWarning that says how far from the
    optimum), "error" (a ValueError expected for what was drawn).
    """
    X, y, sample_weight = problem["X"], problem["y"], problem["sample_weight"]
    model = QuadraticGDRegressor(
        standardize=problem["standardize"], precompute=problem["precompute"]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        # Aliased terms (two samples, two-valued columns) are named in a
        # warning; the least-squares oracle below holds the fit to account.
        warnings.simplefilter("always", CollinearityWarning)
        try:
            model.fit(X, y, sample_weight=sample_weight)
        except DivergenceError as exc:  # pragma: no cover - the bug it catches
            raise AssertionError(f"'auto' diverged: {exc}") from None
        except ValueError as exc:
            message = str(exc)
            assert ADVICE.search(message), f"error gives no advice: {message!r}"
            expected = [
                ok(problem)
                for pattern, ok in EXPECTED_ERRORS
                if re.search(pattern, message)
            ]
            assert any(expected), f"unexpected error for this data: {message!r}"
            return "error"
    warned = any(issubclass(w.category, ConvergenceWarning) for w in caught)

    p = X.shape[1]
    coef, intercept = np.asarray(model.coef_), model.intercept_
    loss = np.asarray(model.loss_curve_)
    assert coef.shape == (2 * p,)
    assert np.all(np.isfinite(coef)), coef
    assert np.isfinite(intercept), intercept
    assert loss.shape == (model.n_iter_,) and model.n_iter_ >= 1
    assert np.all(np.isfinite(loss)) and np.all(loss >= 0), loss

    # A feature without variance has nothing to say: its terms are exactly 0.
    constant = np.ptp(X, axis=0) == 0
    assert np.all(coef[:p][constant] == 0), coef
    assert np.all(coef[p:][constant] == 0), coef

    # The first loss is taken at the zero model: the weighted mean of y**2,
    # computed here directly (y is at most ~1e154, so y**2 is representable).
    # On raw features the closed-form loss curve inherits the conditioning of
    # [x**2, x, 1] (see test_raw_initial_loss_is_the_mean_square): not there.
    zero_model = np.average(y**2, weights=sample_weight)
    if problem["standardize"]:
        np.testing.assert_allclose(loss[0], zero_model, rtol=1e-6, atol=1e-300)
    # The "auto" step never lets the loss rise.
    assert loss[-1] <= loss[0] * (1 + 1e-9) + 1e-300

    # The fitted model, scored here from its predictions: finite where it
    # matters, no worse than the zero model, and, unless it warned, at the
    # least-squares minimum to the promised accuracy.
    rows = slice(None) if sample_weight is None else sample_weight > 0
    y_pred = model.predict(X)
    assert np.all(np.isfinite(y_pred[rows])), y_pred
    w = None if sample_weight is None else sample_weight[rows]
    mse = float(np.average((y_pred[rows] - y[rows]) ** 2, weights=w))
    assert mse <= zero_model * (1 + 1e-6) + 1e-300, (mse, zero_model)
    if warned:
        return "warned"
    optimum = _least_squares(problem)
    variance = float(
        np.average(
            (y - np.average(y, weights=sample_weight)) ** 2, weights=sample_weight
        )
    )
    # R^2 within 1e-5 of the optimum, and the loss within 1e-6 of it relatively
    # (the looser of the two where the fit is exact), beyond rounding.
    allowed = max(1e-6 * optimum, 1e-5 * variance) + 1e-9 * zero_model + 1e-300
    assert mse - optimum <= allowed, (
        f"silent wrong answer: loss {mse:.6g}, least squares {optimum:.6g}"
    )
    return "optimal"


def _record_counts(name, counts):
    counts = {"tried": sum(counts.values()), **counts}
    COUNTS_FILE.parent.mkdir(exist_ok=True)
    recorded = json.loads(COUNTS_FILE.read_text()) if COUNTS_FILE.exists() else {}
    recorded[name] = {"max_examples": N_EXAMPLES, **counts}
    COUNTS_FILE.write_text(json.dumps(recorded, indent=2, sort_keys=True))
    print(f"\n{name} ({N_EXAMPLES} examples asked): {counts}")


def _run_property(name, standardize):
    counts = Counter()

    @PROFILE
    @given(problem=pathological_problems(standardize))
    def check(problem):
        counts[_check_problem(problem)] += 1

    try:
        check()
    finally:
        _record_counts(name, counts)
    assert counts["optimal"] > 0


def test_fit_succeeds_or_fails_clearly():
    """Every pathological data set ends "fitted" or with a clear ValueError."""
    _run_property("standardized", standardize=True)


def test_fit_succeeds_or_fails_clearly_raw():
    """The same promise with standardize=False (descent on raw [x**2, x])."""
    _run_property("raw", standardize=False)


# -- fixed regressions on the same promise -----------------------------------------


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize(
    "X, y",
    [
        pytest.param(np.array([[3.0]]), np.array([7.0]), id="one-sample"),
        pytest.param(np.array([[1.0], [2.0]]), np.array([1.0, 5.0]), id="two-samples"),
        pytest.param(np.full((5, 1), 4.0), np.arange(5.0), id="constant-x"),
        pytest.param(
            np.column_stack([np.arange(6.0), np.full(6, -2.0)]),
            np.arange(6.0) ** 2,
            id="constant-column",
        ),
        pytest.param(
            np.tile(np.arange(6.0)[:, None], (1, 2)),
            np.arange(6.0) ** 2 + 1,
            id="duplicate-columns",
        ),
        pytest.param(
            np.array([[0.0], [1.0], [0.0], [1.0]]),
            np.array([1.0, 3.0, 1.0, 3.0]),
            id="binary",
        ),
    ],
)
def test_degenerate_shapes_fit(X, y, standardize, precompute):
    """Tiny and degenerate data sets reach the least-squares fitted values."""
    model = QuadraticGDRegressor(
        standardize=standardize, precompute=precompute, tol=None, max_iter=5000
    )
    _fit_quietly(model, X, y)
    p = X.shape[1]
    assert model.loss_curve_[-1] <= model.loss_curve_[0]
    constant = np.ptp(X, axis=0) == 0
    assert np.all(model.coef_[:p][constant] == 0)
    assert np.all(model.coef_[p:][constant] == 0)
    if not standardize:
        # The raw [x**2, x] are too ill-conditioned to converge in 5000 epochs
        # (that is what standardize=True is for): finiteness is the promise.
        assert np.all(np.isfinite(model.predict(X)))
        return
    # Oracle: numpy's least squares on [x**2, x, 1]. Its coefficients are not
    # unique on these data (collinear columns), but its fitted values are.
    expanded = np.hstack([X**2, X, np.ones((X.shape[0], 1))])
    solution = np.linalg.lstsq(expanded, y, rcond=None)[0]
    np.testing.assert_allclose(model.predict(X), expanded @ solution, atol=1e-6)


def _fit_far_from_zero(model, X, y):
    """Fit X that lies far from 0 for its spread.

    coef_ and intercept_ in X's units are then terms that cancel, which float64
    may not hold to tol: a ConvergenceWarning may say so, and must say that
    predict() holds the fit. Nothing else may warn.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    for warning in caught:
        assert issubclass(warning.category, ConvergenceWarning), warning
        assert "which holds it" in str(warning.message), str(warning.message)
        assert model.stop_reason_ == "stalled"
    return model


@pytest.mark.parametrize("exponent", [-150, -75, 0, 75, 150])
@pytest.mark.parametrize("offset_ratio", [0.0, 1e6, 1e12])
def test_extreme_scales_fit_the_quadratic(exponent, offset_ratio):
    """A noiseless quadratic is recovered at every scale and offset.

    The oracle is the generating polynomial, evaluated on the variable as it is
    represented in X: the fitted values must match it to a small fraction of
    its range. Where the polynomial's coefficients in the units of X overflow
    float64 (tiny spread), a ValueError must say so and what to do.
    """
    rng = np.random.default_rng(0)
    spread = 10.0**exponent / max(offset_ratio, 1.0)
    offset = offset_ratio * spread
    X = (offset + spread * rng.normal(size=200))[:, None]
    # X - offset is exact (Sterbenz); only the division rounds, by one ulp.
    z = (X[:, 0] - offset) / spread
    y = 3.0 * z**2 - 2.0 * z + 1.0
    model = QuadraticGDRegressor(tol=1e-12, max_iter=10_000)
    # The x**2 coefficient in the units of X is 3 / spread**2.
    if math.log10(3.0) - 2 * math.log10(spread) > math.log10(np.finfo(float).max):
        with pytest.raises(ValueError, match="Rescale X or y"):
            model.fit(X, y)
        return
    _fit_far_from_zero(model, X, y)
    assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.intercept_)
    np.testing.assert_allclose(model.predict(X), y, atol=1e-6 * np.ptp(y))


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("offset_ratio", [1e9, 1e12])
def test_large_offset_center_is_consistent(offset_ratio, precompute):
    """Regression: the basis must be centered where predict centers x.

    With an offset 1e12 times the spread, rounding the center to float64 moves
    it by 1e-4 of the spread; the statistics engine used to descend around the
    exact mean while predicting around the rounded one, an error of ~2e-4 on
    a target of unit scale. Oracle: the generating polynomial.
    """
    rng = np.random.default_rng(0)
    spread = 1.0 / offset_ratio
    X = (1.0 + spread * rng.normal(size=200))[:, None]
    z = (X[:, 0] - 1.0) / spread
    y = 3.0 * z**2 - 2.0 * z + 1.0
    model = QuadraticGDRegressor(tol=1e-12, max_iter=10_000, precompute=precompute)
    model.fit(X, y)
    np.testing.assert_allclose(model.predict(X), y, atol=1e-9)


def test_raw_unpenalized_objective_does_not_overflow():
    """Tiny raw features: no RuntimeWarning, and never a false convergence.

    The true x**2 coefficient is ~1e100 / (1e-123)**2, beyond float64. On the
    raw features the curvature along x**2 (~1e-468) underflows: gradient descent
    could not see it, so the raw basis is refused, pointing to
    standardize=True, which in turn asks to rescale.
    """
    rng = np.random.default_rng(0)
    X = 1e-117 * (1 + 1e-6 * rng.normal(size=(30, 1)))
    y = 1e100 * rng.normal(size=30)
    with pytest.raises(ValueError, match="Use standardize=True"):
        QuadraticGDRegressor(standardize=False).fit(X, y)
    with pytest.raises(ValueError, match="Rescale X or y"):
        QuadraticGDRegressor().fit(X, y)


@pytest.mark.parametrize("spread", [1e-2, 1e-1, 1.0])
def test_raw_initial_loss_is_the_mean_square(spread):
    """loss_curve_[0] is the MSE of the zero model: mean(y**2), to 1e-9."""
    rng = np.random.default_rng(0)
    X = 1.0 + spread * rng.normal(size=(30, 1))
    y = rng.normal(size=30)
    model = _fit_quietly(QuadraticGDRegressor(standardize=False, max_iter=3), X, y)
    np.testing.assert_allclose(model.loss_curve_[0], np.mean(y**2), rtol=1e-9)


@pytest.mark.parametrize("spread", [1e-3, 1e-6])
def test_raw_features_beyond_float64_are_refused(spread):
    """x = 1 +- 1e-6: the raw [x**2, x, 1] are collinear to within rounding.

    Their Gram matrix has a condition number near 1e24: its eigenvectors, and
    the closed-form loss curve built on them, would be off by 1e-5 and more,
    and gradient descent would need ~1e12 epochs. The fit says so and points to
    standardize=True, which fits these data exactly.
    """
    rng = np.random.default_rng(0)
    X = 1.0 + spread * rng.normal(size=(30, 1))
    y = rng.normal(size=30)
    with pytest.raises(ValueError, match="Use standardize=True"):
        QuadraticGDRegressor(standardize=False, max_iter=3).fit(X, y)
    model = QuadraticGDRegressor(max_iter=3, tol=None).fit(X, y)
    np.testing.assert_allclose(model.loss_curve_[0], np.mean(y**2), rtol=1e-9)


@pytest.mark.parametrize("standardize", [True, False])
def test_epochs_reading_the_data_report_overflow_clearly(standardize):
    """Regression: epochs reading the data let float64 overflow escape as warnings.

    Raw squares of 1e78 overflow in the gradient sums; a constant column of
    5e81 used to overflow although its coefficient is 0. Either a fit or a
    ValueError that says what to do, never a RuntimeWarning.
    """
    rng = np.random.default_rng(0)
    X = np.column_stack([1e78 * (1 + rng.normal(size=20)), np.full(20, 5e81)])
    y = 1e-100 * rng.normal(size=20)
    model = QuadraticGDRegressor(standardize=standardize, precompute=False)
    try:
        _fit_quietly(model, X, y)
    except ValueError as exc:
        assert ADVICE.search(str(exc)), exc
        assert not standardize
        return
    assert np.all(np.isfinite(model.coef_)) and model.coef_[1] == model.coef_[3] == 0


def test_epochs_reading_the_data_constant_huge_column_raw():
    """A constant column whose square overflows takes no part (coefficients 0)."""
    X = np.column_stack([np.arange(10.0), np.full(10, -5e200)])
    y = np.arange(10.0) ** 2
    model = _fit_quietly(
        QuadraticGDRegressor(standardize=False, precompute=False, max_iter=50), X, y
    )
    assert model.coef_[1] == model.coef_[3] == 0
    assert np.all(np.isfinite(model.coef_))


@pytest.mark.parametrize("precompute", [True, False])
@pytest.mark.parametrize("learning_rate", [1e10, 1e300])
def test_absurd_learning_rate_diverges_cleanly(precompute, learning_rate):
    """Steps that overflow in one epoch are reported as divergence, not warnings."""
    X, y = make_quadratic(50, random_state=0)
    model = QuadraticGDRegressor(learning_rate=learning_rate, precompute=precompute)
    with pytest.raises(DivergenceError, match="learning_rate"):
        model.fit(X, y)


@pytest.mark.parametrize("y_exponent", [-150, -100, 100, 150])
def test_extreme_targets_fit(y_exponent):
    """Huge and tiny targets: the fit is the same model, scaled."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(100, 1))
    z = 2.0 * X[:, 0] ** 2 + X[:, 0] - 0.5
    scale = 10.0**y_exponent
    model = QuadraticGDRegressor(tol=1e-12, max_iter=10_000).fit(X, scale * z)
    np.testing.assert_allclose(model.coef_, scale * np.array([2.0, 1.0]), rtol=1e-6)
    np.testing.assert_allclose(model.intercept_, -0.5 * scale, rtol=1e-6)


@pytest.mark.parametrize("value", [0.0, 1e-150, -3.5, 1e150])
def test_constant_target(value):
    """A constant target is fitted by the intercept alone, to rounding."""
    X = np.random.default_rng(2).normal(size=(30, 2))
    model = QuadraticGDRegressor().fit(X, np.full(30, value))
    # |x| < 5 here: coefficients that small are rounding of the intercept.
    assert np.all(np.abs(model.coef_) <= 1e-14 * abs(value))
    np.testing.assert_allclose(model.intercept_, value, rtol=1e-12)
    np.testing.assert_allclose(model.predict(X), value, rtol=1e-12)
    assert model.loss_curve_[-1] <= 1e-20 * value**2


# -- accuracy against independent least squares ---------------------------------


def _shifted_scaled(offset, scale, n_samples=300, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n_samples)
    y = 1.5 * z**2 - 4.0 * z + 2.0 + 0.3 * rng.normal(size=n_samples)
    return (offset + scale * z)[:, None], y, z


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3, 1e8])
@pytest.mark.parametrize("offset", [0.0, 10.0, 1e3])
def test_r2_matches_linear_regression(offset, scale):
    """Converged R^2 equals LinearRegression's on standardized [x**2, x]."""
    X, y, _ = _shifted_scaled(offset * scale, scale)
    model = QuadraticGDRegressor(tol=1e-12, max_iter=10_000).fit(X, y)
    expanded = StandardScaler().fit_transform(np.hstack([X**2, X]))
    reference = LinearRegression().fit(expanded, y).score(expanded, y)
    assert abs(model.score(X, y) - reference) < 1e-6


@pytest.mark.parametrize("offset", [1e6, 1e9, 1e12])
def test_r2_with_large_offsets(offset):
    """Offsets where [x**2, x] are collinear to working precision.

    LinearRegression on the raw expansion cannot resolve the curvature there;
    the oracle is LinearRegression on the expansion of the *centred* variable
    (the same model space, well conditioned), and the fit must match it.
    """
    X, y, z = _shifted_scaled(offset, 1.0)
    model = QuadraticGDRegressor(tol=1e-12, max_iter=10_000)
    _fit_far_from_zero(model, X, y)
    t = X[:, 0] - offset  # exact: offset and the spread are both integers-ish
    centered = np.column_stack([t**2, t])
    reference = LinearRegression().fit(centered, y).score(centered, y)
    assert abs(r2_score(y, model.predict(X)) - reference) < 1e-6


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_predictions_as_good_as_polyfit(seed):
    """On one well-conditioned feature the MSE matches numpy.polyfit's."""
    X, y, _ = _shifted_scaled(2.0, 3.0, seed=seed)
    model = QuadraticGDRegressor(tol=1e-12, max_iter=10_000).fit(X, y)
    poly = np.polyfit(X[:, 0], y, 2)
    mse_poly = np.mean((np.polyval(poly, X[:, 0]) - y) ** 2)
    mse_model = np.mean((model.predict(X) - y) ** 2)
    assert mse_model <= mse_poly * (1 + 1e-9)
    np.testing.assert_allclose(model.coef_, poly[:2], rtol=1e-5)
    np.testing.assert_allclose(model.intercept_, poly[2], rtol=1e-5)


# -- divergence --------------------------------------------------------------------


def _largest_stable_rate(X, standardize):
    """1 / lambda_max of G = mean(phi phi^T), phi the descent basis (numpy only)."""
    x = X[:, 0]
    if standardize:
        u = (x - x.mean()) / x.std()
        v = u**2 - 1.0
        phi = np.column_stack([v / v.std(), u, np.ones_like(x)])
    else:
        phi = np.column_stack([x**2, x, np.ones_like(x)])
    G = phi.T @ phi / x.shape[0]
    return 1.0 / np.linalg.eigvalsh(G)[-1]


@pytest.mark.parametrize("standardize", [True, False])
@pytest.mark.parametrize("learning_rate", np.logspace(-4, 3, 15).tolist())
def test_learning_rate_grid(learning_rate, standardize):
    """Every rate converges or raises DivergenceError naming learning_rate.

    Which one happens is predicted by an independent computation of the
    largest stable step (1 / lambda_max of the Gram matrix of the basis).
    """
    X, y = make_quadratic(200, noise=1.0, random_state=0)
    limit = _largest_stable_rate(X, standardize)
    model = QuadraticGDRegressor(
        learning_rate=learning_rate, standardize=standardize, max_iter=500
    )
    try:
        _fit_quietly(model, X, y)
    except DivergenceError as exc:
        assert "learning_rate" in str(exc)
        assert learning_rate > limit / 1.5, (learning_rate, limit)
        assert not hasattr(model, "coef_")
        return
    assert learning_rate < limit * 1.5, (learning_rate, limit)
    assert np.all(np.isfinite(model.coef_)) and np.isfinite(model.intercept_)
    assert np.all(np.isfinite(model.loss_curve_))
    assert model.loss_curve_[-1] <= model.loss_curve_[0]


def test_divergence_error_is_value_error():
    X, y = make_quadratic(50, random_state=0)
    with pytest.raises(ValueError, match="learning_rate"):
        QuadraticGDRegressor(learning_rate=1e3, standardize=False).fit(X, y)


def test_raw_map_of_an_extreme_feature_is_refused():
    """Found by the property test: x ~ -1e-16 +- 3e-19 beside integers.

    The raw map of the tiny feature has a condition number of ~1e37: the
    starting point, the zero model, came out of it as a model 56 times worse
    than zero, and the fit warned about the wrong distance.
    """
    X = np.array(
        [[2, -1.004e-16], [0, -9.970e-17], [-3, -9.980e-17], [-2, -9.950e-17]]
        + [[-5, -1.000e-16], [-5, -9.990e-17]]
    )
    y = 1e136 * np.array([-2.100, -3.776, -1.860, 0.123, -6.938, -0.652])
    with pytest.raises(ValueError, match="too ill-conditioned for float64"):
        QuadraticGDRegressor(standardize=False).fit(X, y)
