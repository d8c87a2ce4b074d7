# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Accuracy on adversarial designs: a fit is certified correct, or it warns.

``stop_reason_ == "tol"`` claims ``loss - min_loss <= tol * min_loss`` per target
(or an excess below ``1e-15`` of the variance of y), the loss being the weighted
mean squared error. Every case here checks that claim against an oracle that
shares nothing with the package: the weighted least-squares minimum computed by
mpmath at 60 digits from the float64 data as given. Its design spans the same
space as ``[x**2, x, 1]`` but is centred and scaled in mpmath (``1, u_j,
u_j**2`` with ``u_j`` the standardized feature), factored by a Cholesky of its
Gram (accumulated with ``mp.fsum``) that drops a term exactly aliased to the
terms before it, then refined on the residuals; ``min_loss`` is the loss of that
solution evaluated on the data. The fitted model's loss is evaluated on the data
in mpmath too, from ``coef_`` and ``intercept_`` alone.
"""

import math
import re
import warnings
from functools import cache

import dask
import dask.array as da
import numpy as np
import pytest
from mpmath import fsum, mp, mpf, sqrt
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression

from sklearn_quadneuron import QuadraticGDRegressor, _statistics

TOL = 1e-6
# The noiseless allowance of the certificate, relative to the variance of y.
VAR_ALLOWANCE = 1e-15
# The oracle's own comparisons: a margin of 10% on the bound, no more.
MARGIN = 1.1
DPS = 60
# A term whose Gram residual, relative to its own square norm, is below this is
# aliased (exactly, up to 60 digits) to the terms before it. The nearest genuine
# degeneracies here stay above 1e-14 (a far point at 1e8, a pair 1e-6 apart).
ALIASED = mpf(10) ** -40
SOLVERS = ("gd", "momentum", "nesterov", "adam", "newton-cholesky")
DESCENT_MAX_ITER = 20000
# A ValueError must say what to do: one of these words.
ADVICE = (
    "use",
    "pass",
    "try",
    "set",
    "scale",
    "center",
    "centre",
    "standardiz",
    "remove",
    "drop",
    "lower",
    "raise",
    "increase",
    "fewer",
    "split",
)


# The oracle ---------------------------------------------------------------------


def _as_2d(a):
    a = np.asarray(a, dtype=float)
    return a.reshape(len(a), -1)


def _weights(n, w):
    return [mpf(float(v)) for v in (np.ones(n) if w is None else np.asarray(w))]


def _basis(X, wm, total):
    """The columns ``1, u_j, u_j**2`` (u_j standardized x_j) as lists of mpf."""
    n = X.shape[0]
    linear, square = [], []
    for j in range(X.shape[1]):
        x = [mpf(float(v)) for v in X[:, j]]
        mean = fsum(wi * xi for wi, xi in zip(wm, x)) / total
        d = [xi - mean for xi in x]
        spread = sqrt(fsum(wi * di * di for wi, di in zip(wm, d)) / total)
        u = [di / spread for di in d] if spread else d
        linear.append(u)
        square.append([ui * ui for ui in u])
    return [[mpf(1)] * n, *linear, *square]


def _cholesky_dropping_aliased(cols, wm):
    """Upper factor R of the Gram over the kept columns, and their indices."""
    m = len(cols)
    gram = [[None] * m for _ in range(m)]
    for a in range(m):
        for b in range(a, m):
            gram[a][b] = gram[b][a] = fsum(
                wi * ca * cb for wi, ca, cb in zip(wm, cols[a], cols[b])
            )
    keep, R = [], {}
    for a in range(m):
        d = gram[a][a] - fsum(R[k, a] ** 2 for k in keep)
        if d <= ALIASED * gram[a][a]:
            continue  # aliased to the terms before it: the span loses nothing
        R[a, a] = sqrt(d)
        for b in range(a + 1, m):
            R[a, b] = (gram[a][b] - fsum(R[k, a] * R[k, b] for k in keep)) / R[a, a]
        keep.append(a)
    return R, keep


def _exact_minimum(X, Y, w=None, dps=DPS):
    """Per target, the minimum over (a, b, c) of the weighted MSE, as mpf."""
    X, Y = _as_2d(X), _as_2d(Y)
    with mp.workdps(dps):
        wm = _weights(len(X), w)
        total = fsum(wm)
        cols = _basis(X, wm, total)
        R, keep = _cholesky_dropping_aliased(cols, wm)
        minima = []
        for t in range(Y.shape[1]):
            y = [mpf(float(v)) for v in Y[:, t]]
            theta = dict.fromkeys(keep, mpf(0))
            r = y
            for _ in range(3):  # the solve, then two refinements on residuals
                g = {
                    k: fsum(wi * ck * ri for wi, ck, ri in zip(wm, cols[k], r))
                    for k in keep
                }
                z = {}
                for k in keep:
                    z[k] = (g[k] - fsum(R[i, k] * z[i] for i in z)) / R[k, k]
                step = {}
                for k in reversed(keep):
                    step[k] = (z[k] - fsum(R[k, i] * step[i] for i in step)) / R[k, k]
                for k in keep:
                    theta[k] += step[k]
                r = [
                    yi - fsum(theta[k] * cols[k][i] for k in keep)
                    for i, yi in enumerate(y)
                ]
            minima.append(fsum(wi * ri * ri for wi, ri in zip(wm, r)) / total)
        return minima


def _exact_loss(X, Y, w, coef, intercept, dps=DPS):
    """Per target, the weighted MSE of ``intercept + sum_j a_j x_j**2 + b_j x_j``."""
    X, Y = _as_2d(X), _as_2d(Y)
    n, p = X.shape
    coef = np.asarray(coef, dtype=float).reshape(Y.shape[1], 2 * p)
    intercept = np.asarray(intercept, dtype=float).reshape(Y.shape[1])
    with mp.workdps(dps):
        wm = _weights(n, w)
        total = fsum(wm)
        xs = [[mpf(float(v)) for v in X[:, j]] for j in range(p)]
        losses = []
        for t in range(Y.shape[1]):
            a = [mpf(float(v)) for v in coef[t, :p]]
            b = [mpf(float(v)) for v in coef[t, p:]]
            c = mpf(float(intercept[t]))
            r = [
                mpf(float(Y[i, t]))
                - c
                - fsum(a[j] * xs[j][i] ** 2 + b[j] * xs[j][i] for j in range(p))
                for i in range(n)
            ]
            losses.append(fsum(wi * ri * ri for wi, ri in zip(wm, r)) / total)
        return losses


def _weighted_variance(Y, w, dps=DPS):
    Y = _as_2d(Y)
    with mp.workdps(dps):
        wm = _weights(len(Y), w)
        total = fsum(wm)
        out = []
        for t in range(Y.shape[1]):
            y = [mpf(float(v)) for v in Y[:, t]]
            mean = fsum(wi * yi for wi, yi in zip(wm, y)) / total
            out.append(fsum(wi * (yi - mean) ** 2 for wi, yi in zip(wm, y)) / total)
        return out


# The cases ----------------------------------------------------------------------


def _curve(x, rng, scale=1.0):
    """y = x**2 + 0.5 x + 1 plus N(0, 0.1) noise, all times ``scale``."""
    return scale * (x**2 + 0.5 * x + 1 + rng.normal(0, 0.1, size=x.shape))


def _far_point(far):
    rng = np.random.default_rng(1)
    x = np.append(rng.normal(size=2000), far)
    return x[:, None], _curve(x, rng), None


def _far_point_and_cluster(far, center):
    # Three features; a point far out, and ten rows well within 16 standard
    # deviations of all the rows yet far from the bulk: read apart, the far
    # point leaves a Gram of the rest that cannot resolve tol.
    rng = np.random.default_rng(12)
    X = rng.normal(size=(2001, 3))
    X[0] += far
    X[1:11] += center
    y = (X**2).sum(axis=1) + X.sum(axis=1) + rng.normal(0, 0.1, size=2001)
    return X, y, None


def _clusters(center):
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(size=1000), rng.normal(center, 1, size=1000)])
    return x[:, None], _curve(x, rng), None


def _x_offset(offset):
    # The curve is that of the centred x: in the data's units its coefficients
    # are of the offset's size (b ~ -2 offset, c ~ offset**2).
    rng = np.random.default_rng(3)
    x0 = rng.normal(size=2000)
    return (offset + x0)[:, None], _curve(x0, rng), None


def _y_offset(offset):
    rng = np.random.default_rng(4)
    x = rng.normal(size=2000)
    return x[:, None], offset + _curve(x, rng), None


def _two_features(x1, x2, rng):
    y = x1**2 + 0.5 * x1 + 1 - 0.7 * x2**2 + 2 * x2 + rng.normal(0, 0.1, len(x1))
    return np.column_stack([x1, x2]), y, None


def _collinear_pair():
    rng = np.random.default_rng(5)
    x1 = rng.normal(size=2000)
    return _two_features(x1, x1 + 1e-6 * rng.normal(size=2000), rng)


def _duplicate_feature():
    rng = np.random.default_rng(6)
    x1 = rng.normal(size=2000)
    return _two_features(x1, x1.copy(), rng)


def _two_valued_0_1():
    # x**2 == x: the square is aliased to the feature.
    rng = np.random.default_rng(7)
    x = rng.integers(0, 2, size=2000).astype(float)
    return x[:, None], _curve(x, rng), None


def _two_valued_m1_3():
    # x in {-1, 3}: x**2 == 2 x + 3, aliased to the feature and the intercept.
    rng = np.random.default_rng(8)
    x1 = rng.normal(size=2000)
    return _two_features(x1, rng.choice([-1.0, 3.0], size=2000), rng)


def _weights_with_zeros():
    X, y, _ = _far_point(1e5)
    rng = np.random.default_rng(9)
    w = rng.uniform(0, 2, size=len(y))
    w[rng.random(len(y)) < 0.2] = 0.0
    w[-1] = 1.0  # the far point counts
    return X, y, w


def _zero_weight_far_point():
    # A point at 1e12 of weight 0 (its y on the curve, ~1e24) must change nothing.
    rng = np.random.default_rng(10)
    x = np.append(rng.normal(size=2000), 1e12)
    w = np.append(rng.uniform(0.5, 1.5, size=2000), 0.0)
    return x[:, None], _curve(x, rng), w


def _two_targets(offset):
    rng = np.random.default_rng(11)
    x0 = rng.normal(size=2000)
    y1 = _curve(x0, rng, scale=1e6)
    y2 = 1e-3 * (-3 * x0**2 + x0 + 2 + rng.normal(0, 0.1, 2000))
    w = rng.uniform(0.5, 1.5, size=2000)
    return (offset + x0)[:, None], np.column_stack([y1, y2]), w


CASES = {
    **{f"far_point-{far:.0e}": (_far_point, far) for far in (1e4, 1e5, 1e6, 1e7, 1e8)},
    **{f"clusters-{c:.0e}": (_clusters, c) for c in (1e3, 1e5)},
    "far_point_and_cluster-1e6_1e4": (_far_point_and_cluster, 1e6, 1e4),
    **{f"x_offset-{o:.0e}": (_x_offset, o) for o in (1e6, 1e9, 1e12)},
    **{f"y_offset-{o:.0e}": (_y_offset, o) for o in (1e9, 1e12)},
    "collinear_pair-1e-6": (_collinear_pair,),
    "duplicate_feature": (_duplicate_feature,),
    "two_valued-0_1": (_two_valued_0_1,),
    "two_valued-m1_3": (_two_valued_m1_3,),
    "weights-zeros_far_1e5": (_weights_with_zeros,),
    "weights-zero_weight_far_1e12": (_zero_weight_far_point,),
    "targets_2-1e6_1e-3": (_two_targets, 0.0),
    "targets_2-1e6_1e-3-x_offset_1e3": (_two_targets, 1e3),
}
PARTIAL_FIT_CASES = [
    name
    for name in CASES
    if name.startswith(("far_point", "clusters", "x_offset", "y_offset", "weights"))
]
DASK_CASES = [
    name for name in CASES if name.startswith(("far_point", "clusters", "weights"))
]
# Where the far rows sit in one chunk or block: read again there, merged exactly.
SPLIT_CASES = [
    name for name in CASES if name.startswith(("far_point", "clusters", "weights"))
]


@cache
def _case(name):
    builder, *args = CASES[name]
    X, Y, w = builder(*args)
    return X, Y, w, _exact_minimum(X, Y, w), _weighted_variance(Y, w)


# The checks ---------------------------------------------------------------------


def _excesses(name, coef, intercept):
    """Per target: (loss - min_loss, min_loss, allowed excess), as floats."""
    X, Y, w, minima, variances = _case(name)
    losses = _exact_loss(X, Y, w, coef, intercept)
    with mp.workdps(DPS):
        # The oracle is a minimum: no model may beat it (beyond its 60 digits).
        for loss, low in zip(losses, minima):
            assert loss >= low * (1 - mpf(10) ** -40), "a model below the oracle"
        return [
            (
                float(loss - low),
                float(low),
                MARGIN * (TOL * float(low) + VAR_ALLOWANCE * float(v)),
            )
            for loss, low, v in zip(losses, minima, variances)
        ]


def _assert_clear_error(error):
    message = str(error)
    assert message.strip(), "a ValueError without a message"
    assert any(word in message.lower() for word in ADVICE), (
        f"the ValueError does not say what to do: {message!r}"
    )


def _run(fit):
    """Call ``fit()`` with warnings recorded: (model or None, warnings, error)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return fit(), list(caught), None
        except ValueError as error:
            return None, list(caught), error


def _convergence_warned(caught):
    return any(issubclass(c.category, ConvergenceWarning) for c in caught)


def _assert_certified_or_warned(name, model, caught, error):
    if error is not None:
        _assert_clear_error(error)
        return
    warned = _convergence_warned(caught)
    if model.stop_reason_ == "tol":
        assert not warned, "stop_reason_ == 'tol', yet a ConvergenceWarning"
    if warned:
        return
    excesses = _excesses(name, model.coef_, model.intercept_)
    for t, (excess, low, allowed) in enumerate(excesses):
        assert excess <= allowed, (
            f"target {t}: stop_reason_={model.stop_reason_!r} without a warning, "
            f"but loss - min_loss = {excess:.3g} = {excess / low:.3g} * min_loss "
            f"(allowed {allowed:.3g}, min_loss {low:.6g})"
        )


def _estimator(solver):
    if solver == "newton-cholesky":
        return QuadraticGDRegressor(solver=solver, tol=TOL)
    return QuadraticGDRegressor(solver=solver, tol=TOL, max_iter=DESCENT_MAX_ITER)


def _target(Y):
    return Y[:, 0] if Y.ndim == 2 and Y.shape[1] == 1 else Y


# The oracle, checked -------------------------------------------------------------


def test_oracle_agrees_with_lstsq_on_a_well_conditioned_case():
    rng = np.random.default_rng(12)
    X = rng.normal(size=(500, 2))
    Y = np.column_stack([X[:, 0] ** 2 - X[:, 1], 3 * X[:, 1] ** 2 + X[:, 0]])
    Y += rng.normal(0, 0.1, size=Y.shape)
    w = rng.uniform(0.5, 2, size=500)
    design = np.hstack([X**2, X, np.ones((500, 1))])
    root = np.sqrt(w)[:, None]
    theta = np.linalg.lstsq(root * design, root * Y, rcond=None)[0]
    lstsq_loss = np.average((Y - design @ theta) ** 2, axis=0, weights=w)
    minima = _exact_minimum(X, Y, w)
    np.testing.assert_allclose([float(m) for m in minima], lstsq_loss, rtol=1e-12)
    losses = _exact_loss(X, Y, w, theta[:-1].T, theta[-1])
    np.testing.assert_allclose([float(v) for v in losses], lstsq_loss, rtol=1e-12)
    assert all(loss >= low for loss, low in zip(losses, minima))


@pytest.mark.parametrize("name", ["far_point-1e+08", "x_offset-1e+12"])
def test_oracle_does_not_depend_on_its_precision(name):
    X, Y, w, minima, _ = _case(name)
    finer = _exact_minimum(X, Y, w, dps=100)
    with mp.workdps(100):
        for low, fine in zip(minima, finer):
            assert abs(low - fine) <= mpf(10) ** -30 * fine


def test_oracle_aliased_terms_and_weightless_rows():
    # x in {0, 1}: the minimum is that of [x, 1] alone.
    X, y, _, minima, _ = _case("two_valued-0_1")
    design = np.column_stack([X[:, 0], np.ones(len(X))])
    residual = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
    assert float(minima[0]) == pytest.approx(np.mean(residual**2), rel=1e-12)
    # A row of weight 0 at 1e12 changes nothing.
    X, y, w, minima, _ = _case("weights-zero_weight_far_1e12")
    assert _exact_minimum(X[:-1], y[:-1], w[:-1]) == minima


# The estimator, checked -----------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("name", list(CASES))
def test_fit_is_certified_correct_or_warns(name, solver):
    X, Y, w, _, _ = _case(name)
    model, caught, error = _run(
        lambda: _estimator(solver).fit(X, _target(Y), sample_weight=w)
    )
    _assert_certified_or_warned(name, model, caught, error)


def _far_rows_judged(monkeypatch):
    """Passes in blocks of 256 rows of any width, where the second pass may read
    far rows apart; returns the list of whether each such factor was kept."""
    monkeypatch.setattr(_statistics._pass, "CHUNK_BYTES", 512)
    monkeypatch.setattr(_statistics._pass, "_DOT_VARIABLES", 0)
    monkeypatch.setattr(_statistics, "_DOT_VARIABLES", 0)
    kept = []
    judge = _statistics._as_good_as_rows
    monkeypatch.setattr(
        _statistics, "_as_good_as_rows", lambda *a: kept.append(judge(*a)) or kept[-1]
    )
    return kept


@pytest.mark.parametrize("name", [f"far_point-{far:.0e}" for far in (1e6, 1e7, 1e8)])
def test_far_rows_read_apart_are_certified_correct_or_warn(monkeypatch, name):
    # The second pass (which a point 1e6 spreads out or farther calls for)
    # reads the far point apart, by Householder QR, and the other rows by their
    # Gram (in blocks of 256 rows, of any width, here).
    kept = _far_rows_judged(monkeypatch)
    X, Y, w, _, _ = _case(name)
    model, caught, error = _run(
        lambda: _estimator("newton-cholesky").fit(X, _target(Y), sample_weight=w)
    )
    assert kept and all(kept)
    _assert_certified_or_warned(name, model, caught, error)


def test_far_rows_read_apart_give_way_where_the_rest_cannot_resolve_tol(monkeypatch):
    # The far point read apart, the Gram of the other rows (the cluster among
    # them) cannot resolve tol: that factor is not kept, the second pass
    # reads the rows as if the far point were not apart, and the fit is
    # certified, within tol of the 60-digit oracle.
    kept = _far_rows_judged(monkeypatch)
    name = "far_point_and_cluster-1e6_1e4"
    X, Y, w, _, _ = _case(name)
    model, caught, error = _run(
        lambda: _estimator("newton-cholesky").fit(X, _target(Y), sample_weight=w)
    )
    assert kept == [False]
    assert error is None and model.stop_reason_ == "tol"
    _assert_certified_or_warned(name, model, caught, error)


@pytest.mark.parametrize("name", list(CASES))
def test_newton_at_least_as_accurate_as_linear_regression(name):
    X, Y, w, _, _ = _case(name)
    model, caught, error = _run(
        lambda: _estimator("newton-cholesky").fit(X, _target(Y), sample_weight=w)
    )
    if error is not None:
        _assert_clear_error(error)
        return
    if _convergence_warned(caught):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = LinearRegression().fit(
            np.hstack([X**2, X]), _target(Y), sample_weight=w
        )
    ours = _excesses(name, model.coef_, model.intercept_)
    theirs = _excesses(name, reference.coef_, reference.intercept_)
    for t, ((excess, low, _), (lr_excess, _, _)) in enumerate(zip(ours, theirs)):
        bound = max(10 * lr_excess, TOL * low)
        assert excess <= bound, (
            f"target {t}: newton-cholesky's excess {excess:.3g} "
            f"({excess / low:.3g} * min_loss) exceeds LinearRegression's "
            f"{lr_excess:.3g} ({lr_excess / low:.3g} * min_loss)"
        )


# Adam is left out: from the zeros it starts at, each of its steps moves the
# intercept by about its learning rate, and 1e9 takes more epochs than a test
# can run (its warning then says so, checked by the test above).
@pytest.mark.parametrize("solver", [s for s in SOLVERS if s != "adam"])
def test_a_target_offset_of_1e9_is_fitted(solver):
    # LinearRegression fits it; the intercept of 1e9 rounds by 6e-8, which
    # costs the loss 1e-14 of itself: nothing to refuse or to warn about.
    name = "y_offset-1e+09"
    X, Y, w, _, _ = _case(name)
    model, caught, error = _run(
        lambda: _estimator(solver).fit(X, _target(Y), sample_weight=w)
    )
    assert error is None, error
    assert not _convergence_warned(caught), [str(c.message) for c in caught]
    assert model.stop_reason_ == "tol"
    _assert_certified_or_warned(name, model, caught, error)


@pytest.mark.parametrize("offset", ["1e+09", "1e+12"])
def test_coefficients_far_from_zero_warn_and_predict_holds(offset):
    # x = offset + N(0, 1): coef_ and intercept_ in x's units are terms of the
    # offset's size that cancel; stored in float64 they cannot hold the fit to
    # tol, and the warning says so. The centered form predict() evaluates can:
    # its mean squared error is within tol of the oracle's minimum.
    name = f"x_offset-{offset}"
    X, Y, w, minima, _ = _case(name)
    y = _target(Y)
    model, caught, error = _run(lambda: _estimator("newton-cholesky").fit(X, y))
    assert error is None
    assert model.stop_reason_ == "stalled"
    messages = [str(c.message) for c in caught if c.category is ConvergenceWarning]
    assert len(messages) == 1 and "which holds it" in messages[0]
    excess = _excesses(name, model.coef_, model.intercept_)[0][0]
    assert excess > TOL * float(minima[0]), "the warning was not needed"
    with mp.workdps(DPS):
        residuals = [
            mpf(float(yi)) - mpf(float(fi)) for yi, fi in zip(y, model.predict(X))
        ]
        mse = fsum(r * r for r in residuals) / len(residuals)
        assert mse - minima[0] <= TOL * minima[0]


@pytest.mark.parametrize("name", PARTIAL_FIT_CASES)
def test_partial_fit_in_four_chunks_is_certified_correct_or_warns(name):
    _assert_certified_or_warned(name, *_partial_fit_in_four(name))


def _partial_fit_in_four(name):
    X, Y, w, _, _ = _case(name)
    y = _target(Y)
    model = QuadraticGDRegressor(solver="newton-cholesky", tol=TOL)
    for rows in np.array_split(np.arange(len(X)), 4):
        weight = None if w is None else w[rows]
        # The verdict is the last call's: its warnings speak for the final model.
        fitted, caught, error = _run(
            lambda rows=rows, weight=weight: model.partial_fit(
                X[rows], y[rows], sample_weight=weight
            )
        )
        if error is not None:
            break
    return fitted, caught, error


def _dask_in_four(name):
    X, Y, w, _, _ = _case(name)
    rows = math.ceil(len(X) / 4)
    Xd = da.from_array(X, chunks=(rows, X.shape[1]))
    yd = da.from_array(_target(Y), chunks=rows)
    wd = None if w is None else da.from_array(w, chunks=rows)
    assert Xd.numblocks[0] == 4
    with dask.config.set(scheduler="threads"):
        return _run(
            lambda: QuadraticGDRegressor(solver="newton-cholesky", tol=TOL).fit(
                Xd, yd, sample_weight=wd
            )
        )


@pytest.mark.parametrize("name", DASK_CASES)
def test_dask_in_four_blocks_is_certified_correct_or_warns(name):
    _assert_certified_or_warned(name, *_dask_in_four(name))


@pytest.mark.parametrize("how", ["partial_fit", "dask"])
@pytest.mark.parametrize("name", SPLIT_CASES)
def test_chunks_certify_what_the_whole_certifies(name, how):
    # A stream cannot read its chunks twice, and Dask reads each block once:
    # the chunk with the far rows is read again while in memory, and the exact
    # merges keep its digits. Where the whole fit certifies tol, so do they.
    X, Y, w, _, _ = _case(name)
    whole, caught, error = _run(
        lambda: _estimator("newton-cholesky").fit(X, _target(Y), sample_weight=w)
    )
    certified = error is None and not _convergence_warned(caught)
    model, caught, error = (
        _partial_fit_in_four(name) if how == "partial_fit" else _dask_in_four(name)
    )
    if certified:
        assert error is None
        assert model.stop_reason_ == "tol"
        assert not _convergence_warned(caught), [str(c.message) for c in caught]
    _assert_certified_or_warned(name, model, caught, error)


@pytest.mark.parametrize(
    "solver, precompute",
    [(solver, True) for solver in SOLVERS]
    + [(solver, False) for solver in SOLVERS if solver != "newton-cholesky"],
)
def test_each_of_several_targets_is_certified_or_named(solver, precompute):
    # Two targets 1e9 apart in scale: the summed loss is the large one's. A
    # "tol" must hold for the small one too, against its own least squares;
    # otherwise the warning names it. On the data alone (precompute=False)
    # each target's excess is bounded from its own column of the gradient.
    rng = np.random.default_rng(13)
    x = rng.normal(size=(1000, 1))
    y = x[:, 0] ** 2 - x[:, 0] + rng.normal(0, 0.5, 1000)
    Y = np.column_stack([1e6 * y, 1e-3 * (y + rng.normal(0, 0.5, 1000))])
    estimator = _estimator(solver).set_params(precompute=precompute)
    model, caught, error = _run(lambda: estimator.fit(x, Y))
    assert error is None
    messages = [str(c.message) for c in caught if c.category is ConvergenceWarning]
    design = np.column_stack([x**2, x, np.ones(1000)])
    for t in range(2):
        fitted = design @ np.append(model.coef_[t], model.intercept_[t])
        best = design @ np.linalg.lstsq(design, Y[:, t], rcond=None)[0]
        excess = np.mean((Y[:, t] - fitted) ** 2) - np.mean((Y[:, t] - best) ** 2)
        if excess > MARGIN * TOL * np.mean((Y[:, t] - best) ** 2):
            assert model.stop_reason_ != "tol"
            assert any(f"target {t}" in m or "did not converge" in m for m in messages)


def test_a_tol_below_what_the_statistics_resolve_warns_with_one_that_does():
    # One point at 1e6: even read by Householder QR, the statistics resolve
    # the minimum to about 2e-8 of itself. tol=1e-9 asks for more: the fit
    # warns, never "tol", and names the tol it can certify; that tol does.
    X, Y, w, _, _ = _case("far_point-1e+06")
    y = _target(Y)
    model, caught, _ = _run(
        lambda: QuadraticGDRegressor(solver="newton-cholesky", tol=1e-9).fit(X, y)
    )
    assert model.stop_reason_ == "stalled"
    message = " ".join(str(c.message) for c in caught)
    assert "is known only to within" in message
    advised = float(re.search(r"use tol >= ([0-9.e+-]+) to certify", message)[1])
    assert 1e-9 < advised < 1e-6
    model, caught, _ = _run(
        lambda: QuadraticGDRegressor(solver="newton-cholesky", tol=advised).fit(X, y)
    )
    assert model.stop_reason_ == "tol" and not _convergence_warned(caught)
    _assert_certified_or_warned("far_point-1e+06", model, caught, None)
