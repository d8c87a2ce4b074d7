# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What a fit gathers from its data for its solver, and which engine it uses.

Two engines: epochs on the sufficient statistics (``_moments``, gathered by
``_accumulation`` in one pass), or a pass over the data per epoch, which needs
only per-feature moments. ``choose_engine`` picks by memory; the functions here
gather what the chosen one needs and hand it over as :class:`FitStatistics`.
"""

from dataclasses import dataclass

import numpy as np

from ._accumulation import accumulate_near, gather, second_pass
from ._features import may_alias
from ._moments import (
    NonFiniteError,
    QuadraticStatistics,
    feature_moments,
    reference_from,
)
from ._validation import check_finite_input, check_positive_weight

# -- what a fit hands to the solver -------------------------------------------


@dataclass
class FitStatistics:
    """Everything a fit gathered from its data, for the engine it will run.

    Attributes
    ----------
    engine : {"statistics", "direct"}
        ``"statistics"``: ``train`` (and ``held_out``) are QuadraticStatistics
        and epochs run on them. ``"direct"``: ``train`` is FeatureMoments and
        every epoch reads ``data`` again.
    train : QuadraticStatistics or FeatureMoments
    y_ndim : int
        Dimension of the targets as given (1: one target, as a vector).
    held_out : QuadraticStatistics or None
        Statistics of the early-stopping split (statistics engine).
    mask : ndarray of bool or None
        Held-out rows of the early-stopping split (direct engine).
    data : object or None
        The validated in-memory data (``X``, ``y``, ``Y``, ``sample_weight``),
        for the direct engine's passes and for callbacks; None for Dask input.
    observations : Observations or None
        The training rows' count and log-weights, for inference (``_summary``).
    """

    engine: str
    train: object
    y_ndim: int
    held_out: QuadraticStatistics | None = None
    mask: np.ndarray | None = None
    data: object = None
    observations: object = None


#: Memory the statistics engine may use for its matrices, in bytes. A fixed
#: amount, not a share of the machine's memory: "auto" then picks the same
#: engine, and the fit does the same arithmetic, on every machine.
STATISTICS_MEMORY = 1 << 29
# The Gram of the expanded features, (2p + k + 1)**2 float64 numbers, is held
# about this many times over at the peak of a fit: a partial sum per lane and
# the symmetric sum while it is gathered, then the moments in the descent
# basis, the Hessian, its eigenvectors and the eigensolver's workspace
# (measured: 7 to 9 times, by tracemalloc, from 200 to 1200 columns).
_GRAM_COPIES = 8


def statistics_memory(n_features, n_targets):
    """Bytes the statistics engine needs for ``n_features`` and ``n_targets``."""
    columns = 2 * n_features + n_targets + 1
    return _GRAM_COPIES * 8 * columns * columns


def choose_engine(precompute, n_samples, n_features, n_targets):
    """``"statistics"`` (``precompute`` True) or ``"direct"`` (False), or the
    rule of "auto".

    "auto" takes the statistics engine whenever its matrices fit in
    ``STATISTICS_MEMORY`` (512 MiB: up to 1447 features with one target) and
    there are at least as many samples as parameters (``2p + 1``); the direct
    engine otherwise. With fewer samples than parameters, the Gram is larger
    than the expanded data and has not even full rank: reading the data every
    epoch is the cheaper way. The number of epochs plays no part: once the
    statistics are gathered, epochs cost nothing.
    """
    if precompute != "auto":
        return "statistics" if precompute else "direct"
    fits = statistics_memory(n_features, n_targets) <= STATISTICS_MEMORY
    enough = n_samples >= 2 * n_features + 1
    return "statistics" if fits and enough else "direct"


def gather_fit_statistics(data, precompute, name, tol=None):
    """One pass over validated in-memory data, gathering what the engine needs.

    Parameters
    ----------
    data : FitInput
        Validated data, with the held-out rows of an early-stopping split.
    precompute : "auto" or bool
        The estimator's choice of engine (see :func:`choose_engine`).
    name : str
        The estimator's name, for scikit-learn's messages about NaN.
    tol : float or None, default=None
        The fit's ``tol``: where the one-pass statistics cannot resolve it
        (:func:`needs_second_pass`), a second pass reads the rows again.

    Returns
    -------
    statistics : FitStatistics
    """
    X, Y, w, mask = data.X, data.Y, data.sample_weight, data.mask
    engine = choose_engine(precompute, *X.shape, Y.shape[1])
    if engine == "direct":
        # The direct engine's pass does not look for NaN on its way.
        check_finite_input(name, data)
        reference = reference_from(X, Y, w)
        train, held_out = feature_moments(X, Y, w, reference, mask), None
    else:
        try:
            if mask is None:
                train, held_out = gather(X, Y, w), None
            else:
                train, held_out = gather(X, Y, w, mask=mask)
        except NonFiniteError:
            check_finite_input(name, data)
            raise
        if mask is None:
            train = resolved(train, X, Y, w, tol)
        else:
            train, held_out = resolved((train, held_out), X, Y, w, tol, mask=mask)
    check_positive_weight(train.weight)
    return FitStatistics(
        engine,
        train,
        data.y.ndim,
        held_out=held_out,
        mask=mask if engine == "direct" else None,
        data=data,
    )


def gather_more(previous, data, tol=None):
    """Statistics of the data seen so far and one more chunk of it.

    The reference is frozen at the first chunk (``previous``'s), so that the
    merge is exact; without previous statistics the chunk starts a stream.
    A chunk whose one-pass statistics cannot resolve ``tol`` is read again
    (:func:`resolved`) before the merge: a stream cannot read its chunks
    twice, but each chunk is in memory while it is merged, and the merge of
    two factors is a QR of their stacked rows, as accurate as its parts.

    Parameters
    ----------
    previous : QuadraticStatistics or None
    data : FitInput
        The validated chunk.
    tol : float or None, default=None
        The fit's ``tol`` (see :func:`needs_second_pass`).

    Returns
    -------
    statistics : FitStatistics
    """
    X, Y, w = data.X, data.Y, data.sample_weight
    if previous is None:
        seen = resolved(gather(X, Y, w), X, Y, w, tol)
    else:
        chunk = accumulate_near(X, Y, w, previous.reference)
        seen = previous.merge(resolved(chunk, X, Y, w, tol))
    check_positive_weight(seen.weight)
    return FitStatistics("statistics", seen, data.y.ndim, data=data)


#: Without ``tol`` (fixed epochs), the one-pass statistics must resolve this.
DEFAULT_RESOLUTION = 1e-6
# The one-pass statistics are kept while what their rounding may hide is below
# this share of what tol asks for: the certificate then has room to spare.
_SHARE_OF_TOL = 0.1


def resolved(stats, X, Y, sample_weight, tol, *, mask=None, parallel=True):
    """Statistics of these rows that resolve ``tol``: ``stats`` or a second pass.

    ``stats`` are the rows' one-pass statistics (a training / held-out pair
    with ``mask``, as :func:`~._accumulation.accumulate` returns them); where
    :func:`needs_second_pass` finds the training part cannot resolve ``tol``,
    the rows are read again (:func:`~._accumulation.second_pass`, on two
    threads unless ``parallel`` is False).
    """
    train = stats if mask is None else stats[0]
    if not needs_second_pass(train, tol):
        return stats
    return second_pass(X, Y, sample_weight, stats, mask=mask, parallel=parallel)


def needs_second_pass(stats, tol):
    """Whether statistics from the Gram cannot resolve what ``tol`` asks.

    The factor from one pass is the Gram's: rounding may hide an excess over
    the minimum of ``(c eps kappa ||A|| ||theta||)**2``
    (:func:`~._triangular.fit_rounding`), ``kappa`` the condition number of
    the design with unit-norm columns. Where that exceeds a tenth of ``tol``
    times the minimum (or of what float64 resolves of an exact fit, for a
    minimum of zero), or the Gram is singular, the rows are read again
    (:func:`~._accumulation.second_pass`). So they are where a term may be
    aliased (:func:`~._features.may_alias`): what is left of a column near
    ``ALIAS_TOLERANCE`` of its norm is below what the Gram resolves, and the
    rank decision reads the factor of the rows.
    """
    if not stats.from_gram or stats.weight == 0:
        return False
    if may_alias(stats.design_condition()):
        return True
    floor, allowance, _ = stats.rounding()
    rho2 = stats.residual_squares() / stats.weight
    need = np.maximum((tol or DEFAULT_RESOLUTION) * rho2, allowance)
    return bool(np.any(floor > _SHARE_OF_TOL * need))
