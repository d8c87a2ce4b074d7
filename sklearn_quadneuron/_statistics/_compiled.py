# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Fused kernels of the statistics pass, compiled by numba (the ``fast`` extra).

numpy runs each elementwise step of a block as its own trip through memory:
forming ``[t**2 - shift, t, y_t]`` from a block of rows takes four of them, and
as long again as the products that follow. Compiled, a row is read once and its
values formed in registers:

- :func:`narrow_products`: one feature and one target, the whole product matrix
  summed in one pass over x and y (no block buffer at all);
- :func:`narrow_whitened`: the same for the second pass (CholeskyQR2): each
  row centered, whitened by the first factor and summed, in one pass;
- :func:`far_rows`: the rows of a block that lie far out (the second pass
  reads them apart from the rest);
- :func:`fill_block`: more than five variables, the block's variables written
  column by column in one pass, for the symmetric product that follows. Each
  value goes through the very operations numpy's would, in the same order: the
  sums are the same to the last bit with or without this module;
- :func:`column_extent`: the minimum, maximum and sum of every column, in one
  pass over the rows (numpy takes one a statistic, and on a few columns reads
  a C-ordered matrix row by row for each: as long as the pass itself).

This module imports numba: reach it only through
``_kernels.fused_kernels``, which falls back to numpy without it.
"""

import math

import numba
import numpy as np

# Reassociation lets the compiler split each sum over rows into vector lanes:
# the order is fixed by the compiled code, so a pass gives the same sums on
# every run on the same machine.
_SUMS = {"reassoc", "nsz", "contract"}
# Rows summed into one set of partial sums before they join the sums in C:
# rounding then grows with this plus the number of partial sums, not with the
# number of rows.
_PARTIAL_ROWS = 1024


@numba.njit(inline="always")
def _add_upper(C, a00, a01, a02, a03, a11, a12, a13, a22, a23, a33):
    """Add a block's partial sums to the upper triangle of C (4 x 4)."""
    C[0, 0] += a00
    C[0, 1] += a01
    C[0, 2] += a02
    C[0, 3] += a03
    C[1, 1] += a11
    C[1, 2] += a12
    C[1, 3] += a13
    C[2, 2] += a22
    C[2, 3] += a23
    C[3, 3] += a33


@numba.njit(nogil=True, fastmath=_SUMS, cache=True)
def narrow_products(x, y, w, zeros, x_loc, x_factor, y_loc, y_factor, shift, C):
    """Add ``sum w v v^T`` to the upper triangle of C (4 x 4), ``v = [s, t, y_t, 1]``.

    ``t = (x - x_loc) * x_factor``, ``s = t**2 - shift`` and ``y_t = (y - y_loc)
    * y_factor``. ``w`` is empty for unit weights. ``zeros``: whether some
    weights are 0. A row of weight 0 adds nothing, however far its values lie
    (their powers could be inf, and inf * 0 is NaN); any other NaN or infinity
    reaches the sums, where the pass's reach check sees it.
    """
    n = x.shape[0]
    weighted = w.shape[0] > 0
    for start in range(0, n, _PARTIAL_ROWS):
        stop = min(n, start + _PARTIAL_ROWS)
        a00 = a01 = a02 = a03 = a11 = a12 = a13 = a22 = a23 = a33 = 0.0
        for r in range(start, stop):
            # Unit weights: the compiler drops the products by 1.
            wr = w[r] if weighted else 1.0
            # Looking for weights of 0 only where there are any lets the
            # compiler split the sums into vector lanes (1e6 rows: 1.7 ms
            # instead of 2.7 to 4.3 ms).
            held = not zeros or wr != 0.0
            t = (x[r] - x_loc) * x_factor if held else 0.0
            v = (y[r] - y_loc) * y_factor if held else 0.0
            s = t * t - shift
            ws = wr * s
            wt = wr * t
            wv = wr * v
            a00 += ws * s
            a01 += ws * t
            a02 += ws * v
            a03 += ws
            a11 += wt * t
            a12 += wt * v
            a13 += wt
            a22 += wv * v
            a23 += wv
            a33 += wr
        _add_upper(C, a00, a01, a02, a03, a11, a12, a13, a22, a23, a33)


@numba.njit(nogil=True, fastmath=_SUMS, cache=True)
def narrow_whitened(x, y, w, x_loc, x_scale, y_loc, y_scale, mean, R, C):
    """Add ``sum q q^T`` to the upper triangle of C (4 x 4), ``q = R^-T b``.

    ``b = sqrt(w) [1, u**2 - mean[0], u - mean[1], y_r - mean[2]]`` with ``u =
    (x - x_loc) / x_scale`` and ``y_r = (y - y_loc) / y_scale``: a row of the
    second pass, whitened by the first factor ``R`` (upper triangular, its
    diagonal positive) by forward substitution. The rows are centered on the
    first pass's mean, so the first row of ``R`` is ``[sqrt(W), 0, 0, 0]``:
    only its diagonal is read there. ``w`` is empty for unit weights; rows of
    weight 0 add nothing.
    """
    n = x.shape[0]
    weighted = w.shape[0] > 0
    # Products with reciprocals instead of divisions: a rounding more each,
    # and several times faster.
    x_factor, y_factor = 1.0 / x_scale, 1.0 / y_scale
    d0, d1, d2, d3 = 1.0 / R[0, 0], 1.0 / R[1, 1], 1.0 / R[2, 2], 1.0 / R[3, 3]
    for start in range(0, n, _PARTIAL_ROWS):
        stop = min(n, start + _PARTIAL_ROWS)
        a00 = a01 = a02 = a03 = a11 = a12 = a13 = a22 = a23 = a33 = 0.0
        for r in range(start, stop):
            root = math.sqrt(w[r]) if weighted else 1.0
            held = root != 0.0
            u = (x[r] - x_loc) * x_factor if held else 0.0
            v = (y[r] - y_loc) * y_factor if held else 0.0
            b1 = root * (u * u - mean[0])
            b2 = root * (u - mean[1])
            b3 = root * (v - mean[2])
            q0 = root * d0
            q1 = b1 * d1
            q2 = (b2 - R[1, 2] * q1) * d2
            q3 = (b3 - R[1, 3] * q1 - R[2, 3] * q2) * d3
            a00 += q0 * q0
            a01 += q0 * q1
            a02 += q0 * q2
            a03 += q0 * q3
            a11 += q1 * q1
            a12 += q1 * q2
            a13 += q1 * q3
            a22 += q2 * q2
            a23 += q2 * q3
            a33 += q3 * q3
        _add_upper(C, a00, a01, a02, a03, a11, a12, a13, a22, a23, a33)


@numba.njit(nogil=True, cache=True)
def fill_block(X, Y, w, x_loc, x_factor, y_loc, y_factor, shift, scaled, V, extent):
    """Write a block's variables and a row of ones (or root weights) into V.

    ``V`` has shape (2p + k + 1, n): rows ``t**2 - shift``, ``t``, ``y_t``, then
    ones. ``w`` is empty for unit weights; otherwise every row is multiplied by
    ``sqrt(w)`` (the last row is ``sqrt(w)`` itself), and the values of a row
    of weight 0 are zeroed before they are scaled and squared. ``scaled``:
    whether the factors apply (otherwise they are 1 and skipped, as numpy's
    pass skips them). No step is fused into another (no contraction into fused
    multiply-adds): every value rounds as numpy's would.

    ``extent``, of shape (3, p + k) (or (0, 0): none), takes in the minimum,
    maximum and sum (its rows) of each column of X, then of Y, over the rows
    of weight other than 0, row after row as :func:`column_extent` takes them:
    blocks given in turn leave the extent of all, without a read of their own.
    """
    n, p = X.shape
    k = Y.shape[1]
    m = 2 * p + k
    weighted = w.shape[0] > 0
    track = extent.shape[0] > 0
    for r in range(n):
        V[m, r] = math.sqrt(w[r]) if weighted else 1.0
    # Column by column: each row of V is written in order, and a column of the
    # block is read from cache (row by row, each value of a row of X would land
    # on another page of V: three to six times slower from 100 features on).
    for j in range(p):
        loc, factor, square_shift = x_loc[j], x_factor[j], shift[j]
        lo, hi, total = _extent_of(extent, j, track)
        for r in range(n):
            held = not weighted or w[r] != 0.0
            x = X[r, j]
            if track and held:
                lo, hi, total = _taken(x, lo, hi, total)
            t = x - loc if held else 0.0
            if scaled:
                t *= factor
            s = t * t
            s -= square_shift
            if weighted:
                t *= V[m, r]
                s *= V[m, r]
            V[p + j, r] = t
            V[j, r] = s
        if track:
            extent[0, j], extent[1, j], extent[2, j] = lo, hi, total
    for c in range(k):
        loc, factor = y_loc[c], y_factor[c]
        lo, hi, total = _extent_of(extent, p + c, track)
        for r in range(n):
            held = not weighted or w[r] != 0.0
            y = Y[r, c]
            if track and held:
                lo, hi, total = _taken(y, lo, hi, total)
            v = y - loc if held else 0.0
            if scaled:
                v *= factor
            if weighted:
                v *= V[m, r]
            V[2 * p + c, r] = v
        if track:
            extent[0, p + c], extent[1, p + c], extent[2, p + c] = lo, hi, total


@numba.njit(inline="always")
def _taken(value, lo, hi, total):
    """A value taken into a column's minimum, maximum and sum (NaN: the sum only,
    as :func:`column_extent` takes it)."""
    return (value if value < lo else lo), (value if value > hi else hi), total + value


@numba.njit(inline="always")
def _extent_of(extent, j, track):
    """Column j's minimum, maximum and sum so far (zeros when not tracked)."""
    if track:
        return extent[0, j], extent[1, j], extent[2, j]
    return 0.0, 0.0, 0.0


@numba.njit(nogil=True, cache=True)
def far_rows(X, Y, w, x_center, x_bound, y_center, y_bound, found):
    """Write into ``found`` the rows of weight other than 0 where some value
    lies more than its bound from its center; return how many."""
    n, p = X.shape
    k = Y.shape[1]
    weighted = w.shape[0] > 0
    count = 0
    for r in range(n):
        far = False
        for j in range(p):
            far |= abs(X[r, j] - x_center[j]) > x_bound[j]
        for c in range(k):
            far |= abs(Y[r, c] - y_center[c]) > y_bound[c]
        if far and (not weighted or w[r] != 0.0):
            found[count] = r
            count += 1
    return count


def empty_weights():
    """The ``w`` the kernels take for unit weights."""
    return np.empty(0)


@numba.njit(nogil=True, cache=True)
def column_extent(A, lo, hi, total):
    """Minimum, maximum and sum of each column of A, in one pass over its rows.

    ``lo``, ``hi`` and ``total`` (of shape (p,)) receive them. Each column is
    summed row after row, in order, as numpy sums a column of a matrix of
    several (``A.sum(axis=0)``): the same sum to the last bit. A NaN is not
    seen by the comparisons; it shows in the sums, which the caller reads.
    """
    n, p = A.shape
    for j in range(p):
        lo[j] = A[0, j]
        hi[j] = A[0, j]
        total[j] = A[0, j]
    for r in range(1, n):
        for j in range(p):
            v = A[r, j]
            if v < lo[j]:
                lo[j] = v
            if v > hi[j]:
                hi[j] = v
            total[j] += v
