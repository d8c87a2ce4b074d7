# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Fitting on Dask arrays and DataFrames, and lazy prediction.

The statistics of the quadratic model merge exactly, even across references
(``QuadraticStatistics.rebased``), so a fit on a Dask collection is one tree
reduction over its row blocks, reading the data once:

1. each block gathers its statistics about a reference of its own rows, and
   its :class:`~sklearn_quadneuron._statistics.Extent` (weighted mean and
   range of each column);
2. the tree merges the blocks' statistics on the reference of their union's
   extent, re-centring each part on it exactly: the root holds the statistics
   of all rows about the reference in-memory data would take.

Only these small summaries travel to the client; the data is never gathered. Each
block is validated where it is read (finite values, non-negative weights), with
the messages of in-memory input. This module is imported only when Dask input is
seen, so that fitting in-memory data never imports Dask. It knows nothing of the
estimator: it returns what it gathered, and the estimator records it.
"""

import math
from dataclasses import dataclass
from numbers import Real

import dask
import dask.array as da
import numpy as np
from dask.layers import ArrayBlockIdDep
from pandas.api.types import is_bool_dtype, is_complex_dtype, is_numeric_dtype
from sklearn.utils.validation import check_array

from ._linalg import one_blas_thread
from ._statistics import (
    Extent,
    FitStatistics,
    Observations,
    OutOfReachError,
    QuadraticStatistics,
    Reference,
    accumulate,
    accumulate_near,
    chunk_rows,
    merge_rebased,
    reference_from,
    resolved,
)
from ._validation import (
    FLOAT_DTYPES,
    check_positive_weight,
    check_split_weight,
    check_weights,
    feature_names_of,
    is_dask,
)

# Summaries merged per task of the tree reductions: a few levels even for
# thousands of blocks, and few enough inputs for one task to merge them quickly
# (a merge of 16 takes about a millisecond; on 10 persisted blocks, one level
# instead of two took a tenth off the fit).
_SPLIT_EVERY = 16


def _is_dask_frame(obj):
    # dask DataFrames and Series (legacy and dask-expr) have `npartitions` and
    # `to_dask_array`; dask arrays have neither of both.
    return hasattr(obj, "npartitions") and hasattr(obj, "to_dask_array")


def _check_frame_dtypes(frame, name):
    dtypes = [frame.dtype] if frame.ndim == 1 else list(frame.dtypes)
    for dtype in dtypes:
        if is_complex_dtype(dtype) or not (
            is_numeric_dtype(dtype) or is_bool_dtype(dtype)
        ):
            raise TypeError(
                f"{name} must be numeric, but it has a column of dtype {dtype}. "
                f"Convert or drop the non-numeric columns of {name}."
            )


def _as_dask_array(obj, name):
    """A Dask array with known chunk sizes for a Dask or in-memory object."""
    if _is_dask_frame(obj):
        _check_frame_dtypes(obj, name)
        # Partition lengths are unknown until counted: one cheap pass.
        return obj.to_dask_array(lengths=True)
    if isinstance(obj, da.Array):
        if np.dtype(obj.dtype).kind not in "biuf":
            raise TypeError(
                f"{name} must be a numeric Dask array, got dtype {obj.dtype}. "
                f"Convert it, for example with {name}.astype('float64')."
            )
        if any(math.isnan(c) for chunks in obj.chunks for c in chunks):
            # Chunk sizes of arrays from boolean indexing and the like are
            # unknown; count them on a copy, without touching the caller's array.
            obj = obj.copy()
            obj.compute_chunk_sizes()
        return obj
    if is_dask(obj):
        raise TypeError(
            f"{name} is a {type(obj).__name__}; pass a Dask array, DataFrame or Series."
        )
    arr = np.asarray(obj)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}.")
    return da.from_array(arr)


def _check_predict_features(model, X, n_features):
    if n_features != model.n_features:
        raise ValueError(
            f"X has {n_features} features, but {model.name} is "
            f"expecting {model.n_features} features as input."
        )
    fitted = model.feature_names
    columns = getattr(X, "columns", None)
    if fitted is None or columns is None:
        return
    if list(columns) != list(fitted):
        raise ValueError(
            "The feature names should match those that were passed during fit: "
            f"fitted with {list(fitted)}, got {list(columns)}. Select and order "
            "the columns as in fit."
        )


def _rows_like(arr, X, name):
    """``arr`` with X's row chunks, one chunk along the other axis."""
    if arr.shape[0] != X.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"[{X.shape[0]}, {arr.shape[0]}] (X and {name}). Pass {name} with one "
            "entry per row of X."
        )
    chunks = {0: X.chunks[0]}
    if arr.ndim == 2:
        chunks[1] = -1
    return arr.rechunk(chunks)


@dataclass
class DaskInput:
    """Dask data validated as far as it can be without reading it.

    ``X``, ``Y`` and ``weights`` (or None) share the same row blocks, one
    column block each: block i of each holds the same rows. ``Y`` is y as
    given (1D or 2D) and ``weights`` 1D: blocks are reshaped where they are
    read, which costs nothing, rather than by a slicing step per block.
    """

    X: object
    Y: object
    weights: object
    y_ndim: int
    feature_names: np.ndarray | None
    name: str

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def n_targets(self):
        return 1 if self.Y.ndim == 1 else self.Y.shape[1]


def validate_dask_input(X, y, sample_weight, name):
    """Validate what is known lazily; stack X, y and the weights by row blocks.

    Parameters
    ----------
    X : dask array or DataFrame of shape (n_samples, n_features)
    y : dask array, Series or DataFrame of shape (n_samples,) or \
            (n_samples, n_targets)
    sample_weight : dask array or Series of shape (n_samples,), float or None
    name : str
        The estimator's name, for messages.

    Returns
    -------
    data : DaskInput
    """
    feature_names = feature_names_of(X)
    X = _as_dask_array(X, "X")
    if X.ndim != 2:
        raise ValueError(
            f"Expected a 2D array for X, got a {X.ndim}D Dask array of shape "
            f"{X.shape}. Reshape your data, with X.reshape(-1, 1) if it has a "
            "single feature."
        )
    n_samples, n_features = X.shape
    if n_features < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of "
            f"1 is required by {name}."
        )
    if n_samples < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 "
            f"is required by {name}."
        )
    X = X.rechunk({1: -1})

    y = _as_dask_array(y, "y")
    if y.ndim not in (1, 2):
        raise ValueError(
            f"y must have shape (n_samples,) or (n_samples, n_targets), got a "
            f"{y.ndim}D array of shape {y.shape}."
        )
    y_ndim = y.ndim
    Y = _rows_like(y, X, "y")
    weights = None

    if sample_weight is not None:
        if isinstance(sample_weight, Real):
            sample_weight = da.full(
                n_samples, float(sample_weight), chunks=(X.chunks[0],)
            )
        w = _as_dask_array(sample_weight, "sample_weight")
        if w.ndim != 1:
            raise ValueError(
                f"sample_weight must be 1D, got shape {w.shape}. Pass one weight "
                "per sample."
            )
        weights = _rows_like(w, X, "sample_weight")
    return DaskInput(X, Y, weights, y_ndim, feature_names, name)


def _check_block(X, Y, w, name, check_finite=True):
    """One block's X, Y and weights, validated as in-memory input would be.

    ``check_finite=False`` leaves NaN and infinity to the caller, which finds
    them in the block's range (see :func:`_block_statistics`).
    """
    if Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    if X.shape[0] == 0:
        return X, Y, w
    X = check_array(
        X,
        dtype=FLOAT_DTYPES,
        ensure_min_samples=0,
        ensure_all_finite=check_finite,
        input_name="X",
        estimator=name,
    )
    Y = check_array(
        Y,
        dtype=None,
        ensure_min_samples=0,
        ensure_all_finite=check_finite,
        input_name="y",
    )
    return X, Y, check_weights(w, X, allow_all_zero=True)


def _block_extent(X, Y, w, name):
    """The block's extent; NaN or infinity raise in-memory input's error.

    Without weights the range spans every row, so any NaN or infinity shows
    in it: the pass that reads the range finds them, and no other is needed.
    With weights, rows of weight 0 take no part in the range, and the block
    was checked for them beforehand.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        extent = Extent.of(X, Y, w)
    bounds = (extent.x_lo, extent.x_hi, extent.y_lo, extent.y_hi)
    if extent.weight and not all(np.isfinite(b).all() for b in bounds):
        _check_block(X, Y, None, name)  # raises check_array's error
    return extent


# A block whose rows carry no weight has empty statistics: any reference will do.
def _neutral_reference(p, k):
    return Reference(np.zeros(p), np.ones(p), np.zeros(k), np.ones(k))


def _block_statistics(block_id, X, Y, *weights, estimator, split, tol):
    """The block's extent and statistics (training and held-out, or None).

    The statistics are gathered about a reference of the block's own rows
    (:func:`_read_once`, or its extent's): whatever the other blocks hold.
    Where they cannot resolve ``tol``, the block (in memory) is read again
    (:func:`~._statistics.resolved`): the merges that follow are exact, so
    the whole is as accurate as its blocks.

    BLAS runs on one thread meanwhile: a worker's task is already one of
    several run side by side, and the workers of a cluster of threads share
    the process's BLAS. With its own threads on top, the cores are
    oversubscribed and OpenBLAS's threads spin while they wait for each other
    (2 worker threads, blocks of 25,000 rows of 100 features: 350 ms a block
    instead of 30).
    """
    X, Y = (_one_column_block(a) for a in (X, Y))
    with one_blas_thread():
        return _gather_block(
            block_id, X, Y, *weights, estimator=estimator, split=split, tol=tol
        )


def _one_column_block(blocks):
    """A row block's array, from the list of its column blocks (one, as
    :func:`validate_dask_input` rechunks them) or as given (1D)."""
    if not isinstance(blocks, list):
        return blocks
    return blocks[0] if len(blocks) == 1 else np.concatenate(blocks, axis=1)


def _gather_block(block_id, X, Y, *weights, estimator, split, tol):
    X, Y, w = _check_block(
        X, Y, weights[0] if weights else None, estimator, check_finite=bool(weights)
    )
    p, k = X.shape[1], Y.shape[1]
    read = _read_once(X, Y) if w is None and split is None else None
    if read is None:
        extent = _block_extent(X, Y, w, estimator)
    else:
        extent, train = read
    reference = extent.reference() or _neutral_reference(p, k)
    mask = None
    if split is not None:
        seed, fraction = split
        n_rows = X.shape[0]
        mask = np.zeros(n_rows, dtype=bool)
        # Seeded by the estimator's random_state and the block's index: the
        # same split whatever the scheduler and the order in which blocks are
        # read.
        rng = np.random.default_rng([seed, block_id[0]])
        mask[rng.permutation(n_rows)[: round(fraction * n_rows)]] = True
    if extent.weight == 0:
        train = QuadraticStatistics.empty(reference)
        train.n_samples = X.shape[0] if mask is None else int((~mask).sum())
        held_out = None
        if mask is not None:
            held_out = QuadraticStatistics.empty(reference)
            held_out.n_samples = int(mask.sum())
    elif mask is None:
        # One thread each: a worker's task runs beside others.
        if read is None:
            train = accumulate(X, Y, w, reference, parallel=False)
        train = resolved(train, X, Y, w, tol, parallel=False)
        held_out = None
    else:
        pair = accumulate(X, Y, w, reference, mask=mask, parallel=False)
        train, held_out = resolved(pair, X, Y, w, tol, mask=mask, parallel=False)
    for stats in (train, held_out):  # only factors are merged: a Gram
        if stats is not None:  # kept would double what the results hold
            stats.gram = None
    out = np.empty(1, dtype=object)
    out[0] = (extent, train, held_out)
    return out


def _read_once(X, Y):
    """An unweighted block's extent and statistics, from one read of its rows.

    About a reference from its first rows (as in-memory data's), the compiled
    kernel taking the extent as it forms the rows (the mean summed in order: to
    rounding numpy's). None where that pass cannot tell (out of reach of the
    first rows, NaN or infinity, near the float limit, one block, no compiled
    kernels): the extent then takes a read of its own (a sixth of a block's).
    """
    n, p = X.shape
    if n == 0:
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        head = slice(0, chunk_rows(2 * p + Y.shape[1] + 1))
        ref = reference_from(X[head], Y[head])
        try:
            stats, sums = accumulate_near(X, Y, None, ref, parallel=False, extent=True)
        except OutOfReachError:
            return None
    if sums is None or not (np.abs(sums) < 1e300 / n).all():
        return None  # (NaN fails too)
    lo, hi, mean = sums[0], sums[1], sums[2] / n
    return Extent(float(n), mean[:p], lo[:p], hi[:p], mean[p:], lo[p:], hi[p:]), stats


def _merge_statistics(parts):
    """Statistics of the union of some blocks, about the union's reference.

    On one BLAS thread, as :func:`_block_statistics` is.
    """
    with one_blas_thread():
        return _merge_parts(parts)


def _merge_parts(parts):
    parts = [part[0] if isinstance(part, np.ndarray) else part for part in parts]
    extent = parts[0][0]
    for other, _, _ in parts[1:]:
        extent = extent.union(other)
    reference = extent.reference() or parts[0][1].reference
    train = merge_rebased([t for _, t, _ in parts], reference)
    held_out = None
    if parts[0][2] is not None:
        held_out = merge_rebased([h for _, _, h in parts], reference)
    return extent, train, held_out


def _tree_reduce(parts, combine):
    """Merge delayed summaries pairwise-ish, ``_SPLIT_EVERY`` per task."""
    combine = dask.delayed(combine, pure=True)
    while len(parts) > 1:
        parts = [
            combine(parts[i : i + _SPLIT_EVERY])
            for i in range(0, len(parts), _SPLIT_EVERY)
        ]
    return parts[0]


def dask_statistics(data, split=None, tol=None):
    """Statistics of Dask data, gathered by one tree reduction over row blocks.

    Parameters
    ----------
    data : DaskInput
    split : tuple (seed, validation_fraction) or None
        With a split (early stopping), each block holds out
        ``round(validation_fraction * block_rows)`` of its rows, drawn by a
        generator seeded from ``seed`` and the block's index: reproducible, but
        not the split of in-memory data.
    tol : float or None, default=None
        The fit's ``tol``: a block whose one-pass statistics cannot resolve it
        is read again while in memory (see :func:`_block_statistics`).

    Returns
    -------
    statistics : FitStatistics
        Training statistics and held-out ones (with a split) or None.
    """
    # One task per row block, reading X, Y and the weights of the same rows
    # together: inputs derived from the same lazy source are computed once.
    # Row blocks are matched by index, whatever the number of dimensions of y
    # and the weights, and each task learns its block's index (the seed of its
    # split) from the graph itself.
    args = [ArrayBlockIdDep(data.X.chunks[:1]), "i", data.X, "ij"]
    args += [data.Y, "i" if data.Y.ndim == 1 else "ij"]
    if data.weights is not None:
        args += [data.weights, "i"]
    summaries = da.blockwise(
        _block_statistics,
        "i",
        *args,
        estimator=data.name,
        split=split,
        tol=tol,
        # Each block's columns arrive as a list of its one column block:
        # concatenated, they would be copied (a copy of the block per task).
        concatenate=False,
        adjust_chunks={"i": 1},
        # The row blocks are those of X already (validate_dask_input).
        align_arrays=False,
        dtype=object,
        meta=np.empty((0,), dtype=object),
    )
    root = _tree_reduce(list(summaries.to_delayed().ravel()), _merge_statistics)
    # The weights' tally (for inference) in the same pass, unless a split
    # holds rows out block by block.
    tally = None
    if data.weights is not None and split is None:
        w = data.weights
        carry = w > 0
        tally = (carry.sum(), da.log(da.where(carry, w, 1.0)).sum())
    # One limit held over the whole pass: where the workers are threads of
    # this process, the tasks' own limits then nest within it instead of
    # lifting and setting the process's BLAS threads as each task ends and
    # the next begins.
    with one_blas_thread():
        result, tally = dask.compute(root, tally)
    _, train, held_out = result[0] if isinstance(result, np.ndarray) else result
    if held_out is not None:
        _check_split(split[1], train, held_out, data.weights is not None)
    check_positive_weight(train.weight)
    if tally is not None:
        observations = Observations(int(tally[0]), float(tally[1]), True)
    else:
        observations = None if split else Observations(train.n_samples, 0.0)
    return FitStatistics(
        "statistics",
        train,
        data.y_ndim,
        held_out=held_out,
        observations=observations,
        dtype=data.X.dtype,
    )


def _check_split(fraction, train, held_out, weighted):
    n_samples = train.n_samples + held_out.n_samples
    if held_out.n_samples < 2 or train.n_samples < 1:
        raise ValueError(
            f"The validation set is too small: validation_fraction="
            f"{fraction} of each block's rows leaves "
            f"{held_out.n_samples} of n_samples={n_samples} sample(s) for "
            f"validation and {train.n_samples} for training. Increase "
            "validation_fraction or the size of the blocks, or set "
            "early_stopping=False."
        )
    if weighted:
        for split_name, stats in (("validation", held_out), ("training", train)):
            check_split_weight(split_name, stats.weight)


@dataclass
class FittedModel:
    """What lazy prediction needs of a fitted model: small, shipped to workers."""

    form: object
    n_features: int
    feature_names: np.ndarray | None
    single: bool
    name: str


def _predict_block(block, model):
    block = _one_column_block(block)
    if block.shape[0]:
        block = check_array(
            block,
            dtype=FLOAT_DTYPES,
            ensure_min_samples=0,
            input_name="X",
            estimator=model.name,
        )
    y = model.form.predict(block)
    return y[:, 0] if model.single else y


def dask_predict(model, X):
    """Lazy predictions: the fitted model applied to every row block of X.

    Parameters
    ----------
    model : FittedModel
    X : dask array or DataFrame of shape (n_samples, n_features)

    Returns
    -------
    y_pred : dask array of shape (n_samples,) or (n_samples, n_targets)
        Float64, chunked by X's row blocks (of unknown sizes for a DataFrame).
    """
    if _is_dask_frame(X):
        if X.ndim != 2:
            raise ValueError(
                "Expected a 2D DataFrame for X, got a Series. Use X.to_frame()."
            )
        _check_frame_dtypes(X, "X")
        _check_predict_features(model, X, len(X.columns))
        # Lazy: row counts per partition stay unknown until computed.
        arr = X.to_dask_array()
    else:
        arr = _as_dask_array(X, "X")
        if arr.ndim != 2:
            raise ValueError(
                f"Expected a 2D array for X, got a {arr.ndim}D Dask array. "
                "Reshape your data, with X.reshape(-1, 1) if it has a single "
                "feature."
            )
        _check_predict_features(model, X, arr.shape[1])
    arr = arr.rechunk({1: -1})
    if model.single:
        # As map_blocks(..., drop_axis=1), without copying each block into one.
        return da.blockwise(
            _predict_block,
            "i",
            arr,
            "ij",
            model=model,
            concatenate=False,
            dtype=np.float64,
            meta=np.empty((0,)),
        )
    n_targets = model.form.A.shape[1]
    return arr.map_blocks(
        _predict_block,
        model,
        chunks=(arr.chunks[0], (n_targets,)),
        dtype=np.float64,
    )


def dask_row_blocks(X, y, sample_weight, name, n_features):
    """The training data given again (to ``summary``) as ``(X, Y, w)`` row
    blocks, computed one at a time: memory for one block only."""

    data = validate_dask_input(X, y, sample_weight, name)
    if data.n_features != n_features:
        raise ValueError(
            f"X has {data.n_features} features, but {name} is expecting "
            f"{n_features} features as input."
        )
    for i in range(data.X.numblocks[0]):
        parts = [data.X.blocks[i], data.Y.blocks[i]]
        if data.weights is not None:
            parts.append(data.weights.blocks[i])
        X_i, Y_i, *w_i = dask.compute(*parts)
        yield X_i, Y_i.reshape(Y_i.shape[0], -1), w_i[0] if w_i else None
