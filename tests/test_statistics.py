# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""One-pass statistics: against numpy's weighted moments, chunked, merged, split."""

import numpy as np
import pytest

from sklearn_quadneuron import _statistics
from sklearn_quadneuron._statistics import (
    NonFiniteError,
    QuadraticStatistics,
    Reference,
    _kernels,
    _pass,
    accumulate,
    feature_moments,
    gather,
    reference_from,
    second_pass,
)
from sklearn_quadneuron._statistics._moments import loc_scale


def comoment_of(stats):
    """The co-moment ``sum_i w_i (v_i - mean) (v_i - mean)^T``, from the factor."""
    return stats.factor.T @ stats.factor


def data(n=500, p=2, k=1, offset=0.0, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * np.arange(1, p + 1) + offset
    Y = rng.normal(size=(n, k)) + X[:, :1] ** 2
    w = rng.uniform(0.0, 3.0, size=n)
    return X, Y, w


def numpy_statistics(X, Y, w, reference):
    """Weighted mean and co-moment of v = [u**2, u, y_ref], computed plainly."""
    U = (X - reference.x_loc) / reference.x_scale
    V = np.column_stack([U**2, U, (Y - reference.y_loc) / reference.y_scale])
    w = np.ones(len(X)) if w is None else w
    mean = w @ V / w.sum()
    D = V - mean
    return mean, (w[:, None] * D).T @ D, w.sum()


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(1, 1), (3, 1), (2, 3)])
def test_accumulate_equals_numpy_moments(weighted, shape):
    X, Y, w = data(p=shape[0], k=shape[1])
    w = w if weighted else None
    ref = reference_from(X, Y, w)
    stats = accumulate(X, Y, w, ref)
    mean, comoment, weight = numpy_statistics(X, Y, w, ref)
    assert stats.weight == pytest.approx(weight, rel=1e-12)
    assert stats.n_samples == X.shape[0]
    np.testing.assert_allclose(stats.mean, mean, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(comoment_of(stats), comoment, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("blocks", ["one", "lanes"])
def test_gram_rounding_is_relative_to_the_uncentered_sums_of_squares(
    monkeypatch, blocks
):
    # One pass sums the Gram of v = [u**2, u, y_ref] about the reference, so
    # its rounding is relative to those sums, not to the centered ones:
    # gram_squares holds the weighted sums of squares of v, uncentered. The
    # reference is a first chunk's, off the mean of the whole data.
    if blocks == "lanes":
        use_small_blocks(monkeypatch)
    X, Y, w = data(n=2001, p=2, k=1, offset=3.0)
    ref = reference_from(X[:100], Y[:100], w[:100])
    stats = accumulate(X, Y, w, ref)
    U = (X - ref.x_loc) / ref.x_scale
    V = np.column_stack([U**2, U, (Y - ref.y_loc) / ref.y_scale])
    assert stats.from_gram
    np.testing.assert_allclose(stats.gram_squares, w @ V**2, rtol=1e-10)


def test_reference_is_weighted_mean_and_bounds_the_scaled_data():
    X, Y, w = data(p=3, k=2, offset=1e6)
    ref = reference_from(X, Y, w)
    np.testing.assert_allclose(ref.x_loc, w @ X / w.sum(), rtol=1e-12)
    U = (X - ref.x_loc) / ref.x_scale
    assert np.abs(U).max() == pytest.approx(1.0)
    assert np.all(np.abs(U) <= 1.0 + 1e-15)


def test_small_chunks_give_the_same_statistics(monkeypatch):
    X, Y, w = data(n=1000, p=2, k=2)
    ref = reference_from(X, Y, w)
    whole = accumulate(X, Y, w, ref)
    # A few hundred bytes per chunk: dozens of chunks merged one by one.
    monkeypatch.setattr(_pass, "CHUNK_BYTES", 512)
    chunked = accumulate(X, Y, w, ref)
    np.testing.assert_allclose(chunked.mean, whole.mean, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        comoment_of(chunked), comoment_of(whole), rtol=1e-11, atol=1e-12
    )


def test_merge_equals_the_statistics_of_the_union():
    X, Y, w = data(n=901, p=2)
    ref = reference_from(X, Y, w)
    parts = [slice(0, 1), slice(1, 400), slice(400, 901)]
    merged = QuadraticStatistics.empty(ref)
    for part in parts:
        merged = merged.merge(accumulate(X[part], Y[part], w[part], ref))
    whole = accumulate(X, Y, w, ref)
    assert merged.n_samples == 901
    assert merged.weight == pytest.approx(whole.weight, rel=1e-12)
    np.testing.assert_allclose(merged.mean, whole.mean, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        comoment_of(merged), comoment_of(whole), rtol=1e-11, atol=1e-12
    )


def test_merge_refuses_different_references():
    X, Y, _ = data()
    a = accumulate(X, Y, None, reference_from(X, Y))
    b = accumulate(X, Y, None, reference_from(X + 1, Y))
    with pytest.raises(ValueError, match="reference"):
        a.merge(b)


def test_mask_splits_into_train_and_held_out():
    X, Y, w = data(n=300)
    ref = reference_from(X, Y, w)
    mask = np.zeros(300, bool)
    mask[::7] = True
    train, held_out = accumulate(X, Y, w, ref, mask=mask)
    for stats, rows in ((train, ~mask), (held_out, mask)):
        mean, comoment, weight = numpy_statistics(X[rows], Y[rows], w[rows], ref)
        assert stats.weight == pytest.approx(weight, rel=1e-12)
        np.testing.assert_allclose(stats.mean, mean, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(comoment_of(stats), comoment, rtol=1e-10, atol=1e-11)


def test_large_offset_keeps_the_curvature():
    # With x ~ 1e8 + N(0, 1), a raw power sum of x**4 would hold ~1e32 and
    # lose the spread of x**2 entirely. Centered statistics keep it exactly.
    rng = np.random.default_rng(5)
    z = rng.normal(size=2000)
    X = (1e8 + z)[:, None]
    Y = z[:, None] ** 2
    ref = reference_from(X, Y)
    stats = accumulate(X, Y, None, ref)
    var_u = comoment_of(stats)[1, 1] / stats.weight
    expected = np.var(z - z.mean()) / ref.x_scale[0] ** 2
    assert var_u == pytest.approx(expected, rel=1e-6)


def test_gather_equals_accumulate_on_the_whole_data_reference(monkeypatch):
    # The first chunk's reference gives the same statistics as the whole data's,
    # once both are expressed in the same units (the merge of everything).
    monkeypatch.setattr(_pass, "CHUNK_BYTES", 4096)
    X, Y, w = data(n=3000, p=2, k=1, offset=50.0)
    fast = gather(X, Y, w)
    slow = accumulate(X, Y, w, reference_from(X, Y, w))
    for stats in (fast, slow):
        assert stats.n_samples == 3000
    np.testing.assert_allclose(fast.weight, slow.weight, rtol=1e-13)

    # Compare the moments of x itself, whatever the reference.
    def x_moments(stats):
        ref = stats.reference
        mean = ref.x_loc + ref.x_scale * stats.mean[2:4]
        var = ref.x_scale**2 * np.diag(comoment_of(stats))[2:4] / stats.weight
        return mean, var

    (fast_mean, fast_var), (slow_mean, slow_var) = x_moments(fast), x_moments(slow)
    np.testing.assert_allclose(fast_mean, slow_mean, rtol=1e-13)
    np.testing.assert_allclose(fast_var, slow_var, rtol=1e-10)


@pytest.mark.parametrize("far", [1e70, 1e300])
def test_gather_restarts_when_a_later_chunk_is_out_of_reach(monkeypatch, far):
    # The first chunks hold values near 1; the last one values near `far`: scaled
    # by the first chunk, their powers would overflow. The pass restarts with
    # the whole data's reference, silently (warnings are errors here).
    monkeypatch.setattr(_pass, "CHUNK_BYTES", 4096)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 1))
    X[-100:] = far * (1 + rng.uniform(size=(100, 1)))
    Y = rng.normal(size=(2000, 1))
    stats = gather(X, Y)
    expected = accumulate(X, Y, None, reference_from(X, Y))
    np.testing.assert_array_equal(stats.reference.x_scale, expected.reference.x_scale)
    np.testing.assert_allclose(comoment_of(stats), comoment_of(expected))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", [0, 1999])
def test_gather_reports_non_finite_values(monkeypatch, bad, where):
    monkeypatch.setattr(_pass, "CHUNK_BYTES", 4096)
    X = np.random.default_rng(0).normal(size=(2000, 1))
    X[where] = bad
    with pytest.raises(NonFiniteError):
        gather(X, X.copy() if where else np.ones((2000, 1)))


@pytest.mark.parametrize("weighted", [False, True])
def test_feature_moments_equal_numpy_per_feature_moments(weighted):
    X, Y, w = data(n=700, p=3, k=2)
    w = w if weighted else None
    ref = reference_from(X, Y, w)
    mask = np.zeros(700, bool)
    mask[::5] = True
    moments = feature_moments(X, Y, w, ref, mask)
    keep = ~mask
    mean, comoment, weight = numpy_statistics(
        X[keep], Y[keep], None if w is None else w[keep], ref
    )
    assert moments.weight == pytest.approx(weight, rel=1e-12)
    assert moments.n_samples == keep.sum()
    np.testing.assert_allclose(moments.mean, mean, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(moments.squares, np.diag(comoment), rtol=1e-10)
    np.testing.assert_allclose(
        moments.cross, np.diag(comoment[:3, 3:6]), rtol=1e-9, atol=1e-12
    )
    # Two halves merged are the whole.
    halves = [slice(0, 350), slice(350, 700)]
    merged = feature_moments(X[halves[0]], Y[halves[0]], None, ref).merge(
        feature_moments(X[halves[1]], Y[halves[1]], None, ref)
    )
    whole = feature_moments(X, Y, None, ref)
    np.testing.assert_allclose(merged.mean, whole.mean, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(merged.squares, whole.squares, rtol=1e-11)
    np.testing.assert_allclose(merged.cross, whole.cross, rtol=1e-10, atol=1e-12)


def test_loc_scale_is_the_clipped_mean_and_the_largest_deviation():
    mean, lo, hi = (
        np.array([2.0, 7.0, 3.0]),
        np.array([0.0, 0.0, 3.0]),
        np.array([10.0, 5.0, 3.0]),
    )
    loc, scale = loc_scale(mean, lo, hi)
    np.testing.assert_array_equal(loc, [2.0, 5.0, 3.0])
    # A constant column is scaled by its own magnitude.
    np.testing.assert_array_equal(scale, [8.0, 5.0, 3.0])
    _, scale = loc_scale(np.zeros(1), np.zeros(1), np.zeros(1))
    np.testing.assert_array_equal(scale, [1.0])


# -- the blocked pass: kernels, lanes, units --------------------------------------


def use_small_blocks(monkeypatch):
    """Blocks of 256 rows, and two lanes on threads for any pass of two blocks.

    Symmetric products (the only ones run in two lanes) for any number of
    variables, unless a test asks for the matrix-vector products.
    """
    monkeypatch.setattr(_pass, "CHUNK_BYTES", 512)
    monkeypatch.setattr(_pass, "_PARALLEL_WORK", 0)
    monkeypatch.setattr(_pass, "_DOT_VARIABLES", 0)


@pytest.fixture
def small_blocks(monkeypatch):
    use_small_blocks(monkeypatch)


# The pass's kernels: matrix-vector products ("dot"; "narrow", compiled, for
# one feature and one target), symmetric products in two lanes ("gram"), or in
# one lane updating the sums in place ("wide": blocks of 300 rows, on BLAS's own
# threads). "fused": blocks formed by the compiled kernel instead of numpy.
KERNELS = ["dot", "narrow", "gram", "gram fused", "wide", "wide fused"]


def use_kernel(monkeypatch, kernel):
    """Run the pass on ``kernel`` (one of ``KERNELS``)."""
    monkeypatch.setattr(
        _pass, "_DOT_VARIABLES", 99 if kernel.startswith(("dot", "narrow")) else 0
    )
    fused = kernel == "narrow" or kernel.endswith("fused")
    # None: loaded when first asked for; False: numpy's kernels.
    monkeypatch.setattr(_kernels, "_FUSED", None if fused else False)
    monkeypatch.setattr(_kernels, "COMPILED_FROM", 0)  # on data of any size
    if kernel.startswith("wide"):
        monkeypatch.setattr(_pass, "_WIDE_VARIABLES", 0)
        monkeypatch.setattr(_pass, "_WIDE_BLOCK_ROWS", 300)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(1, 1), (2, 1), (3, 2)])
def test_lanes_equal_numpy_moments(small_blocks, monkeypatch, kernel, weighted, shape):
    # 2001 rows: eight blocks and a short one, split into two lanes (or six
    # blocks and a short one in one lane).
    use_kernel(monkeypatch, kernel)
    X, Y, w = data(n=2001, p=shape[0], k=shape[1], offset=3.0)
    w = w if weighted else None
    ref = reference_from(X, Y, w)
    stats = accumulate(X, Y, w, ref)
    mean, comoment, weight = numpy_statistics(X, Y, w, ref)
    assert stats.n_samples == 2001
    assert stats.weight == pytest.approx(weight, rel=1e-12)
    np.testing.assert_allclose(stats.mean, mean, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(comoment_of(stats), comoment, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("p", [1, 4])
def test_lanes_split_and_zero_weights(small_blocks, monkeypatch, kernel, p):
    # Early-stopping split and far rows of weight 0, in both lanes (in one for
    # the matrix-vector products, whose blocks alternate between the parts).
    use_kernel(monkeypatch, kernel)
    X, Y, w = data(n=3000, p=p, k=1)
    far = [5, 2500]
    X[far] = 1e300
    Y[far] = -1e300
    w[far] = 0.0
    mask = np.zeros(3000, bool)
    mask[::9] = True
    ref = reference_from(X, Y, w)
    train, held_out = accumulate(X, Y, w, ref, mask=mask)
    keep = w > 0
    for stats, rows in ((train, ~mask), (held_out, mask)):
        assert stats.n_samples == rows.sum()
        rows = rows & keep
        mean, comoment, weight = numpy_statistics(X[rows], Y[rows], w[rows], ref)
        assert stats.weight == pytest.approx(weight, rel=1e-12)
        np.testing.assert_allclose(stats.mean, mean, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(comoment_of(stats), comoment, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("p", [1, 4])
def test_lanes_are_deterministic_whatever_the_threads(small_blocks, monkeypatch, p):
    X, Y, w = data(n=5000, p=p, k=1, offset=7.0)
    ref = reference_from(X, Y, w)
    threaded = [accumulate(X, Y, w, ref) for _ in range(3)]
    monkeypatch.setattr(_kernels, "_available_cores", lambda: 1)
    sequential = accumulate(X, Y, w, ref)
    for stats in threaded[1:] + [sequential]:
        np.testing.assert_array_equal(stats.mean, threaded[0].mean)
        np.testing.assert_array_equal(comoment_of(stats), comoment_of(threaded[0]))
        assert stats.weight == threaded[0].weight


@pytest.mark.parametrize("kernel", [None, *KERNELS])
@pytest.mark.parametrize("scale", [1e-30, 1e15])
@pytest.mark.parametrize("p", [1, 4])
def test_scales_outside_the_deferred_range(monkeypatch, kernel, scale, p):
    # Such scales are applied as each block is formed, not to the sums: in the
    # one block of small data (kernel None), or in blocks of 256 rows.
    if kernel is not None:
        use_small_blocks(monkeypatch)
        use_kernel(monkeypatch, kernel)
    X, Y, w = data(n=1500, p=p, k=1)
    X = X * scale + 3 * scale
    Y = Y * scale
    ref = reference_from(X, Y, w)
    assert not _kernels.BlockUnits(ref, np.zeros(p)).deferred
    stats = accumulate(X, Y, w, ref)
    mean, comoment, weight = numpy_statistics(X, Y, w, ref)
    np.testing.assert_allclose(stats.mean, mean, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(comoment_of(stats), comoment, rtol=1e-10, atol=1e-11)


def test_two_valued_feature_has_an_exactly_constant_square(small_blocks):
    # +-1 in equal numbers: u**2 is constant, and so is the shifted square.
    x = np.tile([-1.0, 1.0], 1000)[:, None]
    Y = np.random.default_rng(0).normal(size=(2000, 1))
    stats = accumulate(x, Y, None, reference_from(x, Y))
    assert comoment_of(stats)[0, 0] == 0.0
    assert comoment_of(stats)[0, 1] == 0.0


@pytest.mark.parametrize(
    "kernel", ["narrow", "gram", "gram fused", "wide", "wide fused"]
)
@pytest.mark.parametrize("bad", [np.nan, np.inf, 1e200])
def test_gather_checks_reach_in_the_second_lane(small_blocks, monkeypatch, kernel, bad):
    # In the second lane, or (wide rows, one lane) in a late block.
    use_kernel(monkeypatch, kernel)
    p = 1 if kernel == "narrow" else 2
    X = np.random.default_rng(0).normal(size=(4000, p))
    Y = X[:, :1] ** 2
    X[3900, p - 1] = bad
    if np.isfinite(bad):
        stats = gather(X, Y)
        expected = accumulate(X, Y, None, reference_from(X, Y))
        np.testing.assert_array_equal(
            stats.reference.x_scale, expected.reference.x_scale
        )
        np.testing.assert_allclose(
            comoment_of(stats), comoment_of(expected), rtol=1e-12
        )
    else:
        with pytest.raises(NonFiniteError):
            gather(X, Y)


def blas_threads():
    from threadpoolctl import threadpool_info

    return [
        lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
    ]


def test_blas_threads_are_restored(small_blocks):
    before = blas_threads()
    X, Y, _ = data(n=3000, p=3)
    gather(X, Y)
    assert blas_threads() == before
    X[2000, 0] = np.nan
    with pytest.raises(NonFiniteError):
        gather(X, Y)
    assert blas_threads() == before


# -- statistics about different references ----------------------------------------


@pytest.mark.parametrize("offset", [0.0, 1e6])
def test_rebased_equals_accumulating_on_the_new_reference(offset):
    X, Y, w = data(n=800, p=3, k=2, offset=offset)
    first = reference_from(X[:100], Y[:100], w[:100])
    whole = reference_from(X, Y, w)
    rebased = accumulate(X, Y, w, first).rebased(whole)
    direct = accumulate(X, Y, w, whole)
    assert rebased.reference is whole
    assert rebased.weight == direct.weight
    assert rebased.n_samples == direct.n_samples
    np.testing.assert_allclose(rebased.mean, direct.mean, rtol=1e-10, atol=1e-13)
    scale = np.abs(comoment_of(direct)).max()
    np.testing.assert_allclose(
        comoment_of(rebased), comoment_of(direct), atol=1e-11 * scale
    )


def test_rebased_gram_rounding_bounds_the_moved_columns():
    # Moved to a reference 50 of its scales away (u' = a u + b, b = -50 a),
    # the Gram's rounding is relative to the norms of the new columns' linear
    # part: a**2 u**2 + 2 a b u, a u and c y_ref (the shift b**2 moves the
    # mean alone). The rebased gram_squares must bound those norms, computed
    # here from the rows.
    X, Y, w = data(n=800, p=2, k=1)
    old = reference_from(X, Y, w)
    new = Reference(
        old.x_loc + 50.0 * old.x_scale,
        2.0 * old.x_scale,
        old.y_loc - 3.0 * old.y_scale,
        0.5 * old.y_scale,
    )
    stats = accumulate(X, Y, w, old)
    assert stats.from_gram
    rebased = stats.rebased(new)
    a = old.x_scale / new.x_scale
    b = (old.x_loc - new.x_loc) / new.x_scale
    c = old.y_scale / new.y_scale
    U = (X - old.x_loc) / old.x_scale
    Yr = (Y - old.y_loc) / old.y_scale
    linear = np.column_stack([a**2 * U**2 + 2 * a * b * U, a * U, c * Yr])
    norms = np.sqrt(w @ linear**2)
    assert np.all(np.sqrt(rebased.gram_squares) >= norms * (1 - 1e-12))


def test_blocks_on_their_own_references_merge_into_the_whole():
    # One block around 0, one around 1e8 with another spread, one of weight 0:
    # each gathered about its own reference, merged on the union's.
    rng = np.random.default_rng(3)
    X = np.concatenate(
        [rng.normal(size=(300, 2)), 1e8 + 1e3 * rng.normal(size=(400, 2))]
    )
    Y = X[:, :1] ** 2 * 1e-8 + rng.normal(size=(700, 1))
    w = rng.uniform(0.5, 2.0, size=700)
    w[650:] = 0.0
    X[650:] = 1e300  # far, and of weight 0
    blocks = [slice(0, 300), slice(300, 650), slice(650, 700)]
    parts, extent = [], _statistics.Extent.empty(2, 1)
    for rows in blocks:
        part_extent = _statistics.Extent.of(X[rows], Y[rows], w[rows])
        reference = part_extent.reference()
        if reference is None:
            assert part_extent.weight == 0
            continue
        parts.append(accumulate(X[rows], Y[rows], w[rows], reference))
        extent = extent.union(part_extent)
    reference = extent.reference()
    keep = w > 0
    expected = reference_from(X[keep], Y[keep], w[keep])
    np.testing.assert_allclose(reference.x_loc, expected.x_loc, rtol=1e-15)
    np.testing.assert_allclose(reference.x_scale, expected.x_scale, rtol=1e-15)
    merged = _statistics.merge_rebased(parts, reference)
    mean, comoment, weight = numpy_statistics(X[keep], Y[keep], w[keep], reference)
    assert merged.weight == pytest.approx(weight, rel=1e-12)
    np.testing.assert_allclose(merged.mean, mean, rtol=1e-10, atol=1e-13)
    scale = np.abs(comoment).max()
    np.testing.assert_allclose(comoment_of(merged), comoment, atol=1e-10 * scale)


def test_extent_union_is_the_extent_of_the_union():
    X, Y, w = data(n=600, p=2, k=2, offset=-40.0)
    parts = [slice(0, 1), slice(1, 250), slice(250, 600)]
    union = _statistics.Extent.empty(2, 2)
    for rows in parts:
        union = union.union(_statistics.Extent.of(X[rows], Y[rows], w[rows]))
    whole = _statistics.Extent.of(X, Y, w)
    assert union.weight == pytest.approx(whole.weight, rel=1e-14)
    for field in ("x_mean", "y_mean"):
        np.testing.assert_allclose(getattr(union, field), getattr(whole, field))
    for field in ("x_lo", "x_hi", "y_lo", "y_hi"):
        np.testing.assert_array_equal(getattr(union, field), getattr(whole, field))


@pytest.mark.parametrize("kernel", ["dot", "gram", "gram fused"])
def test_kept_buffers_serve_passes_of_other_shapes(small_blocks, monkeypatch, kernel):
    # Each thread keeps its block buffers from one pass to the next: a pass
    # after a longer, wider and weighted one in the same thread must not see
    # its values (the matrix-vector products keep a row of ones in the buffer).
    use_kernel(monkeypatch, kernel)
    X1, Y1, w1 = data(n=3000, p=2, k=2, offset=5.0)
    accumulate(X1, Y1, w1, reference_from(X1, Y1, w1))
    for n, w_kind in ((2001, None), (700, "weights"), (2001, None)):
        X, Y, w = data(n=n, p=1, k=1, offset=-2.0)
        w = w if w_kind else None
        ref = reference_from(X, Y, w)
        stats = accumulate(X, Y, w, ref)
        mean, comoment, weight = numpy_statistics(X, Y, w, ref)
        assert stats.weight == pytest.approx(weight, rel=1e-12)
        np.testing.assert_allclose(stats.mean, mean, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(comoment_of(stats), comoment, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("kernel", ["gram", "wide"])
@pytest.mark.parametrize("scale", [1.0, 1e-30])
@pytest.mark.parametrize("p", [1, 3])
def test_compiled_blocks_give_numpys_sums_to_the_last_bit(
    small_blocks, monkeypatch, kernel, scale, p
):
    # The compiled kernel forms each value by numpy's very operations: same
    # sums, bitwise, for unit weights, weights, and far rows of weight 0 in a
    # split (scale 1e-30: the units are applied as blocks are formed).
    X, Y, w = data(n=3000, p=p, k=2, offset=3.0)
    X, Y = X * scale, Y * scale
    X[[7, 2900]] = 1e300
    w[[7, 2900]] = 0.0
    mask = np.zeros(3000, bool)
    mask[::5] = True
    results = {}
    for fused in (False, True):
        use_kernel(monkeypatch, f"{kernel} fused" if fused else kernel)
        results[fused] = [
            accumulate(X, Y, weights, reference_from(X, Y, weights), mask=split)
            for weights, split in ((None, None), (w, None), (w, mask))
        ]
    for numpys, compiled in zip(results[False], results[True]):
        for a, b in zip(np.atleast_1d(numpys), np.atleast_1d(compiled)):
            np.testing.assert_array_equal(b.mean, a.mean)
            np.testing.assert_array_equal(comoment_of(b), comoment_of(a))
            assert b.weight == a.weight


@pytest.mark.parametrize("shape", [(1, 3), (513, 2), (514, 2), (2000, 3), (1100, 12)])
def test_compiled_column_extent_is_numpys_to_the_last_bit(shape):
    # Minimum, maximum and sum of each column as numpy's reductions give them
    # (the sum row after row), on one row, a few, thousands, and more columns
    # than numpy's narrow path takes; a NaN shows in its column's sum.
    from sklearn_quadneuron._statistics import _compiled

    A = np.random.default_rng(shape[0]).standard_normal(shape) * 1e3
    A[shape[0] // 2, 0] = 1e9
    lo, hi, total = (np.empty(shape[1]) for _ in range(3))
    _compiled.column_extent(A, lo, hi, total)
    np.testing.assert_array_equal(lo, A.min(axis=0))
    np.testing.assert_array_equal(hi, A.max(axis=0))
    np.testing.assert_array_equal(total, A.sum(axis=0))
    A[-1, -1] = np.nan
    _compiled.column_extent(A, lo, hi, total)
    assert np.isnan(total[-1]) and not np.isnan(total[:-1]).any()


@pytest.mark.parametrize(
    "kernel", ["dot", "dot fused", "gram", "gram fused", "wide fused"]
)
@pytest.mark.parametrize("shape", [(2, 1), (3, 2)])
def test_a_pass_takes_the_extent_of_its_rows_as_it_forms_them(
    small_blocks, monkeypatch, kernel, shape
):
    # Asked for, the compiled kernel takes the minimum, maximum and sum of each
    # column of X then Y while forming the blocks, over both lanes (two lanes
    # for "gram fused", one for "wide fused", on the "dot" kernel too): numpy's
    # reductions are the oracle (the sums to rounding: the lanes add theirs).
    # Where numpy forms the blocks ("dot", "gram"), or the rows are weighted (a
    # weighted extent needs weighted sums), there is none; the statistics are
    # those of the pass without it.
    use_kernel(monkeypatch, kernel)
    X, Y, w = data(n=2001, p=shape[0], k=shape[1], offset=3.0)
    X[1500, 0], Y[700, -1] = 1e6, -1e6
    ref = reference_from(X, Y)
    stats, extent = accumulate(X, Y, None, ref, extent=True)
    plain = accumulate(X, Y, None, ref)
    np.testing.assert_array_equal(comoment_of(stats), comoment_of(plain))
    np.testing.assert_array_equal(stats.mean, plain.mean)
    assert accumulate(X, Y, w, ref, extent=True)[1] is None
    if not kernel.endswith("fused"):
        assert extent is None
        return
    A = np.hstack([X, Y])
    np.testing.assert_array_equal(extent[0], A.min(axis=0))
    np.testing.assert_array_equal(extent[1], A.max(axis=0))
    np.testing.assert_allclose(extent[2], A.sum(axis=0), rtol=1e-13)


def test_the_compiled_extent_leaves_out_rows_of_weight_zero():
    # fill_block's extent is over rows of weight other than 0 (their values,
    # not weighted), summed row after row as numpy sums a column, block after
    # block: a row of weight 0 at 1e300 shows in none of it.
    from sklearn_quadneuron._statistics import _compiled

    X, Y, w = data(n=600, p=3, k=1)
    X[10, 1], w[10] = 1e300, 0.0
    extent = np.array([[np.inf], [-np.inf], [-0.0]]).repeat(4, 1)
    V = np.empty((8, 300))
    forming = (np.zeros(3), np.ones(3), np.zeros(1), np.ones(1), np.zeros(3))
    for rows in (slice(0, 300), slice(300, 600)):
        _compiled.fill_block(X[rows], Y[rows], w[rows], *forming, True, V, extent)
    A = np.hstack([X, Y])[w != 0]
    np.testing.assert_array_equal(extent[0], A.min(axis=0))
    np.testing.assert_array_equal(extent[1], A.max(axis=0))
    np.testing.assert_array_equal(extent[2], A.sum(axis=0))


@pytest.mark.parametrize("layout", ["F", "strided", "float32"])
@pytest.mark.parametrize("p", [1, 3])
def test_compiled_kernels_read_any_layout(small_blocks, monkeypatch, layout, p):
    # Fortran-ordered X (a DataFrame's), a strided view, float32 values (kept
    # as given by validation): the compiled kernels read them in place, to
    # numpy's sums (bitwise when forming blocks; to rounding for the narrow
    # kernel, checked against numpy's moments).
    X, Y, w = data(n=3000, p=2 * p, k=1, offset=1.5)
    if layout == "F":
        X = np.asfortranarray(X[:, :p])
    elif layout == "strided":
        X = X[:, ::2]
    else:
        X = X[:, :p].astype(np.float32)
    ref = reference_from(X, Y, w)
    kernels = ("dot", "narrow") if p == 1 else ("gram", "gram fused")
    results = []
    for kernel in kernels:
        use_kernel(monkeypatch, kernel)
        results.append(accumulate(X, Y, w, ref))
    numpys, compiled = results
    if p > 1:
        np.testing.assert_array_equal(comoment_of(compiled), comoment_of(numpys))
    mean, comoment, weight = numpy_statistics(X.astype(float), Y, w, ref)
    np.testing.assert_allclose(compiled.mean, mean, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(comoment_of(compiled), comoment, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("offset", [0.0, 3.0, -1e6])
@pytest.mark.parametrize("weighted", [False, True])
def test_narrow_kernel_sums_every_product_once(
    small_blocks, monkeypatch, offset, weighted
):
    # One feature and one target: the compiled pass over x and y, checked to
    # run, against numpy's moments of the plainly formed variables.
    from sklearn_quadneuron._statistics import _compiled

    use_kernel(monkeypatch, "narrow")
    calls = []

    def counted(x, *args):
        calls.append(x.shape[0])
        return narrow_products(x, *args)

    narrow_products = _compiled.narrow_products
    monkeypatch.setattr(_compiled, "narrow_products", counted)
    X, Y, w = data(n=5000, p=1, k=1, offset=offset)
    w = w if weighted else None
    ref = reference_from(X, Y, w)
    stats = accumulate(X, Y, w, ref)
    assert sum(calls) == 5000 and len(calls) > 1
    mean, comoment, weight = numpy_statistics(X, Y, w, ref)
    assert stats.weight == pytest.approx(weight, rel=1e-12)
    np.testing.assert_allclose(stats.mean, mean, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(comoment_of(stats), comoment, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("numba", ["missing", "no cache"])
def test_without_numba_the_pass_runs_on_numpy(small_blocks, monkeypatch, numba):
    # numba is an optional extra: where it cannot be imported, or cannot cache
    # its kernels (read-only directories: numba raises RuntimeError when the
    # kernels are defined), the pass forms its blocks with numpy, and the sums
    # are those of numpy's moments.
    import sys
    import types

    if numba == "missing":
        module = None
    else:
        module = types.ModuleType("numba")

        def njit(**options):
            raise RuntimeError("cannot cache function: no locator available")

        module.njit = njit
    monkeypatch.setitem(sys.modules, "numba", module)
    monkeypatch.delitem(
        sys.modules, "sklearn_quadneuron._statistics._compiled", raising=False
    )
    monkeypatch.delattr(_statistics, "_compiled", raising=False)
    monkeypatch.setattr(_kernels, "_FUSED", None)
    assert _kernels.fused_kernels() is None
    for p, dot in ((1, 99), (3, 0)):
        monkeypatch.setattr(_pass, "_DOT_VARIABLES", dot)
        X, Y, w = data(n=3000, p=p, k=1, offset=2.0)
        ref = reference_from(X, Y, w)
        stats = accumulate(X, Y, w, ref)
        mean, comoment, weight = numpy_statistics(X, Y, w, ref)
        assert stats.weight == pytest.approx(weight, rel=1e-12)
        np.testing.assert_allclose(comoment_of(stats), comoment, rtol=1e-10, atol=1e-11)


def test_wide_rows_give_the_same_sums_on_any_number_of_blas_threads(monkeypatch):
    # Wide rows run on BLAS's own threads: the products split the sums among
    # them, not the rows, so the sums are bitwise those of one thread.
    from threadpoolctl import threadpool_limits

    use_kernel(monkeypatch, "wide")
    X, Y, w = data(n=2001, p=40, k=1, offset=3.0)
    ref = reference_from(X, Y, w)
    with threadpool_limits(1, user_api="blas"):
        one = accumulate(X, Y, w, ref)
    with threadpool_limits(2, user_api="blas"):
        two = accumulate(X, Y, w, ref)
    np.testing.assert_array_equal(comoment_of(two), comoment_of(one))
    np.testing.assert_array_equal(two.mean, one.mean)
    mean, comoment, _ = numpy_statistics(X, Y, w, ref)
    np.testing.assert_allclose(comoment_of(one), comoment, rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("precompute", [True, False])
def test_a_fit_solves_on_one_blas_thread_after_its_pass(monkeypatch, precompute):
    # After the statistics pass, only small linear algebra is left: on one
    # BLAS thread, whose idle threads do not spin into the next call. The
    # direct engine keeps BLAS's threads for its passes over the data.
    from sklearn_quadneuron import QuadraticGDRegressor, _regressor

    seen = []

    def spied(*args):
        seen.append(blas_threads())
        return solve(*args)

    solve = _regressor.solve
    monkeypatch.setattr(_regressor, "solve", spied)
    before = blas_threads()
    X, Y, _ = data(n=400, p=2)
    QuadraticGDRegressor(precompute=precompute, max_iter=50, tol=None).fit(X, Y[:, 0])
    assert blas_threads() == before
    expected = [1] * len(before) if precompute else before
    assert seen == [expected]


def _householder_of_rows(X, Y, w, ref):
    """numpy's Householder factor of the weighted rows ``[1, u**2, u, y]`` about
    ``ref`` (rows of weight 0 left out), with a non-negative diagonal."""
    rows = slice(None) if w is None else w > 0
    U = (X[rows] - ref.x_loc) / ref.x_scale
    Yr = (Y[rows] - ref.y_loc) / ref.y_scale
    V = np.column_stack([np.ones(len(U)), U**2, U, Yr])
    root = np.ones(len(U)) if w is None else np.sqrt(w[rows])
    R = np.linalg.qr(root[:, None] * V, mode="r")
    return R * np.where(np.diagonal(R) < 0, -1.0, 1.0)[:, None]


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(1, 1), (3, 2)])
@pytest.mark.parametrize("far", [0.0, 1e4])
def test_second_pass_is_the_factor_of_the_centered_rows(
    small_blocks, monkeypatch, fused, weighted, shape, far
):
    # The oracle: numpy's Householder QR of the rows sqrt(w) [1, v], formed
    # plainly; its R is that of the second pass up to the signs of its rows.
    # With one point far off, CholeskyQR2 (one feature: the compiled kernel)
    # or Householder QR run. The reference is off the data's mean (as a
    # stream's, frozen at its first chunk), and a row of weight 0 lies where
    # its powers overflow: it must add nothing. (The far point read apart from
    # the rest: test_far_rows_read_apart_give_the_factor_of_the_rows.)
    monkeypatch.setattr(_kernels, "_FUSED", None if fused else False)
    monkeypatch.setattr(_kernels, "COMPILED_FROM", 0)  # on data of any size
    monkeypatch.setattr(_statistics, "_FAR_KURTOSIS", np.inf)
    X, Y, w = data(n=2001, p=shape[0], k=shape[1])
    X[0] += far
    w[::7] = 0.0
    w[0] = 1.0
    if weighted:
        X[7] = 1e200
    w = w if weighted else None
    ref = reference_from(X, Y, w)
    ref = Reference(ref.x_loc + 0.5, ref.x_scale, ref.y_loc - 0.7, ref.y_scale)
    stats = second_pass(X, Y, w, accumulate(X, Y, w, ref))
    assert not stats.from_gram
    R = _householder_of_rows(X, Y, w, ref)
    np.testing.assert_allclose(stats.mean, R[0, 1:] / R[0, 0], rtol=1e-9, atol=1e-12)
    scale = np.linalg.norm(R[1:, 1:], axis=0)
    np.testing.assert_allclose(
        stats.factor / scale, R[1:, 1:] / scale, rtol=0, atol=1e-9
    )


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("far", [1e4, 1e8])
def test_far_rows_read_apart_give_the_factor_of_the_rows(
    small_blocks, monkeypatch, fused, weighted, far
):
    # Two far points (one of weight 0 where weighted, its powers out of reach)
    # and one far target: read by Householder QR, the rest by their Gram about
    # a reference of their own. The factor is numpy's Householder QR's of the
    # rows to the rounding that rounding() bounds, and says it is in part a
    # Gram's (the far rows' share of each column being large, a small one).
    monkeypatch.setattr(_kernels, "_FUSED", None if fused else False)
    monkeypatch.setattr(_kernels, "COMPILED_FROM", 0)  # on data of any size
    X, Y, w = data(n=2001, p=3, k=1)
    X[0] += far
    X[900, 1] -= far
    Y[1500] += far
    w[::7] = 0.0
    w[[0, 900, 1500]] = 1.0
    if weighted:
        X[7] = 1e200
    w = w if weighted else None
    first = gather(X, Y, w)
    found = []
    fold = _statistics.fold_far_rows

    def spied(stats, rows, *args):
        found.append(sum(part[0].shape[0] for part in rows))
        return fold(stats, rows, *args)

    monkeypatch.setattr(_statistics, "fold_far_rows", spied)
    stats = second_pass(X, Y, w, first)
    assert found == [3] and stats.rows_too
    ref = first.reference
    R = _householder_of_rows(X, Y, w, ref)
    np.testing.assert_allclose(stats.mean, R[0, 1:] / R[0, 0], rtol=1e-9, atol=1e-12)
    scale = np.linalg.norm(R[1:, 1:], axis=0)
    # At 1e8, numpy's QR itself stands 1e-4 of the norms off the exact factor
    # in the last column (see test_cholesky_qr2_is_not_tried_beyond_its_reach).
    atol = 1e-8 if far < 1e6 else 1e-3
    np.testing.assert_allclose(stats.factor / scale, R[1:, 1:] / scale, atol=atol)


@pytest.mark.parametrize("fused", [False, True])
def test_far_rows_are_16_standard_deviations_out(small_blocks, monkeypatch, fused):
    # One point far out and a few rows moderately out (far from the bulk, well
    # within 16 standard deviations of all the rows): the rows read apart are
    # those more than 16 standard deviations from the mean, counted by numpy.
    monkeypatch.setattr(_kernels, "_FUSED", None if fused else False)
    monkeypatch.setattr(_kernels, "COMPILED_FROM", 0)  # on data of any size
    X, Y, _ = data(n=2001, p=3, k=1)
    X[0] += 1e5
    Y[0] += 1e5
    X[1:9, 1] += 3000.0
    Y[10:14] -= 3000.0
    columns = np.column_stack([X, Y])
    out = np.abs(columns - columns.mean(axis=0)) > 16 * columns.std(axis=0)
    assert out.any(axis=1).sum() == 1
    found = []
    fold = _statistics.fold_far_rows

    def spied(stats, rows, *args):
        found.append(sum(part[0].shape[0] for part in rows))
        return fold(stats, rows, *args)

    monkeypatch.setattr(_statistics, "fold_far_rows", spied)
    second_pass(X, Y, None, gather(X, Y, None))
    assert found == [1]


def test_far_rows_are_not_read_apart_without_a_heavy_tail(small_blocks, monkeypatch):
    # Two clusters far apart: no row is far from the mean in standard
    # deviations, and the kurtosis (1) says so before any pass is spent.
    X, Y, _ = data(n=2001, p=3, k=1)
    X[::2] += 1e6
    first = gather(X, Y, None)

    def refused(*args):
        raise AssertionError("far rows were looked for")

    monkeypatch.setattr(_statistics, "_far_apart", refused)
    assert not second_pass(X, Y, None, first).from_gram


def test_cholesky_qr2_falls_back_where_the_whitened_rows_are_far_from_orthogonal():
    # A first factor 1e6 times off along one direction (as rounding leaves the
    # Gram's of an ill-conditioned design): the rows whitened by it are far
    # from orthogonal, and CholeskyQR2 would keep a factor accurate to only
    # eps * 1e12. The second pass then reads the rows by Householder QR: the
    # factor of numpy's QR to rounding.
    X, Y, _ = data(n=2001, p=2, k=1)
    ref = reference_from(X, Y, None)
    first = accumulate(X, Y, None, ref)
    skew = np.eye(first.factor.shape[0])
    skew[0, 1] = 1e6
    bad = QuadraticStatistics(
        ref, first.weight, first.n_samples, first.mean, first.factor @ skew
    )
    assert bad.design_condition() < 1e7  # CholeskyQR2 is tried
    stats = second_pass(X, Y, None, bad)
    U = (X - ref.x_loc) / ref.x_scale
    V = np.column_stack([np.ones(len(X)), U**2, U, (Y - ref.y_loc) / ref.y_scale])
    R = np.linalg.qr(V, mode="r")
    R *= np.where(np.diagonal(R) < 0, -1.0, 1.0)[:, None]
    scale = np.linalg.norm(R[1:, 1:], axis=0)
    np.testing.assert_allclose(stats.factor / scale, R[1:, 1:] / scale, atol=1e-12)


def test_cholesky_qr2_is_not_tried_beyond_its_reach(monkeypatch):
    # One point 1e8 spreads away: the design's condition (1e8) is beyond what
    # a factor from the Gram can whiten. The second pass goes straight to
    # Householder QR, without a pass of whitened rows that would be refused.
    X, Y, _ = data(n=2001, p=2, k=1)
    X[0] = 1e8
    first = accumulate(X, Y, None, reference_from(X, Y, None))
    assert 1e7 < first.design_condition() < 1e12

    def refused(*args):
        raise AssertionError("the rows were whitened by the Gram's factor")

    monkeypatch.setattr(_statistics, "WhitenedLane", refused)
    stats = second_pass(X, Y, None, first)
    U = (X - first.reference.x_loc) / first.reference.x_scale
    Yu = (Y - first.reference.y_loc) / first.reference.y_scale
    V = np.column_stack([np.ones(len(X)), U**2, U, Yu])
    R = np.linalg.qr(V, mode="r")
    R *= np.where(np.diagonal(R) < 0, -1.0, 1.0)[:, None]
    # numpy's QR and this factor both stand 1e-4 of the columns' norms off the
    # exact one in their last column (measured at 50 digits), as QR does at
    # this condition: the check is for the route, not for more digits.
    scale = np.linalg.norm(R[1:, 1:], axis=0)
    np.testing.assert_allclose(stats.factor / scale, R[1:, 1:] / scale, atol=1e-3)


@pytest.mark.parametrize("far", [0.0, 1e6])
def test_the_second_pass_corrects_the_first_pass_mean(far):
    # The rows are centered on the first pass's mean, which rounding may leave
    # off (here by 1e-3 of each variable's spread): the constant column of the
    # second pass's factor carries what is left, and corrects it.
    X, Y, _ = data(n=2001, p=2, k=1)
    X[0] += far
    ref = reference_from(X, Y, None)
    first = accumulate(X, Y, None, ref)
    spread = np.linalg.norm(first.factor, axis=0) / np.sqrt(first.weight)
    off = QuadraticStatistics(
        ref, first.weight, first.n_samples, first.mean + 1e-3 * spread, first.factor
    )
    stats = second_pass(X, Y, None, off)
    U = (X - ref.x_loc) / ref.x_scale
    V = np.column_stack([U**2, U, (Y - ref.y_loc) / ref.y_scale])
    exact = V.mean(axis=0)
    np.testing.assert_allclose(stats.mean, exact, rtol=0, atol=1e-12 * spread.max())
    np.testing.assert_allclose(
        comoment_of(stats), np.cov(V.T, bias=True) * len(V), rtol=1e-9
    )
