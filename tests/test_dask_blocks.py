# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Long Dask blocks, read in the pass's blocks of rows, and bad values in some.

The oracle is least squares in plain numpy (``np.linalg.lstsq`` on
``[x**2, x, 1]``, weighted by ``sqrt(w)``). The Dask blocks are longer than the
pass's blocks of rows, and not a multiple of them, so that the first of those
(whose ``u**2`` gives the shift) is not the only one. Held-out rows of long
blocks are tested with the documented split, in ``test_dask.py``.
"""

import numpy as np
import pytest

da = pytest.importorskip(
    "dask.array", reason="Dask input needs the dask extra: pip install dask[array]"
)
import dask  # noqa: E402

from sklearn_quadneuron import QuadraticGDRegressor  # noqa: E402

# Longer than the pass's block of rows for one feature and one target (65,536),
# and not a multiple of it.
BLOCK = 150_001


@pytest.fixture
def threads():
    with dask.config.set(scheduler="threads"):
        yield


def _lstsq(x, y, w=None):
    """(a, b, c) of y = a x**2 + b x + c by weighted least squares."""
    A = np.column_stack([x**2, x, np.ones_like(x)])
    root = np.ones_like(x) if w is None else np.sqrt(w)
    return np.linalg.lstsq(A * root[:, None], y * root, rcond=None)[0]


def _params(est):
    return np.r_[est.coef_, est.intercept_]


def _curve(n, seed, loc=0.0):
    rng = np.random.default_rng(seed)
    x = loc + rng.normal(size=n)
    y = 3.0 * (x - loc) ** 2 - 2.0 * x + 7.0 + rng.normal(0, 0.1, n)
    return x, y


@pytest.mark.parametrize("weighted", [False, True])
def test_long_blocks_give_least_squares(threads, weighted):
    x, y = _curve(2 * BLOCK + 1000, seed=0, loc=50.0)
    w = None
    if weighted:
        rng = np.random.default_rng(1)
        w = rng.uniform(0.5, 2.0, x.shape[0]) * (rng.random(x.shape[0]) > 0.3)
    est = QuadraticGDRegressor(solver="newton-cholesky").fit(
        da.from_array(x[:, None], chunks=(BLOCK, 1)),
        da.from_array(y, chunks=BLOCK),
        sample_weight=None if w is None else da.from_array(w, chunks=BLOCK),
    )
    np.testing.assert_allclose(_params(est), _lstsq(x, y, w), rtol=1e-9)


def test_far_rows_of_weight_zero_in_long_blocks_change_nothing(threads):
    # Rows of weight 0 scattered over every block of rows, far beyond any reach: their
    # powers would overflow, and inf * 0 is NaN.
    x, y = _curve(2 * BLOCK, seed=2)
    rng = np.random.default_rng(3)
    w = rng.uniform(0.5, 2.0, x.shape[0])
    far = rng.random(x.shape[0]) < 0.01
    w[far] = 0.0
    x[far], y[far] = 1e300, -1e300
    est = QuadraticGDRegressor(solver="newton-cholesky").fit(
        da.from_array(x[:, None], chunks=(BLOCK, 1)),
        da.from_array(y, chunks=BLOCK),
        sample_weight=da.from_array(w, chunks=BLOCK),
    )
    keep = ~far
    np.testing.assert_allclose(
        _params(est), _lstsq(x[keep], y[keep], w[keep]), rtol=1e-9
    )


def test_block_of_weight_zero_with_huge_values_changes_nothing(threads):
    x, y = _curve(3 * 1000, seed=4)
    w = np.random.default_rng(5).uniform(0.5, 2.0, x.shape[0])
    # The middle block carries no weight, and values whose squares overflow.
    w[1000:2000] = 0.0
    x[1000:2000] = np.linspace(-1.0, 1.0, 1000) * 1e300
    y[1000:2000] = 1e300
    est = QuadraticGDRegressor(solver="newton-cholesky").fit(
        da.from_array(x[:, None], chunks=(1000, 1)),
        da.from_array(y, chunks=1000),
        sample_weight=da.from_array(w, chunks=1000),
    )
    keep = w > 0
    np.testing.assert_allclose(
        _params(est), _lstsq(x[keep], y[keep], w[keep]), rtol=1e-9
    )


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "row, where, value, match",
    [
        # In the last block, its last row: the last block of rows of a long block.
        (-1, "X", np.nan, "Input X contains NaN"),
        (-1, "y", np.nan, "Input y contains NaN"),
        # In a middle block, past its first block of rows.
        (BLOCK + 100_000, "X", np.inf, "Input X contains infinity"),
        (BLOCK + 100_000, "y", -np.inf, "Input y contains infinity"),
    ],
)
def test_bad_value_in_a_long_block_raises_like_numpy(
    threads, weighted, row, where, value, match
):
    x, y = _curve(3 * BLOCK, seed=8)
    {"X": x, "y": y}[where][row] = value
    w = np.ones_like(y) if weighted else None
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor().fit(x[:, None], y, sample_weight=w)
    est = QuadraticGDRegressor()
    with pytest.raises(ValueError, match=match):
        est.fit(
            da.from_array(x[:, None], chunks=(BLOCK, 1)),
            da.from_array(y, chunks=BLOCK),
            sample_weight=None if w is None else da.from_array(w, chunks=BLOCK),
        )
    assert not hasattr(est, "coef_")


def test_two_dimensional_y_and_several_features(threads):
    # y given as (n, 2) and three features: nine variables, the symmetric products
    # of the pass; each target fits its own least squares per feature
    # sum, checked here on the statistics' exact minimum.
    rng = np.random.default_rng(9)
    n = BLOCK + 5000
    X = rng.normal(size=(n, 3)) + [0.0, 10.0, -3.0]
    Y = np.column_stack(
        [
            X**2 @ [1.0, -0.5, 0.2] + X @ [2.0, 1.0, -1.0] + 4.0,
            X**2 @ [-1.0, 0.3, 0.0] + X @ [0.0, 1.0, 3.0] - 2.0,
        ]
    ) + rng.normal(0, 0.1, (n, 2))
    est = QuadraticGDRegressor(solver="newton-cholesky").fit(
        da.from_array(X, chunks=(BLOCK, 3)), da.from_array(Y, chunks=(BLOCK, 2))
    )
    A = np.column_stack([X**2, X, np.ones(n)])
    for t in range(2):
        expected = np.linalg.lstsq(A, Y[:, t], rcond=None)[0]
        np.testing.assert_allclose(est.coef_[t], expected[:6], rtol=1e-8)
        np.testing.assert_allclose(est.intercept_[t], expected[6], rtol=1e-8)


def test_a_blocks_results_hold_its_factor_and_no_gram():
    # One pass of 500 variables or more keeps its Gram for the standardized
    # basis of an in-memory fit; a block's results are only merged, by their
    # factors: they must not hold a second matrix of the factor's size. The
    # factor is that of the block's centered rows (numpy's co-moment).
    from sklearn_quadneuron._dask import _block_statistics

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1200, 250))
    Y = X[:, :1] ** 2 + rng.normal(size=(1200, 1))
    ((_, train, held_out),) = _block_statistics(
        (0,), X, Y, estimator="QuadraticGDRegressor", split=None, tol=1e-4
    )
    assert held_out is None and train.gram is None
    ref = train.reference
    U = (X - ref.x_loc) / ref.x_scale
    V = np.column_stack([U**2, U, (Y - ref.y_loc) / ref.y_scale])
    centered = V - V.mean(axis=0)
    expected = centered.T @ centered
    scale = np.abs(expected).max()
    got = train.factor.T @ train.factor
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-12 * scale)


def test_blocks_reach_the_fit_and_predict_without_a_copy(monkeypatch):
    # Asked to concatenate a row block's column blocks, Dask copies even a
    # single one into a new array: a copy of every block per task (8 ms of a
    # 20-ms task at 250,000 rows of 10 features, and the block's memory
    # twice). The fit and predict read the persisted blocks themselves.
    import sklearn_quadneuron._dask as dask_module

    rng = da.random.default_rng(0)
    X = rng.standard_normal((4000, 3), chunks=(1000, 3))
    y = X[:, 0] ** 2 + rng.standard_normal(4000, chunks=1000)
    with dask.config.set(scheduler="sync"):
        X, y = dask.persist(X, y)
    graph = dict(X.__dask_graph__())
    blocks = {graph[(X.name, i, 0)].ctypes.data for i in range(4)}
    seen = []

    def spy(function):
        def call(block, *args, **kwargs):
            seen.append(block.ctypes.data)
            return function(block, *args, **kwargs)

        return call

    monkeypatch.setattr(dask_module, "_block_extent", spy(dask_module._block_extent))
    with dask.config.set(scheduler="sync"):
        model = QuadraticGDRegressor().fit(X, y)
        assert len(seen) == 4 and set(seen) == blocks
        seen.clear()
        monkeypatch.setattr(dask_module, "check_array", spy(dask_module.check_array))
        model.predict(X).compute()
    assert len(seen) == 4 and set(seen) == blocks


@pytest.mark.parametrize("p, n", [(2, 100_003), (10, 30_011)])
def test_an_unweighted_block_is_read_once_for_its_extent_and_statistics(p, n):
    # The block's extent (what the union's reference is taken from) comes from
    # the pass that forms its rows, about a reference from its first rows; no
    # read of its own. Oracles: numpy's minimum, maximum and mean of each
    # column, and the co-moment of the block's rows about their mean.
    pytest.importorskip("numba", reason="the extent is taken by the compiled kernel")
    from sklearn_quadneuron._dask import _block_statistics, _read_once

    rng = np.random.default_rng(p)
    X = rng.normal(size=(n, p)) * np.arange(1, p + 1) + 100.0 * np.arange(p)
    Y = X[:, :1] ** 2 + rng.normal(size=(n, 1))
    X[n - 7, p - 1] = 1e4  # the range's end, in the block's last rows
    extent, stats = _read_once(X, Y)
    assert extent.weight == n and stats.n_samples == n
    for lo, hi, mean, A in ((extent.x_lo, extent.x_hi, extent.x_mean, X),
                            (extent.y_lo, extent.y_hi, extent.y_mean, Y)):  # fmt: skip
        np.testing.assert_array_equal(lo, A.min(axis=0))
        np.testing.assert_array_equal(hi, A.max(axis=0))
        np.testing.assert_allclose(mean, A.mean(axis=0), rtol=1e-13)
    ref = stats.reference
    U = (X - ref.x_loc) / ref.x_scale
    V = np.column_stack([U**2, U, (Y - ref.y_loc) / ref.y_scale])
    centered = V - V.mean(axis=0)
    expected = centered.T @ centered
    got = stats.factor.T @ stats.factor
    np.testing.assert_allclose(
        got, expected, rtol=0, atol=1e-12 * np.abs(expected).max()
    )
    np.testing.assert_allclose(stats.mean, V.mean(axis=0), rtol=1e-12, atol=1e-14)
    # The block's task returns that extent.
    ((task_extent, _, _),) = _block_statistics(
        (0,), [X], Y[:, 0], estimator="QuadraticGDRegressor", split=None, tol=1e-4
    )
    np.testing.assert_array_equal(task_extent.x_hi, extent.x_hi)


def test_a_block_out_of_reach_of_its_first_rows_reads_its_extent_first():
    # The first rows span about 1; a later row lies 1e65 away, beyond what a
    # reference from them can hold (1e60 spreads): the block's extent is read
    # first, and its statistics are gathered about the reference of it.
    from sklearn_quadneuron._dask import _block_statistics, _read_once
    from sklearn_quadneuron._statistics import Extent

    rng = np.random.default_rng(3)
    X = rng.uniform(size=(30_000, 3))
    Y = X[:, :1] + rng.normal(size=(30_000, 1))
    X[20_000, 1] = 1e65
    assert _read_once(X, Y) is None
    ((extent, train, _),) = _block_statistics(
        (0,), [X], Y[:, 0], estimator="QuadraticGDRegressor", split=None, tol=1e-4
    )
    assert extent.x_hi[1] == 1e65 and extent.x_lo[1] == X[:, 1].min()
    expected = Extent.of(X, Y).reference()
    np.testing.assert_array_equal(train.reference.x_loc, expected.x_loc)
    np.testing.assert_array_equal(train.reference.x_scale, expected.x_scale)


@pytest.mark.parametrize(
    "where, value, match",
    [("X", np.nan, "Input X contains NaN"), ("y", np.inf, "Input y contains infinity")],
)
def test_bad_value_late_in_a_block_of_several_features_raises(
    threads, where, value, match
):
    # Past the block's first rows (whose reference the read-once pass takes):
    # the pass finds the value out of reach, and the block's own check names it.
    rng = np.random.default_rng(4)
    X = rng.normal(size=(60_000, 3))
    y = X[:, 0] ** 2 + rng.normal(size=60_000)
    {"X": X[:, 2], "y": y}[where][59_000] = value
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor().fit(
            da.from_array(X, chunks=(30_000, 3)), da.from_array(y, chunks=30_000)
        )
