# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Checks of what a fit is given, before any pass over the data.

One path validates in-memory input for :meth:`fit` and :meth:`partial_fit`; the
initial values (``coef_init``, ``intercept_init``, a warm start) are checked here
too, once the numbers of features and targets are known and before the data is
read. Which parameters each solver reads, and whether it runs epochs, come from
the solvers' registry (``_solvers.SOLVERS``): no solver is named here.
"""

import math
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    validate_data,
)

from ._solvers import SOLVERS

# Floating dtypes kept as they are; anything else is converted to float64.
FLOAT_DTYPES = [np.float64, np.float32]
# The training history (loss_curve_ and the rest) is held in at most this much
# memory: a fit refuses, before any work, a max_iter whose history would not fit.
HISTORY_BUDGET = 1 << 30


def is_dask(obj):
    """Whether ``obj`` is a Dask collection, without importing Dask."""
    return type(obj).__module__.split(".")[0] in ("dask", "dask_expr")


@dataclass
class FitInput:
    """Validated in-memory data: ``Y`` is ``y`` with a target axis always.

    ``start`` is the checked starting point of the descent, ``mask`` the
    held-out rows of an early-stopping split (or None).
    """

    X: np.ndarray
    y: np.ndarray
    Y: np.ndarray
    sample_weight: np.ndarray | None
    start: object = None
    mask: np.ndarray | None = None
    # The number of features of a numpy array validated without
    # validate_data, for the estimator to record; None where it recorded them.
    unnamed_features: int | None = None

    @property
    def n_targets(self):
        return self.Y.shape[1]


def validate_fit_input(
    estimator,
    X,
    y,
    sample_weight,
    *,
    reset,
    check_finite,
    start=None,
    allow_all_zero=False,
    fitted_targets=None,
):
    """Validate X, y, the weights and the starting point of a fit or of a chunk.

    Parameters
    ----------
    estimator : estimator
        Receives or checks ``n_features_in_`` and ``feature_names_in_``; its
        ``early_stopping``, ``validation_fraction`` and ``random_state`` shape
        the validation split of a fit that starts afresh (``reset``).
    X, y, sample_weight : the data as given
    reset : bool
        Whether this data starts a fit (True) or continues one (False).
    check_finite : bool
        Whether to check NaN and infinity now. A pass that gathers statistics
        checks them on the way, at no extra cost: it passes False.
    start : None, InitialValues or a fitted centered form, default=None
        What the descent starts from, checked by :func:`check_start`.
    allow_all_zero : bool, default=False
        Whether every sample may have weight 0 (a chunk of a stream).
    fitted_targets : (int, int) or None, default=None
        The dimension of y and the number of targets of the chunks before this
        one, which it must have too.

    Returns
    -------
    data : FitInput
    """
    X, unnamed = validate_features(estimator, X, reset=reset, check_finite=check_finite)
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y "
            "is None."
        )
    if not (_as_given(y, (1, 2)) and not check_finite):
        y = check_array(
            y,
            ensure_2d=False,
            dtype=FLOAT_DTYPES,
            ensure_all_finite=check_finite,
            input_name="y",
            estimator=estimator,
        )
    if X.shape[0] != y.shape[0]:
        check_consistent_length(X, y)
    if fitted_targets is not None:
        check_targets(y.ndim, 1 if y.ndim == 1 else y.shape[1], *fitted_targets)
    # A chunk of a stream may carry no weight (the stream waits for one that
    # does); a fit's data must.
    sample_weight = check_weights(sample_weight, X, allow_all_zero=allow_all_zero)
    Y = y.reshape(y.shape[0], -1)
    check_history(
        estimator.max_iter,
        X.shape[1],
        Y.shape[1],
        holds_out(estimator) and reset,
        estimator.record_path,
    )
    start = check_start(start, X.shape[1], Y.shape[1])
    mask = None
    if reset and holds_out(estimator):
        mask = validation_mask(
            X.shape[0],
            sample_weight,
            estimator.validation_fraction,
            estimator.random_state,
        )
    return FitInput(X, y, Y, sample_weight, start, mask, unnamed if reset else None)


def _as_given(a, ndims):
    """Whether scikit-learn's ``check_array`` (floating dtypes, NaN allowed)
    returns ``a`` itself: a numpy array of float64 or float32, of one of
    ``ndims`` dimensions, with at least one row and one column. Its checks and
    conversions then have nothing to do, and cost a tenth of a small fit."""
    return (
        type(a) is np.ndarray
        and a.ndim in ndims
        and a.size > 0
        and (a.dtype == np.float64 or a.dtype == np.float32)
    )


def validate_features(estimator, X, *, reset, check_finite=True):
    """scikit-learn's ``validate_data(estimator, X, reset=reset, dtype=FLOAT_DTYPES,
    ensure_all_finite=check_finite)``, its work skipped where it has none.

    A numpy array of floats has no feature names and needs no conversion: what
    is left is the number of features (checked against the fit's) and, when
    asked, finiteness. Anything else, and any input that fails a check, goes
    through ``validate_data``, which raises its own error.

    Returns
    -------
    X : ndarray
    unnamed : int or None
        The number of features of an array of floats, which a ``reset`` must
        record (with no feature names) since ``validate_data`` did not; None
        where it did.
    """
    fast = _as_given(X, (2,))
    if fast and not reset:
        # Fitted with feature names, unnamed input warns; a count of features
        # that differs raises: both are validate_data's to say.
        fast = X.shape[1] == getattr(estimator, "n_features_in_", None) and not (
            hasattr(estimator, "feature_names_in_")
        )
    if fast and check_finite:
        # A finite sum means finite values; an infinite one (NaN, or merely an
        # overflow) leaves the verdict to validate_data.
        with np.errstate(over="ignore", invalid="ignore"):
            fast = bool(np.isfinite(np.add.reduce(X, axis=None)))
    if fast:
        return X, X.shape[1]
    X = validate_data(
        estimator, X, reset=reset, dtype=FLOAT_DTYPES, ensure_all_finite=check_finite
    )
    return X, None


# Sets of plain parameter values found valid, by class: a few hundred at most.
_VALID_PARAMS = set()
_VALID_PARAMS_KEPT = 256
_PLAIN = (str, int, float, bool, type(None))


def _plain_key(cls, params):
    """A hashable record of ``params`` if all are plain values, else None.

    The type is part of it: ``True`` and ``1``, ``1`` and ``1.0`` are equal
    but not equally valid everywhere. NaN never equals itself: a set holding
    one is never found, and is checked every time.
    """
    items = []
    for name, value in params.items():
        if type(value) not in _PLAIN:
            return None
        items.append((name, type(value), value))
    return cls, tuple(items)


def known_valid(cls, params):
    """Whether these parameters of ``cls`` were found valid before.

    Only plain values (strings, numbers, None) are remembered: they cannot
    change, and the constraints are the class's. Anything else (a
    RandomState, an array) is checked again every time.
    """
    return _plain_key(cls, params) in _VALID_PARAMS


def remember_valid(cls, params):
    """Record parameters of ``cls`` that scikit-learn's check has just passed."""
    key = _plain_key(cls, params)
    if key is not None:
        if len(_VALID_PARAMS) >= _VALID_PARAMS_KEPT:
            _VALID_PARAMS.clear()
        _VALID_PARAMS.add(key)


class KnownParametersMixin:
    """Parameters checked once per set of plain values, not at every fit.

    scikit-learn's check builds every constraint anew: a twentieth of a fit on
    small data, which a grid search repeats on the same few values. Goes
    before ``BaseEstimator`` among the bases.
    """

    def _validate_params(self):
        params = self.get_params(deep=False)
        if not known_valid(type(self), params):
            super()._validate_params()
            remember_valid(type(self), params)


class IncompatibleParametersError(ValueError):
    """Parameters valid one by one that cannot run together.

    Attributes
    ----------
    parameters : tuple of str
        The names of the parameters at odds.
    """

    def __init__(self, message, parameters):
        super().__init__(message)
        self.parameters = parameters


def holds_out(estimator):
    """Whether a fit holds out a validation split (early stopping applies)."""
    return estimator.early_stopping and SOLVERS[estimator.solver].epochs


def check_fit_settings(estimator, source):
    """Refuse the combinations of parameters that cannot run, before any work.

    Parameters
    ----------
    estimator : estimator
        Its ``batch_size``, ``precompute`` and ``early_stopping``.
    source : {"fit", "partial_fit", "Dask input"}
        Where the data comes from.

    Returns
    -------
    precompute : "auto" or bool
        The engine to gather for: the estimator's ``precompute``, or True for
        a solver of one step (it solves on the statistics).

    Mini-batches read the training data batch by batch every epoch: they need
    the data in memory, all of it at once. Early stopping is allowed with them
    (as in ``MLPRegressor``): the batches are drawn from the training samples
    only, and the validation loss is that of the whole held-out split.
    """
    batch_size = estimator.batch_size
    if not SOLVERS[estimator.solver].epochs:
        # As MLPRegressor's "lbfgs" does, a one-step solver ignores the
        # parameters of epochs (batch_size, early_stopping); but it solves on
        # the statistics, which precompute=False declines to form.
        if estimator.precompute is False:
            stepping = ", ".join(
                repr(name) for name, solver in SOLVERS.items() if solver.epochs
            )
            raise IncompatibleParametersError(
                f"solver={estimator.solver!r} solves one linear system formed "
                "from the statistics gathered in one pass (the triangular "
                "factor of [x**2, x, 1, y]), but precompute=False declines to "
                "form them. Set precompute='auto' (the default) or True, or use "
                f"a gradient solver ({stepping}) to read the data every epoch.",
                ("solver", "precompute"),
            )
        return True
    if source == "partial_fit" and estimator.early_stopping:
        raise ValueError(
            "partial_fit does not support early_stopping=True: a validation "
            "split needs the whole data. Set early_stopping=False, or use fit."
        )
    if batch_size is None:
        return estimator.precompute
    if estimator.precompute is True:
        raise IncompatibleParametersError(
            f"batch_size={batch_size} reads the training data batch by batch "
            "every epoch, but precompute=True runs every epoch on statistics "
            "gathered once, without the data. Set precompute='auto' (the "
            "default) or False for mini-batches, or batch_size=None for "
            "full-batch epochs on the statistics.",
            ("batch_size", "precompute"),
        )
    if source == "partial_fit":
        raise ValueError(
            f"partial_fit does not support batch_size={batch_size}: it descends "
            "on the statistics of all the data seen so far, and mini-batches "
            "would need the earlier chunks themselves. Set batch_size=None, or "
            "use fit on the whole data."
        )
    if source == "Dask input":
        raise ValueError(
            f"batch_size={batch_size} cannot be used with Dask input: its "
            "statistics are reduced without bringing the data into memory, and "
            "mini-batches read the data every epoch. Set batch_size=None, or "
            "compute the data into memory first."
        )
    return estimator.precompute


def check_finite_input(estimator, data):
    """scikit-learn's own errors for NaN or infinity in X or y, with advice.

    ``estimator`` is the estimator or its name, as scikit-learn's messages use.
    Its first look sums the values, which warns where infinities of both signs
    meet: the data is known not to be finite here, so only the error is given.
    """
    with np.errstate(invalid="ignore"):
        check_array(data.X, dtype=None, input_name="X", estimator=estimator)
        check_array(
            data.y, dtype=None, ensure_2d=False, input_name="y", estimator=estimator
        )


# Positive weights in this range keep every sum of the statistics (at most
# the total weight times 1, the variables being scaled) and its reciprocal
# square root within float64, over any number of rows.
WEIGHT_RANGE = (1e-100, 1e100)


def check_weights(sample_weight, X, allow_all_zero=False):
    """Non-negative float64 weights, one per row, or None for unit weights.

    ``allow_all_zero``: for a part of the data (a chunk of a stream, a block of
    a Dask array), which may carry no weight while the whole does.
    """
    if sample_weight is None:
        return None
    try:
        w = _check_sample_weight(
            sample_weight,
            X,
            dtype=np.float64,
            ensure_non_negative=True,
            allow_all_zero_weights=allow_all_zero,
        )
    except ValueError as exc:
        if "non-zero" not in str(exc):
            raise
        raise ValueError(
            f"{exc} Every sample has weight 0: pass at least one positive "
            "sample_weight."
        ) from None
    positive = w[w > 0]
    if positive.size and not (
        WEIGHT_RANGE[0] <= positive.min() and positive.max() <= WEIGHT_RANGE[1]
    ):
        raise ValueError(
            f"sample_weight holds weights from {positive.min():.3g} to "
            f"{positive.max():.3g}: positive weights must lie between "
            f"{WEIGHT_RANGE[0]:.0e} and {WEIGHT_RANGE[1]:.0e}, where their sums "
            "and products stay within float64. Only their ratios matter to the "
            "fit: divide them by their largest (one below 1e-200 times the "
            "largest counts for nothing in float64: set it to 0)."
        )
    return w


def check_positive_weight(weight):
    """A fit needs some weight to average over."""
    if weight <= 0:
        raise ValueError(
            "Sample weights must contain at least one non-zero number. Every "
            "sample has weight 0: pass at least one positive sample_weight."
        )


def check_targets(y_ndim, n_targets, fitted_ndim, fitted_targets):
    """A chunk of a stream has the targets of the chunks before it."""
    if y_ndim != fitted_ndim or n_targets != fitted_targets:
        raise ValueError(
            f"y has {n_targets} target(s) and {y_ndim} dimension(s), but "
            f"the model was fitted with {fitted_targets} target(s) and "
            f"{fitted_ndim} dimension(s). Every chunk must have the same "
            "targets."
        )


def validation_mask(n_samples, sample_weight, validation_fraction, random_state):
    """Held-out rows of an early-stopping split, drawn from ``random_state``."""
    n_val = math.ceil(validation_fraction * n_samples)
    if n_val < 2 or n_samples - n_val < 1:
        raise ValueError(
            f"The validation set is too small: validation_fraction="
            f"{validation_fraction} of n_samples={n_samples} leaves "
            f"{n_val} sample(s) for validation and {n_samples - n_val} for "
            "training. Increase validation_fraction or the size of the data, "
            "or set early_stopping=False."
        )
    rng = check_random_state(random_state)
    mask = np.zeros(n_samples, dtype=bool)
    mask[rng.permutation(n_samples)[:n_val]] = True
    if sample_weight is not None:
        for name, rows in (("validation", mask), ("training", ~mask)):
            check_split_weight(name, sample_weight[rows].sum())
    return mask


def check_split_weight(name, weight):
    """Each side of an early-stopping split needs weight of its own."""
    if not weight > 0:
        raise ValueError(
            f"The sample weights of the {name} split are all zero. "
            "Use another random_state or validation_fraction."
        )


def split_seed(random_state):
    """One integer seed for the per-block splits of out-of-core data."""
    return check_random_state(random_state).randint(2**31 - 1)


def starting_point(estimator, coef_init, intercept_init):
    """What the descent starts from: initial values, a warm start, or zeros."""
    if coef_init is not None or intercept_init is not None:
        return InitialValues(coef_init, intercept_init)
    if estimator.warm_start and hasattr(estimator, "_form"):
        return estimator._form
    return None


@dataclass
class InitialValues:
    """Validated ``coef_init`` and ``intercept_init`` (None: zeros)."""

    coef: np.ndarray | None
    intercept: np.ndarray | None


def check_start(start, n_features, n_targets):
    """Check initial values against the data's shape, before reading the data.

    Parameters
    ----------
    start : None, InitialValues of raw values, or a fitted centered form
        What the fit starts from: zeros, explicit initial values, or the
        previous fit's model (``warm_start`` and later chunks of a stream).
    n_features, n_targets : int

    Returns
    -------
    start : None, InitialValues of arrays shaped (n_targets, 2 * n_features) and
        (n_targets,), or the centered form unchanged
    """
    if start is None:
        return None
    if not isinstance(start, InitialValues):
        if start.A.shape != (n_features, n_targets):
            raise ValueError(
                f"warm_start=True but the previous fit had {start.A.shape[0]} "
                f"feature(s) and {start.A.shape[1]} target(s), this one has "
                f"{n_features} and {n_targets}. Set warm_start=False to "
                "start afresh."
            )
        return start
    return InitialValues(
        _as_init(start.coef, "coef_init", (n_targets, 2 * n_features), n_features),
        _as_init(start.intercept, "intercept_init", (n_targets,), n_features),
    )


def _as_init(value, name, shape, n_features):
    if value is None:
        return None
    arr = np.asarray(value, dtype=float)
    if arr.ndim == len(shape) - 1 and shape[0] == 1:
        arr = arr[None]
    if arr.ndim == 0 and len(shape) == 1 and shape[0] == 1:
        arr = arr.reshape(1)
    if arr.shape != shape:
        per = "2 * n_features" if name == "coef_init" else "one per target"
        raise ValueError(
            f"{name} has shape {np.shape(value)}, but this data needs shape "
            f"{shape if shape[0] > 1 else shape[1:] or (1,)} ({per}; "
            f"n_features={n_features}). Pass it in the layout of coef_ / "
            "intercept_."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; pass finite values.")
    return arr


def feature_names_of(X):
    """String column names of a DataFrame-like X, as scikit-learn accepts them.

    Returns None when X has no column names or they are not strings; mixed
    string and non-string names are an error, as in scikit-learn.
    """
    names = getattr(X, "columns", None) if getattr(X, "ndim", 2) == 2 else None
    if names is None:
        return None
    names = np.asarray(list(names), dtype=object)
    if names.size and all(isinstance(n, str) for n in names):
        return names
    if any(isinstance(n, str) for n in names):
        raise TypeError(
            "Feature names are only supported if all input features have "
            "string names. Convert them all to strings, for example with "
            "X.columns = X.columns.astype(str)."
        )
    return None


def check_dask_fit(estimator, n_features, n_targets, start):
    """What :func:`validate_fit_input` checks of a fit, for Dask input.

    Returns the early-stopping split of out-of-core data (``(seed,
    validation_fraction)``, each block drawing its own rows from the seed, or
    None without early stopping) and the checked start (:func:`check_start`).
    """
    check_history(
        estimator.max_iter,
        n_features,
        n_targets,
        holds_out(estimator),
        estimator.record_path,
    )
    start = check_start(start, n_features, n_targets)
    if not holds_out(estimator):
        return None, start
    split = split_seed(estimator.random_state), estimator.validation_fraction
    return split, start


def check_history(max_iter, n_features, n_targets, early_stopping, record_path):
    """Refuse a ``max_iter`` whose history could outgrow :data:`HISTORY_BUDGET`.

    Per epoch a fit keeps its loss (a float in ``loss_curve_`` and one in an
    array: about 40 bytes), as much again for the validation loss, and with
    ``record_path`` every parameter three times over (the path as descended,
    and ``coef_path_`` with ``intercept_path_``).
    """
    per_epoch = 40 * (2 if early_stopping else 1)
    if record_path:
        per_epoch += 3 * 8 * (2 * n_features + 1) * n_targets
    if max_iter * per_epoch <= HISTORY_BUDGET:
        return
    limit = HISTORY_BUDGET // per_epoch
    raise ValueError(
        f"max_iter={max_iter} epochs would keep a training history of about "
        f"{max_iter * per_epoch / 2**30:.3g} GiB (loss_curve_"
        + (", validation_loss_curve_" if early_stopping else "")
        + (", coef_path_" if record_path else "")
        + f"); it is held to {HISTORY_BUDGET / 2**30:g} GiB, at most {limit} "
        "epochs here. Use a smaller max_iter: with tol set (the default), a fit "
        "stops as soon as it is certified optimal, so a large max_iter is rarely "
        "needed."
    )


def training_chunks(estimator, X, y, sample_weight, rows):
    """The training data given again (to ``summary``), validated, as ``(X, Y,
    w)`` chunks of ``rows`` rows."""
    X = validate_data(estimator, X, reset=False, dtype=np.float64)
    y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
    check_consistent_length(X, y)
    Y = y.reshape(y.shape[0], -1)
    w = check_weights(sample_weight, X, allow_all_zero=True)
    for start in range(0, X.shape[0], rows):
        chunk = slice(start, start + rows)
        yield X[chunk], Y[chunk], None if w is None else w[chunk]
