# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Fitting on Dask arrays and DataFrames, lazy prediction, and a distributed Client.

The oracle is the in-memory fit on the same data (itself tested against a plain
per-sample loop elsewhere) and, where a closed form exists, numpy.polyfit or
plain numpy expressions written here.
"""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

da = pytest.importorskip(
    "dask.array", reason="Dask input needs the dask extra: pip install dask[array]"
)
dd = pytest.importorskip(
    "dask.dataframe",
    reason="Dask DataFrame input needs the dask extra: pip install dask[dataframe]",
)
import dask  # noqa: E402

from sklearn_quadneuron import QuadraticGDRegressor  # noqa: E402

N_SAMPLES = 3001
# Fixed epochs: the comparison is of whole trajectories, not of converged models.
FIXED = {"tol": None, "max_iter": 60}


def _data(n_samples=N_SAMPLES, n_features=2, n_targets=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(loc=3.0, scale=2.0, size=(n_samples, n_features))
    a = rng.uniform(-2, 2, size=(n_features,) + (() if n_targets is None else (1,)))
    shape = (n_samples,) if n_targets is None else (n_samples, n_targets)
    y = 4.0 + (X**2) @ a + X @ np.ones_like(a) + rng.normal(0, 0.5, size=shape)
    return X, y


def _assert_same_fit(est, ref, rtol=1e-10):
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=rtol)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=rtol)
    np.testing.assert_allclose(est.loss_curve_, ref.loss_curve_, rtol=rtol)
    assert est.n_iter_ == ref.n_iter_
    assert est.n_features_in_ == ref.n_features_in_


@pytest.fixture
def threads():
    # Explicit, so that no Client of another test becomes the scheduler here.
    with dask.config.set(scheduler="threads"):
        yield


@pytest.mark.parametrize(
    "x_chunks, y_chunks",
    [
        (N_SAMPLES, N_SAMPLES),  # one block
        (500, 500),  # even blocks, a short last one
        ((1000, 1, 2000), 700),  # uneven blocks; y chunked differently
        ((7, 2994), (3001,)),
    ],
)
def test_dask_array_fit_matches_numpy(threads, x_chunks, y_chunks):
    X, y = _data()
    ref = QuadraticGDRegressor(**FIXED).fit(X, y)
    Xd = da.from_array(X, chunks=(x_chunks, 1))  # columns split too
    yd = da.from_array(y, chunks=y_chunks)
    est = QuadraticGDRegressor(**FIXED).fit(Xd, yd)
    _assert_same_fit(est, ref)
    assert est.precompute_ is True
    assert not hasattr(est, "feature_names_in_")


@pytest.mark.parametrize("solver", ["momentum", "nesterov", "adam"])
def test_dask_statistics_serve_every_solver(threads, solver):
    X, y = _data()
    ref = QuadraticGDRegressor(solver=solver, **FIXED).fit(X, y)
    est = QuadraticGDRegressor(solver=solver, **FIXED).fit(da.from_array(X, 500), y)
    _assert_same_fit(est, ref)


def test_dask_refuses_mini_batches_before_any_work(threads):
    X, y = _data()
    model = QuadraticGDRegressor(batch_size=100)
    with pytest.raises(ValueError, match="cannot be used with Dask input"):
        model.fit(da.from_array(X, 500), da.from_array(y, 500))
    assert not hasattr(model, "coef_")


def test_dask_fit_converges_to_polyfit(threads):
    # Independent oracle: least squares on one feature is numpy.polyfit.
    rng = np.random.default_rng(1)
    x = rng.uniform(-3, 5, size=4000)
    y = 10 * x**2 + 5 * x + 12 + rng.normal(0, 1, size=4000)
    est = QuadraticGDRegressor(tol=1e-12, max_iter=5000)
    est.fit(da.from_array(x[:, None], chunks=(600, 1)), da.from_array(y, chunks=600))
    a, b, c = np.polyfit(x, y, 2)
    np.testing.assert_allclose(est.coef_, [a, b], rtol=1e-6)
    np.testing.assert_allclose(est.intercept_, c, rtol=1e-6)


def test_sample_weight_and_multi_output(threads):
    X, Y = _data(n_targets=3)
    w = np.random.default_rng(2).uniform(0, 3, size=N_SAMPLES)
    ref = QuadraticGDRegressor(**FIXED).fit(X, Y, sample_weight=w)
    est = QuadraticGDRegressor(**FIXED).fit(
        da.from_array(X, chunks=(400, 2)),
        da.from_array(Y, chunks=(400, 3)),
        sample_weight=da.from_array(w, chunks=1000),
    )
    assert est.coef_.shape == (3, 4)
    _assert_same_fit(est, ref)


def test_integer_weights_equal_repeated_rows(threads):
    # Independent of the weighting code: repeating rows is what weights mean.
    X, y = _data(n_samples=600)
    w = np.random.default_rng(3).integers(0, 4, size=600)
    ref = QuadraticGDRegressor(**FIXED).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    est = QuadraticGDRegressor(**FIXED).fit(
        da.from_array(X, chunks=(128, 2)),
        da.from_array(y, chunks=128),
        sample_weight=da.from_array(w, chunks=128),
    )
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-10)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=1e-10)


def test_dask_dataframe_with_column_names(threads):
    X, y = _data()
    frame = pd.DataFrame(X, columns=["height", "age"])
    frame["target"] = y
    ddf = dd.from_pandas(frame, npartitions=4)
    ref = QuadraticGDRegressor(**FIXED).fit(frame[["height", "age"]], frame["target"])
    est = QuadraticGDRegressor(**FIXED).fit(ddf[["height", "age"]], ddf["target"])
    _assert_same_fit(est, ref)
    assert list(est.feature_names_in_) == ["height", "age"]
    assert list(est.get_term_names()) == ["height^2", "age^2", "height", "age"]
    assert "height^2" in est.equation() and "age" in est.equation()

    y_pred = est.predict(ddf[["height", "age"]])
    assert isinstance(y_pred, da.Array) and y_pred.ndim == 1
    np.testing.assert_allclose(y_pred.compute(), ref.predict(frame[["height", "age"]]))

    with pytest.raises(ValueError, match="feature names should match"):
        est.predict(ddf[["age", "height"]])


def test_refit_on_array_forgets_feature_names(threads):
    X, y = _data(n_samples=200)
    ddf = dd.from_pandas(pd.DataFrame(X, columns=["p", "q"]), npartitions=2)
    est = QuadraticGDRegressor(**FIXED).fit(ddf, da.from_array(y, chunks=50))
    assert hasattr(est, "feature_names_in_")
    est.fit(da.from_array(X, chunks=(50, 2)), da.from_array(y, chunks=50))
    assert not hasattr(est, "feature_names_in_")


@pytest.mark.parametrize("n_targets", [None, 2])
def test_predict_is_lazy_and_matches_polynomial(threads, n_targets):
    X, y = _data(n_targets=n_targets)
    est = QuadraticGDRegressor(**FIXED).fit(X, y)
    Xd = da.from_array(X, chunks=(700, 2))
    y_pred = est.predict(Xd)
    assert isinstance(y_pred, da.Array)
    assert y_pred.dtype == np.float64
    assert y_pred.chunks[0] == Xd.chunks[0]
    assert y_pred.shape == np.shape(y)
    computed = y_pred.compute()
    np.testing.assert_allclose(computed, est.predict(X), rtol=1e-12)
    # Independent expression of the same model: a x^2 + b x + c.
    coef = np.atleast_2d(est.coef_)
    plain = (X**2) @ coef[:, :2].T + X @ coef[:, 2:].T + est.intercept_
    np.testing.assert_allclose(computed, plain.reshape(np.shape(y)), rtol=1e-9)


def test_predict_checks_feature_count(threads):
    X, y = _data()
    est = QuadraticGDRegressor(**FIXED).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* expecting 2"):
        est.predict(da.ones((10, 3), chunks=5))


@pytest.mark.parametrize(
    "where, value, match",
    [
        ("X", np.nan, "Input X contains NaN"),
        ("X", np.inf, "Input X contains infinity"),
        ("y", np.nan, "Input y contains NaN"),
        ("w", -1.0, "Negative values in data passed to `sample_weight`"),
    ],
)
def test_bad_value_in_one_block_raises_like_numpy(threads, where, value, match):
    X, y = _data(n_samples=1000)
    w = np.ones(1000)
    {"X": X[:, 1], "y": y, "w": w}[where][733] = value
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor().fit(X, y, sample_weight=w)
    est = QuadraticGDRegressor()
    with pytest.raises(ValueError, match=match):
        est.fit(
            da.from_array(X, chunks=(250, 2)),
            da.from_array(y, chunks=250),
            sample_weight=da.from_array(w, chunks=250),
        )
    assert not hasattr(est, "coef_")


@pytest.mark.parametrize(
    "where, value, match",
    [
        ("X", np.nan, "Input X contains NaN"),
        ("X", np.inf, "Input X contains infinity"),
        ("X", -np.inf, "Input X contains infinity"),
        ("y", np.nan, "Input y contains NaN"),
        ("y", -np.inf, "Input y contains infinity"),
    ],
)
def test_bad_value_without_weights_raises_like_numpy(threads, where, value, match):
    # Without weights, the block's range finds them: no separate pass.
    X, y = _data(n_samples=1000)
    {"X": X[:, 1], "y": y}[where][733] = value
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor().fit(X, y)
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor().fit(
            da.from_array(X, chunks=(250, 2)), da.from_array(y, chunks=250)
        )


@pytest.mark.parametrize(
    "where, value, match",
    [
        ("X", np.nan, "Input X contains NaN"),
        ("y", np.inf, "Input y contains infinity"),
    ],
)
def test_bad_value_in_a_row_of_weight_zero_raises_like_numpy(
    threads, where, value, match
):
    # A row of weight 0 takes no part in its block's range, where NaN and
    # infinity are otherwise found: the block must still be checked for them.
    X, y = _data(n_samples=1000)
    w = np.ones(1000)
    w[733] = 0.0
    {"X": X[:, 1], "y": y}[where][733] = value
    with pytest.raises(ValueError, match=match):
        QuadraticGDRegressor().fit(X, y, sample_weight=w)
    est = QuadraticGDRegressor()
    with pytest.raises(ValueError, match=match):
        est.fit(
            da.from_array(X, chunks=(250, 2)),
            da.from_array(y, chunks=250),
            sample_weight=da.from_array(w, chunks=250),
        )
    assert not hasattr(est, "coef_")


def test_invalid_input_raises(threads):
    X, y = _data(n_samples=100)
    est = QuadraticGDRegressor()
    with pytest.raises(ValueError, match="Expected a 2D array for X"):
        est.fit(da.from_array(X[:, 0], chunks=10), da.from_array(y, chunks=10))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        est.fit(da.from_array(X, chunks=10), da.from_array(y[:-1], chunks=10))
    with pytest.raises(TypeError, match="X must be a numeric Dask array"):
        est.fit(da.from_array(X.astype(str), chunks=10), da.from_array(y, chunks=10))
    with pytest.raises(TypeError, match="X must be numeric.*column of dtype"):
        frame = pd.DataFrame({"a": X[:, 0], "b": ["s"] * 100})
        est.fit(dd.from_pandas(frame, npartitions=2), y)
    with pytest.raises(ValueError, match="sample_weight must be 1D"):
        est.fit(
            da.from_array(X, chunks=10),
            y,
            sample_weight=da.ones((100, 2), chunks=10),
        )


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_blocks, chunk", [(4, 500), (2, 150_001), (5, 13)])
def test_early_stopping_uses_documented_block_split(threads, n_blocks, chunk, weighted):
    # Oracle: the split documented in dask_statistics (per block, seeded by
    # random_state and the block index); at zero parameters the losses are the
    # (weighted) mean squares of y on each side of it. Blocks of 150,001 rows
    # are longer than the pass's blocks of one feature, and not a multiple.
    # Blocks of 13 rows hold out round(0.2 * 13) = 3 rows each, not 2.
    n = n_blocks * chunk
    X, y = _data(n_samples=n)
    w = np.random.default_rng(7).uniform(0.5, 2.0, n) if weighted else None
    fraction, seed = 0.2, 7
    est = QuadraticGDRegressor(
        early_stopping=True,
        validation_fraction=fraction,
        random_state=seed,
        standardize=False,
        learning_rate=1e-12,
        max_iter=3,
        tol=None,
    )
    est.fit(
        da.from_array(X, chunks=(chunk, 2)),
        da.from_array(y, chunks=chunk),
        sample_weight=None if w is None else da.from_array(w, chunks=chunk),
    )
    block_seed = np.random.RandomState(seed).randint(2**31 - 1)
    mask = np.zeros(n, dtype=bool)
    for i in range(n_blocks):
        perm = np.random.default_rng([block_seed, i]).permutation(chunk)
        mask[i * chunk + perm[: round(fraction * chunk)]] = True
    assert mask.sum() == n_blocks * round(fraction * chunk)
    weights = np.ones(n) if w is None else w
    np.testing.assert_allclose(
        est.loss_curve_[0], np.average(y[~mask] ** 2, weights=weights[~mask]), rtol=1e-9
    )
    np.testing.assert_allclose(
        est.validation_loss_curve_[0],
        np.average(y[mask] ** 2, weights=weights[mask]),
        rtol=1e-9,
    )


def test_early_stopping_too_small_blocks_raise(threads):
    X, y = _data(n_samples=40)
    est = QuadraticGDRegressor(early_stopping=True, validation_fraction=0.1)
    with pytest.raises(ValueError, match="validation set is too small"):
        est.fit(da.from_array(X, chunks=(4, 2)), da.from_array(y, chunks=4))


def test_numpy_fit_does_not_import_dask():
    # Nor numba, on small data: importing it would cost a first fit 0.4 s
    # (diabetes' size, 442 x 9, with newton-cholesky: 3 ms without it).
    code = (
        "import sys, numpy as np\n"
        "from sklearn_quadneuron import QuadraticGDRegressor\n"
        "X = np.linspace(-1, 1, 50)[:, None]\n"
        "est = QuadraticGDRegressor().fit(X, X[:, 0] ** 2)\n"
        "est.predict(X)\n"
        "X = np.random.default_rng(0).normal(size=(442, 9))\n"
        "QuadraticGDRegressor(solver='newton-cholesky').fit(X, X.sum(axis=1))\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'dask'], 'dask'\n"
        "assert 'numba' not in sys.modules, 'numba'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# -- a distributed cluster ---------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip(
        "distributed", reason="needs the dask extra: pip install distributed"
    )
    # Threads in this process: quick to start; the scheduling is the same as
    # with worker processes. Not the default client, so that the tests above
    # keep their local scheduler whatever the order. The HTTP server on a free
    # port: the default 8787 may belong to another cluster on this machine, and
    # the warning about it would be an error here.
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        yield client


def test_distributed_fit_matches_numpy(client):
    X, y = _data(n_targets=2)
    ref = QuadraticGDRegressor(**FIXED).fit(X, y)
    Xd = da.from_array(X, chunks=(300, 2))
    with dask.config.set(scheduler=client):
        est = QuadraticGDRegressor(**FIXED).fit(Xd, da.from_array(y, chunks=(300, 2)))
        y_pred = est.predict(Xd).compute()
    _assert_same_fit(est, ref)
    np.testing.assert_allclose(y_pred, est.predict(X), rtol=1e-12)
    np.testing.assert_allclose(y_pred, ref.predict(X), atol=1e-10 * np.ptp(y))
    assert len(client.scheduler_info()["workers"]) == 2


def test_worker_processes_fit_matches_numpy():
    """The fit on a cluster of worker processes, as on machines of their own.

    What the tasks carry is pickled and sent to other interpreters, which import
    the package themselves, and each worker's BLAS runs on the one thread the
    nanny gives it: the same statistics, the same model.
    """
    distributed = pytest.importorskip(
        "distributed", reason="needs the dask extra: pip install distributed"
    )
    X, y = _data()
    w = np.random.default_rng(1).uniform(0.5, 2.0, N_SAMPLES)
    ref = QuadraticGDRegressor(**FIXED).fit(X, y, sample_weight=w)
    # Workers forked from a server process that imported Dask once: as fresh
    # as spawned ones (the server has no threads to copy), and started and
    # stopped in half the time (measured: 5.5 s instead of 10).
    with (
        dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
        dask.config.set(scheduler=client),
    ):
        Xd = da.from_array(X, chunks=(700, 2))
        yd, wd = da.from_array(y, chunks=700), da.from_array(w, chunks=700)
        est = QuadraticGDRegressor(**FIXED).fit(Xd, yd, sample_weight=wd)
        solved = QuadraticGDRegressor(solver="newton-cholesky")
        solved.fit(Xd, yd, sample_weight=wd)
        assert len(client.scheduler_info()["workers"]) == 2
    _assert_same_fit(est, ref)
    # Solved outright, least squares itself: numpy's lstsq of the weighted
    # expanded design [x1**2, x2**2, x1, x2, 1].
    Z = np.column_stack([X**2, X, np.ones(N_SAMPLES)]) * np.sqrt(w)[:, None]
    theta = np.linalg.lstsq(Z, y * np.sqrt(w), rcond=None)[0]
    np.testing.assert_allclose(np.r_[solved.coef_, solved.intercept_], theta, rtol=1e-9)


def test_distributed_nan_in_block(client):
    X, y = _data(n_samples=600)
    X[555, 0] = np.nan
    with dask.config.set(scheduler=client):
        with pytest.raises(ValueError, match="Input X contains NaN"):
            QuadraticGDRegressor().fit(
                da.from_array(X, chunks=(100, 2)), da.from_array(y, chunks=100)
            )


def test_grid_search_with_joblib_dask_backend(client):
    joblib = pytest.importorskip("joblib")
    from sklearn.model_selection import GridSearchCV, KFold

    X, y = _data(n_samples=300)
    grid = {"learning_rate": [0.01, 0.1, "auto"]}
    cv = KFold(3, shuffle=True, random_state=0)

    def search():
        return GridSearchCV(
            QuadraticGDRegressor(max_iter=40, tol=None), grid, cv=cv, n_jobs=2
        ).fit(X, y)

    local = search()
    with joblib.parallel_backend("dask", client=client):
        remote = search()
    for key in ("mean_test_score", "split0_test_score", "split2_test_score"):
        np.testing.assert_allclose(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
    # The scores themselves, against a fit written out here for one split.
    train, test = next(iter(cv.split(X)))
    est = QuadraticGDRegressor(max_iter=40, tol=None, learning_rate=0.1)
    score = est.fit(X[train], y[train]).score(X[test], y[test])
    np.testing.assert_allclose(remote.cv_results_["split0_test_score"][1], score)


# -- one pass, blocks far apart ------------------------------------------------------


def test_fit_reads_each_block_once(threads):
    # X and y derive from the same lazily made blocks: a one-pass fit computes
    # each of them exactly once.
    made = []

    def make_block(i):
        made.append(i)
        return np.random.default_rng(i).normal(loc=i, size=(500, 2))

    X = da.concatenate(
        [
            da.from_delayed(dask.delayed(make_block)(i), shape=(500, 2), dtype=float)
            for i in range(5)
        ]
    )
    y = 3 * X[:, 0] ** 2 - X[:, 1] + 1
    QuadraticGDRegressor(**FIXED).fit(X, y)
    assert sorted(made) == [0, 1, 2, 3, 4]


def test_blas_threads_are_set_once_for_the_whole_pass(threads, monkeypatch):
    # Workers that are threads of this process share its BLAS: the fit limits
    # BLAS to one thread once, around the whole pass, and no task lifts and
    # sets it again as it ends and the next begins (once another fit had run
    # BLAS on its own threads, that toggling made the tasks of a cluster of
    # threads several times slower).
    import threading

    from sklearn_quadneuron import _linalg

    if not _linalg._blas_state["libraries"]:
        pytest.skip("threadpoolctl finds no BLAS library whose threads it can set")
    callers = []
    for lib in _linalg._blas_state["libraries"]:
        set_num_threads = lib.set_num_threads

        def spy(n, set_num_threads=set_num_threads):
            callers.append(threading.get_ident())
            return set_num_threads(n)

        monkeypatch.setattr(lib, "set_num_threads", spy)
    X = da.random.default_rng(0).standard_normal((4000, 3), chunks=(250, 3))
    y = (X**2).sum(axis=1) + X[:, 0]
    QuadraticGDRegressor(**FIXED).fit(X, y)
    assert callers
    assert set(callers) == {threading.get_ident()}


@pytest.mark.parametrize("weighted", [False, True])
def test_many_blocks_merge_into_least_squares(threads, weighted):
    # 40 blocks: more summaries than one task merges (16), so that the tree
    # has two levels, and groups of 16, 16 and 8 below its root. Every block
    # counts: least squares on [x**2, x, 1] of all rows, in numpy.
    rng = np.random.default_rng(12)
    x = rng.uniform(-2.0, 3.0, 400)
    y = 2.0 * x**2 - x + 0.5 + rng.normal(0.0, 0.3, 400)
    w = rng.uniform(0.5, 2.0, 400) if weighted else np.ones(400)
    est = QuadraticGDRegressor(solver="newton-cholesky").fit(
        da.from_array(x[:, None], chunks=(10, 1)),
        da.from_array(y, chunks=10),
        sample_weight=da.from_array(w, chunks=10) if weighted else None,
    )
    A = np.column_stack([x**2, x, np.ones_like(x)]) * np.sqrt(w)[:, None]
    expected = np.linalg.lstsq(A, y * np.sqrt(w), rcond=None)[0]
    np.testing.assert_allclose(est.coef_, expected[:2], rtol=1e-9)
    np.testing.assert_allclose(est.intercept_, expected[2], rtol=1e-9)


@pytest.mark.parametrize("weighted", [False, True])
def test_blocks_far_apart_give_least_squares(threads, weighted):
    # One block around 0, one around 1e8 with a spread of 1e6: each block takes
    # its own reference; merged, they must give the least-squares quadratic of
    # the whole data.
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.uniform(-1, 1, 1500), 1e8 + 1e6 * rng.uniform(-1, 1, 1500)])
    y = 2e-8 * (x - 4e7) ** 2 + 1e4 * rng.normal(size=3000)
    w = rng.uniform(0.5, 2.0, 3000) if weighted else None
    est = QuadraticGDRegressor(tol=1e-14, max_iter=100_000)
    est.fit(
        da.from_array(x[:, None], chunks=(1500, 1)),
        da.from_array(y, chunks=1500),
        sample_weight=None if w is None else da.from_array(w, chunks=1500),
    )
    # Independent oracle: least squares in numpy's scaled polynomial basis.
    fit = np.polynomial.Polynomial.fit(x, y, 2, w=None if w is None else np.sqrt(w))
    scale = np.abs(y).max()
    np.testing.assert_allclose(est.predict(x[:, None]), fit(x), atol=1e-6 * scale)
    # The same statistics as in memory: the same trajectory, epoch by epoch.
    ref = QuadraticGDRegressor(**FIXED).fit(x[:, None], y, sample_weight=w)
    got = QuadraticGDRegressor(**FIXED).fit(
        da.from_array(x[:, None], chunks=(1500, 1)),
        da.from_array(y, chunks=1500),
        sample_weight=None if w is None else da.from_array(w, chunks=1500),
    )
    # The least-squares loss is 1e-7 of the variance of y: its last digits are
    # rounding, in memory and on Dask alike.
    np.testing.assert_allclose(got.loss_curve_, ref.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(
        got.predict(x[:, None]), ref.predict(x[:, None]), atol=1e-9 * scale
    )
