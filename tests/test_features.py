# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The standardized basis and the map back to data units."""

import pickle

import numpy as np
import pytest
from _oracles import standardized_basis, standardized_columns

from sklearn_quadneuron._basis import StandardBasis, centered_predict
from sklearn_quadneuron._statistics import (
    Reference,
    accumulate,
    feature_moments,
    gather,
    per_feature_map,
    reference_from,
    second_pass,
)


@pytest.fixture
def dataset():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 3)) * [1.0, 50.0, 0.01] + [0.0, 1e4, -3.0]
    Y = (X[:, :1] ** 2 + X[:, 1:2])[:, [0, 0]] + rng.normal(size=(400, 2))
    w = rng.uniform(0.5, 1.5, size=400)
    return X, Y, w


def comoment_of(stats):
    """The co-moment ``sum_i w_i (v_i - mean) (v_i - mean)^T``, from the factor."""
    return stats.factor.T @ stats.factor


def basis_of(X, Y, w):
    # The factor read from the rows (the second pass): exact zeros for
    # constant columns, which the Gram of one pass leaves at rounding.
    stats = second_pass(X, Y, w, accumulate(X, Y, w, reference_from(X, Y, w)))
    return StandardBasis.from_statistics(stats), stats


def test_squares_are_orthogonal_to_their_features(dataset):
    X, Y, w = dataset
    X = np.column_stack([X, np.exp(X[:, 0])])  # a skewed feature too
    basis, stats = basis_of(X, Y, w)
    moments = basis.moments(stats)
    p = X.shape[1]
    cross = np.diag(moments.covariance()[0][:p, p : 2 * p])
    np.testing.assert_allclose(cross, 0, atol=1e-10)
    # The skewed feature's square was strongly correlated with it before.
    U = (X[:, -1] - basis.x_mean[-1]) / basis.x_std[-1]
    assert np.corrcoef(U, U**2)[0, 1] > 0.5


def test_basis_moments_are_those_of_the_standardized_basis(dataset):
    X, Y, w = dataset
    basis, stats = basis_of(X, Y, w)
    Phi, mean, std = standardized_basis(X, w)
    np.testing.assert_allclose(basis.x_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(basis.x_std, std, rtol=1e-10)
    moments = basis.moments(stats)
    # Centered, unit-variance columns (the intercept's column aside).
    np.testing.assert_allclose(moments.mean_phi[:-1], 0, atol=1e-10)
    cov_phi = moments.covariance()[0]
    np.testing.assert_allclose(np.diag(cov_phi)[:-1], 1, rtol=1e-9)
    expected_cov = np.cov(Phi[:, :-1].T, aweights=w, bias=True)
    np.testing.assert_allclose(cov_phi[:-1, :-1], expected_cov, atol=1e-9)


def test_raw_transform_maps_standardized_to_raw_columns(dataset):
    X, Y, w = dataset
    basis, _ = basis_of(X, Y, w)
    Phi, _, _ = standardized_basis(X, w)
    raw = np.column_stack([X**2, X, np.ones(len(X))])
    np.testing.assert_allclose(Phi @ basis.raw_transform().T, raw, rtol=1e-9)


def test_data_units_round_trip_and_prediction(dataset):
    X, Y, w = dataset
    basis, _ = basis_of(X, Y, w)
    rng = np.random.default_rng(1)
    coef = rng.normal(size=(2, 6))
    intercept = rng.normal(size=2)
    theta = basis.from_data_units(coef, intercept)
    coef_back, intercept_back = basis.data_units(theta)
    np.testing.assert_allclose(coef_back, coef, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(intercept_back, intercept, rtol=1e-8, atol=1e-6)
    # The same model evaluated in the standardized basis (y in y_ref units).
    Phi, _, _ = standardized_basis(X, w)
    y_ref = Phi @ theta
    y_data = y_ref * basis.y_scale + basis.y_loc
    expected = X**2 @ coef[:, :3].T + X @ coef[:, 3:].T + intercept
    np.testing.assert_allclose(y_data, expected, rtol=1e-8)


def test_centered_predict_equals_the_expanded_polynomial():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 2)) + [3.0, -1.0]
    center = np.array([3.0, -1.0])
    A, B, C0 = rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), rng.normal(size=2)
    T = X - center
    expected = (T**2) @ A + T @ B + C0
    np.testing.assert_allclose(centered_predict(X, center, A, B, C0), expected)
    # One feature, one target: the in-place Horner path.
    one = centered_predict(X[:, :1], center[:1], A[:1, :1], B[:1, :1], C0[:1])
    np.testing.assert_allclose(
        one[:, 0], A[0, 0] * T[:, 0] ** 2 + B[0, 0] * T[:, 0] + C0[0]
    )


def test_constant_feature_has_no_columns():
    X = np.column_stack([np.linspace(-1, 1, 20), np.full(20, 4.0)])
    Y = X[:, :1] ** 2
    basis, _ = basis_of(X, Y, np.ones(20))
    assert basis.active.tolist() == [True, False, True, False, True]
    assert basis.x_std[1] == 0


def test_symmetric_binary_feature_has_no_square_column():
    # x in {-1, 1}: x**2 is constant, its square carries no information.
    X = np.tile([-1.0, 1.0], 10)[:, None]
    basis, _ = basis_of(X, X.copy(), np.ones(20))
    assert basis.active.tolist() == [False, True, True]


def test_basis_moments_equal_the_dense_change_of_basis():
    # The affine map of the basis is applied feature by feature: the same
    # numbers as its dense products, many features and targets included.
    rng = np.random.default_rng(11)
    X = rng.normal(size=(500, 40)) * rng.uniform(0.1, 10.0, 40) + rng.normal(size=40)
    X[:, 3] = X[:, 2] * 0.5 + 1.0  # collinear with another feature
    X[:, 5] = 7.0  # constant: its rows of the map are zero
    X[:, 7] = rng.choice([-1.0, 1.0], 500)  # a square with no information
    Y = np.column_stack([X[:, 0] ** 2, X[:, 1]]) + rng.normal(size=(500, 2))
    w = rng.uniform(0.2, 2.0, size=500)
    basis, stats = basis_of(X, Y, w)
    A, a0 = basis.transform, basis.offset
    mean = A @ stats.mean + a0
    cov = A @ (comoment_of(stats) / stats.weight) @ A.T
    moments = basis.moments(stats)
    p = X.shape[1]
    atol = 1e-12 * np.abs(cov).max()
    np.testing.assert_allclose(moments.mean_phi[:-1], mean[: 2 * p], atol=1e-12)
    np.testing.assert_allclose(moments.mean_y, mean[2 * p :], atol=1e-12)
    cov_phi, cov_phi_y = moments.covariance()
    np.testing.assert_allclose(cov_phi[:-1, :-1], cov[: 2 * p, : 2 * p], atol=atol)
    np.testing.assert_allclose(cov_phi_y[:-1], cov[: 2 * p, 2 * p :], atol=atol)
    var_y = (moments.factor[:, 2 * p :] ** 2).sum(axis=0) / moments.weight
    np.testing.assert_allclose(var_y, np.diag(cov)[2 * p :], atol=atol)
    assert not basis.x_std[5] and not basis.sq_std[7]


def test_the_basis_factor_from_a_kept_gram_is_that_of_the_standardized_columns():
    # From 500 variables, one pass keeps its Gram and the standardized factor
    # is Cholesky's of the mapped Gram (no QR of the mapped factor): it must be
    # the factor of the standardized columns themselves, built here from their
    # definition and factored by Householder QR, and the basis takes the Gram.
    rng = np.random.default_rng(5)
    n, p = 3000, 260
    X = rng.normal(size=(n, p)) * rng.uniform(0.1, 10.0, p) + 3 * rng.normal(size=p)
    X[:, 1] = rng.exponential(size=n)  # skewed: its square mixes with it
    Y = X[:, :1] ** 2 + 2 * X[:, 1:2] + rng.normal(size=(n, 1))
    w = rng.uniform(0.2, 2.0, size=n)
    stats = gather(X, Y, w)
    assert stats.gram is not None and stats.gram.shape == (2 * p + 1,) * 2
    basis = StandardBasis.from_statistics(stats)
    assert stats.gram is None
    Z = standardized_columns(X, w)[:, :-1]
    R = np.linalg.qr(np.sqrt(w)[:, None] * (Z - w @ Z / w.sum()), mode="r")
    R *= np.sign(np.diag(R))[:, None]
    norms = np.linalg.norm(R, axis=0)
    design = basis.moments(stats).design
    np.testing.assert_allclose(design / norms, R / norms, rtol=0, atol=1e-11)
    # A statistics' Gram is never merged, copied with it nor pickled.
    again = gather(X, Y, w)
    assert pickle.loads(pickle.dumps(again)).gram is None
    assert again.merge(again).gram is None and again.gram is not None


def test_the_mapped_gram_is_read_from_its_upper_triangle_or_left_for_the_qr():
    # The factor of A G A^T from G's upper triangle alone (the pass's product
    # leaves nothing below it): here the factor given beside it is NaN, so
    # only the Gram can give the oracle, numpy's Cholesky of the dense product.
    # Where rounding leaves the mapped Gram indefinite (here, made so), the
    # factor is the QR's of the mapped factor, as without a Gram.
    rng = np.random.default_rng(2)
    p, k = 3, 1
    F = np.linalg.qr(rng.normal(size=(40, 2 * p + k)), mode="r")
    mean, shift = rng.normal(size=2 * p + k), rng.normal(size=2 * p + k)
    diagonal, cross = rng.uniform(0.5, 2.0, 2 * p + k), rng.normal(size=p)
    A = np.diag(diagonal)
    A[np.arange(p), p + np.arange(p)] = cross
    upper = np.triu(F.T @ F) + np.tril(np.full_like(F, np.nan), -1)
    got = per_feature_map(mean, np.full_like(F, np.nan), diagonal, cross, shift, upper)
    expected = np.linalg.cholesky(A @ F.T @ F @ A.T).T
    np.testing.assert_allclose(got[0], A @ mean + shift, rtol=1e-14)
    np.testing.assert_allclose(got[1], expected, rtol=0, atol=1e-13 * expected.max())
    indefinite = F.T @ F
    indefinite[0, 0] = -1.0
    got = per_feature_map(mean, F, diagonal, cross, shift, indefinite)
    R = np.linalg.qr(F @ A.T, mode="r")
    R *= np.sign(np.diag(R))[:, None]
    np.testing.assert_allclose(got[1], R, rtol=0, atol=1e-13 * np.abs(R).max())


def test_basis_from_feature_moments_about_a_reference_off_the_mean(dataset):
    # The direct engine's basis, from per-feature moments gathered about a
    # reference away from the features' means (as a stream's first chunk
    # would give): the mean, spread, skew and square's spread of each
    # feature, computed here plainly, whatever the reference.
    X, Y, w = dataset
    X = np.column_stack([X, np.exp(X[:, 0])])  # a skewed feature too
    ref = reference_from(X, Y, w)
    for shift in (0.0, 0.4):
        off = Reference(
            ref.x_loc - shift * ref.x_scale, ref.x_scale, ref.y_loc, ref.y_scale
        )
        basis = StandardBasis.from_feature_moments(feature_moments(X, Y, w, off))
        W = w.sum()
        mean = w @ X / W
        std = np.sqrt(w @ (X - mean) ** 2 / W)
        U = (X - mean) / std
        skew = w @ U**3 / W
        S = U**2 - skew * U
        sq_std = np.sqrt(w @ (S - w @ S / W) ** 2 / W)
        np.testing.assert_allclose(basis.x_mean, mean, rtol=1e-12)
        np.testing.assert_allclose(basis.x_std, std, rtol=1e-10)
        np.testing.assert_allclose(basis.skew, skew, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(basis.sq_std, sq_std, rtol=1e-8)


def test_the_later_of_a_feature_and_its_square_is_aliased():
    # x0 = x1 + x1**2. Terms are taken in the order x0, x0**2, x1, x1**2 (R's
    # lm): x1**2 is the first in the span of the terms before it, and the one
    # left out; x1 itself is not. The oracle keeps each term in that order
    # where it raises numpy's rank of the columns kept so far.
    x1 = np.random.default_rng(3).normal(size=200)
    X = np.column_stack([x1 + x1**2, x1])
    Y = np.random.default_rng(4).normal(size=(200, 1))
    basis, _ = basis_of(X, Y, np.ones(200))
    terms = {"x0": X[:, 0], "x0^2": X[:, 0] ** 2, "x1": X[:, 1], "x1^2": X[:, 1] ** 2}
    kept, aliased = [np.ones(200)], set()
    for name, column in terms.items():
        if np.linalg.matrix_rank(np.column_stack([*kept, column])) > len(kept):
            kept.append(column)
        else:
            aliased.add(name)
    assert aliased == {"x1^2"}
    # The layout [x0**2, x1**2, x0, x1, 1].
    layout = ["x0^2", "x1^2", "x0", "x1"]
    assert basis.active.tolist() == [name not in aliased for name in layout] + [True]
