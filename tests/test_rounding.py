# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The rounding bounds of a factor hold against exact arithmetic.

``fit_rounding`` bounds the excess over the minimum that a least-squares fit
read from a factor may carry: the factor taken from the Gram (Cholesky of
``[A, y]^T [A, y]`` in float64) or from the rows (Householder QR). The oracle
is the exact minimum and the exact loss of the fitted coefficients, in mpmath
at 50 digits, on designs whose condition number runs from 1e1 to 1e7.
"""

import numpy as np
import pytest
from mpmath import fsum, matrix, mp, mpf, qr_solve

from sklearn_quadneuron._linalg import fit_rounding

DPS = 50


def _design(kappa, seed):
    """Columns [1, x, x + e] with the last two nearly collinear: cond ~ kappa."""
    rng = np.random.default_rng(seed)
    n = 300
    x = rng.normal(size=n)
    near = x + rng.normal(size=n) / kappa
    A = np.column_stack([np.ones(n), x, near])
    y = 1.0 + 2.0 * x - near + rng.normal(0, 0.1, size=n)
    return A, y


def _exact_excess(A, y, theta):
    """Loss of ``theta`` above the least-squares minimum, at DPS digits."""
    with mp.workdps(DPS):
        rows = [[mpf(float(v)) for v in row] for row in A]
        target = [mpf(float(v)) for v in y]
        best, _ = qr_solve(matrix(rows), matrix(target))

        def loss(coef):
            return fsum(
                (fsum(a * c for a, c in zip(row, coef)) - t) ** 2
                for row, t in zip(rows, target)
            )

        fitted = [mpf(float(v)) for v in theta]
        return float(loss(fitted) - loss(list(best))), float(loss(list(best)))


def _split(F, q):
    return F[:q, :q], F[:q, q:], np.abs(F[q:, q:]).ravel()


@pytest.mark.parametrize("kappa", [1e1, 1e3, 1e5, 1e7])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_gram_bound_holds(kappa, seed):
    A, y = _design(kappa, seed)
    Z = np.column_stack([A, y])
    F = np.linalg.cholesky(Z.T @ Z).T
    R, z, rho = _split(F, A.shape[1])
    theta = np.linalg.solve(R, z)[:, 0]
    excess, _ = _exact_excess(A, y, theta)
    # The Gram rounds relative to the columns' norms (uncentered, as here).
    floor, _ = fit_rounding(R, z, rho, True, A.shape[0], np.linalg.norm(A, axis=0))
    assert excess <= floor[0], (kappa, excess, floor[0])


@pytest.mark.parametrize("kappa", [1e1, 1e3, 1e5, 1e7])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_householder_bound_holds(kappa, seed):
    A, y = _design(kappa, seed)
    F = np.linalg.qr(np.column_stack([A, y]), mode="r")
    R, z, rho = _split(F, A.shape[1])
    theta = np.linalg.solve(R, z)[:, 0]
    excess, _ = _exact_excess(A, y, theta)
    floor, _ = fit_rounding(R, z, rho, False, A.shape[0])
    assert excess <= floor[0], (kappa, excess, floor[0])


def test_the_bounds_are_informative_on_a_well_conditioned_design():
    # Far below what tol=1e-6 asks of the minimum: a certificate is possible.
    A, y = _design(1e1, 0)
    Z = np.column_stack([A, y])
    _, minimum = _exact_excess(A, y, np.zeros(3))
    for F, from_gram in ((np.linalg.cholesky(Z.T @ Z).T, True), (None, False)):
        if F is None:
            F = np.linalg.qr(Z, mode="r")
        R, z, rho = _split(F, 3)
        scales = np.linalg.norm(A, axis=0) if from_gram else None
        floor, _ = fit_rounding(R, z, rho, from_gram, A.shape[0], scales)
        assert floor[0] < 1e-12 * minimum


@pytest.mark.parametrize("from_gram", [True, False])
def test_the_bounds_do_not_depend_on_the_columns_units(from_gram):
    # The condition number is that of the columns scaled to unit norm: a
    # column in other units (1e6 times larger, 1e-6 times smaller) changes
    # neither the fit nor what rounding may leave of it.
    A, y = _design(1e3, 0)
    floors = []
    for units in ([1.0, 1.0, 1.0], [1.0, 1e6, 1e-6]):
        B = A * np.asarray(units)
        Z = np.column_stack([B, y])
        F = np.linalg.cholesky(Z.T @ Z).T if from_gram else np.linalg.qr(Z, mode="r")
        R, z, rho = _split(F, 3)
        scales = np.linalg.norm(B, axis=0) if from_gram else None
        floors.append(fit_rounding(R, z, rho, from_gram, B.shape[0], scales)[0][0])
    assert floors[1] == pytest.approx(floors[0], rel=0.5)
