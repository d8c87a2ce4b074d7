# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""From gathered statistics to a fitted model in the data's units.

:func:`solve` builds the basis and the objective the engine calls for (and the
mini-batches, which read the data), runs the optimizer from the starting point,
and returns a :class:`Solution`; its :meth:`Solution.outcome` is the fitted
model in the data's units, with the words of any warning (:mod:`._messages`).
The estimator only records it. Nothing here knows scikit-learn's estimator API.
"""

import sys
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from sklearn.utils import check_random_state

from ._basis import CenteredForm, DescentBasis, StandardBasis
from ._data_objective import DataObjective
from ._linalg import one_blas_thread
from ._messages import (
    Progress,
    convergence_message,
    divergence_message,
    early_stopping_message,
    newton_message,
    out_of_range_message,
    short_target_message,
    stored_message,
    unresolved_message,
)
from ._objective import GramObjective
from ._solvers import (
    SOLVERS,
    DescentOptions,
    GradientDescent,
    MiniBatches,
    Newton,
    OutOfRangeError,
    Shortfall,
    certificate_rounding,
    certify_resolved,
    targets_within,
)

# The loss is resolved to this fraction of its scale (the variance of y, or the
# initial loss): below it, changes are rounding, not progress.
_LOSS_RESOLUTION = 1e-12
# Rounding errors (of eps each, on terms of the size of the map's absolute
# values) that the round trip to the data's units and back may cost a
# parameter: a few operations each way.
_ROUND_TRIP_ULPS = 16
_EPS = np.finfo(float).eps


class CollinearityWarning(UserWarning):
    """Some terms of ``[x**2, x, 1]`` are aliased in the data (not identifiable).

    As R's ``lm`` does, the later term of a collinear set (taking each feature
    before its square, feature by feature) gets the coefficient 0, the others
    are fitted without it, and the warning names it.
    """


class DivergenceError(ValueError):
    """Gradient descent diverged: the learning rate is too large for the data.

    A subclass of :class:`ValueError`, so that model selection tools such as
    :class:`~sklearn.model_selection.GridSearchCV` record the candidate's score as
    ``error_score`` (NaN by default) and go on with the search.
    """


# Both are imported from the package: tracebacks and reprs name them there.
CollinearityWarning.__module__ = DivergenceError.__module__ = "sklearn_quadneuron"


@dataclass
class FitSettings:
    """The estimator's parameters that shape a descent, as given by the user.

    ``solver`` is the solver's class (``_solvers.SOLVERS``), not its name.
    """

    learning_rate: object
    max_iter: int
    tol: float | None
    n_iter_no_change: int
    alpha: float
    standardize: bool
    solver: type = None
    momentum: object = "auto"
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8
    batch_size: int | None = None
    shuffle: bool = True
    random_state: object = None
    verbose: int = 0
    record_path: bool = False
    keep_path: bool = False

    @classmethod
    def from_params(cls, params, callbacks=False):
        """The settings among an estimator's ``get_params()``.

        Callbacks replay the epochs: they need the path even when the user did
        not ask to keep it (``keep_path``).
        """
        names = cls.__dataclass_fields__.keys() - {"record_path", "keep_path"}
        settings = {name: params[name] for name in names}
        settings["solver"] = SOLVERS[params["solver"]]
        keep = params["record_path"]
        return cls(**settings, record_path=keep or callbacks, keep_path=keep)


@dataclass
class FitOutcome:
    """A fitted model in the data's units: the estimator records it field by field."""

    coef: np.ndarray
    intercept: object
    form: object
    loss_curve: np.ndarray
    validation_loss_curve: np.ndarray
    n_iter: int
    best_iter: int
    stop_reason: str
    learning_rate: float
    momentum: float | None
    solver: str
    precompute: bool
    statistics: object
    observations: object
    y_ndim: int
    coef_path: np.ndarray | None
    intercept_path: np.ndarray | None
    warning: str | None
    collinear: np.ndarray | None = None
    alpha: float = 0.0
    # Each feature's weighted mean, standard deviation, and the skew and scale
    # of its square in the standardized basis (feature_importances reads them).
    feature_scales: tuple | None = None


def awaiting_weight(data, solver, alpha):
    """The outcome of a stream whose chunks so far all have weight 0.

    There is nothing to average over, nor a reference to take from: the model
    stays where a fit starts (zeros), ``stop_reason == "no_weight"``, and the
    stream starts at the first chunk that carries weight. So zero-weight
    chunks are accepted wherever they come, as later in a stream.
    """
    p, k = data.X.shape[1], data.n_targets
    form = CenteredForm(np.zeros(p), np.zeros((p, k)), np.zeros((p, k)), np.zeros(k))
    coef, intercept = np.zeros((k, 2 * p)), np.zeros(k)
    if data.y.ndim == 1:
        coef, intercept = coef[0], 0.0
    return FitOutcome(
        coef=coef,
        intercept=intercept,
        form=form,
        loss_curve=np.empty(0),
        validation_loss_curve=np.empty(0),
        n_iter=0,
        best_iter=0,
        stop_reason="no_weight",
        learning_rate=0.0,
        momentum=None,
        solver=solver,
        precompute=True,
        statistics=None,
        observations=None,
        y_ndim=data.y.ndim,
        coef_path=None,
        intercept_path=None,
        warning=None,
        alpha=float(alpha),
    )


class Solution:
    """An optimizer's result with what it takes to read it in the data's units."""

    def __init__(
        self, result, descent, objective, statistics, settings, loss_unit, batches
    ):
        self.result = result
        self.descent = descent
        self.objective = objective
        self.statistics = statistics
        self.settings = settings
        self.loss_unit = loss_unit
        self.batches = batches
        # Why a stop at "tol" was not certified after all, if it was not.
        self.shortfall = Shortfall()
        # What the words of a fit that fell short need (see diagnose).
        self.diagnosis = None

    def public(self, theta):
        """coef, intercept (one target: a vector and a float) and centered form."""
        coef, intercept, form = self.descent.model(theta)
        if self.statistics.y_ndim == 1:
            return coef[0], float(intercept[0]), form
        return coef, intercept, form

    def truncated(self, n_iter, stop_reason):
        """The same fit, as if it had stopped after ``n_iter`` epochs."""
        return Solution(
            self.result.truncated(n_iter, stop_reason),
            self.descent,
            self.objective,
            self.statistics,
            self.settings,
            self.loss_unit,
            self.batches,
        )

    def outcome(self):
        """The fitted model in the data's units; raises if it is not representable."""
        result, settings = self.result, self.settings
        coef, intercept, form = self.public(result.theta)
        with np.errstate(over="ignore"):
            loss_curve = result.loss_curve * self.loss_unit
            val_curve = (
                np.empty(0)
                if result.validation_loss_curve is None
                else result.validation_loss_curve * self.loss_unit
            )
        arrays = (form.A, form.B, form.C0, coef, intercept, loss_curve, val_curve)
        if not all(np.isfinite(a).all() for a in arrays) or self._lost_in_units(
            result.theta, form
        ):
            raise ValueError(
                "The fitted coefficients or the loss are not representable in "
                "float64 in the data's units (the features or targets span too many "
                "orders of magnitude). Rescale X or y, for example with "
                "StandardScaler or by a power of ten, and fit again."
            )
        coef_path = intercept_path = None
        if settings.record_path and settings.keep_path:
            path = [self.public(theta)[:2] for theta in result.path]
            coef_path = np.asarray([c for c, _ in path])
            intercept_path = np.asarray([i for _, i in path])
        warning = None
        unconverged = result.stop_reason in ("max_iter", "stalled")
        if unconverged and settings.tol is not None:
            warning = self._convergence_message()
        stats = self.statistics
        return FitOutcome(
            coef=coef,
            intercept=intercept,
            form=form,
            loss_curve=loss_curve,
            validation_loss_curve=val_curve,
            n_iter=int(result.n_iter),
            best_iter=int(result.best_iter),
            stop_reason=result.stop_reason,
            learning_rate=float(result.learning_rate),
            momentum=None if result.momentum is None else float(result.momentum),
            solver=settings.solver.name,
            alpha=float(settings.alpha),
            precompute=stats.engine == "statistics" and self.batches is None,
            statistics=stats.train if stats.engine == "statistics" else None,
            observations=stats.observations,
            y_ndim=stats.y_ndim,
            coef_path=coef_path,
            intercept_path=intercept_path,
            warning=warning,
            collinear=self.descent.basis.aliased,
            feature_scales=_feature_scales(self.descent.basis),
        )

    def _lost_in_units(self, theta, form):
        """Whether the model in the data's units lost what the descent found.

        Coefficients below float64's range in the data's units (features of
        1e149 and targets of 1e-27 make the square's ~1e-327) underflow to few
        digits or to zero, and the predictions with them: mapped back to the
        standardized basis, they must give the parameters descended on, each
        to 1e-6 of itself, or to the rounding of the round trip: a few
        rounding errors on the terms it sums (the map's absolute values,
        ``from_centered(..., absolute=True)``; a target 1e12 from 0 makes an
        intercept of that size, whose rounding is what it is). What that
        rounding costs the fit, :meth:`storage_rounding` bounds.
        """
        descent = self.descent
        theta = descent.to_standard(theta)
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            back = descent.basis.from_centered(form.center, form.A, form.B, form.C0)
            terms = descent.stored_terms(form)
        active = descent.active
        error = np.abs(back - theta)[active]
        rounding = _ROUND_TRIP_ULPS * _EPS * terms[active]
        allowed = np.maximum(1e-6 * np.maximum(np.abs(theta[active]), 1e-3), rounding)
        return not (error <= allowed).all()

    def _convergence_message(self):
        objective = self.objective
        shortfall = self.shortfall
        if shortfall.unresolved is not None:
            return unresolved_message(
                self.settings,
                shortfall.unresolved,
                self.result.optimum,
                self.loss_unit,
                objective.from_gram,
            )
        if shortfall.short_target is not None:
            return short_target_message(self.settings, *shortfall.short_target)
        if shortfall.unrepresented is not None:
            return stored_message(
                self.settings,
                *shortfall.unrepresented,
                self.result.optimum,
                self.loss_unit,
            )
        condition, max_stable, _ = self.diagnosis
        if not self.settings.solver.epochs:
            return newton_message(self.settings, self.result, self.loss_unit, condition)
        if self.result.validation_loss_curve is not None:
            return early_stopping_message(self.settings, self.result, self.loss_unit)
        return convergence_message(
            self.settings,
            self.result,
            self.loss_unit,
            max_stable,
            condition,
            bound=not objective.precomputed,
        )

    def diagnose(self, unit):
        """The figures the words of a fit that fell short need, worked out here
        in the solve, once: the curvature ratio, the learning rate at and beyond
        which the descent cannot converge (None where no such limit is known:
        Adam, mini-batches, whose batches curve more than the data), and what
        "auto" picks, in words (after divergence only)."""
        objective, settings, result = self.objective, self.settings, self.result
        lam_min = objective.smallest_eigenvalue()
        lam_max = objective.largest_eigenvalue()
        condition = lam_max / lam_min if lam_min > 0 else np.inf
        max_stable = None
        if self.batches is None and settings.solver.epochs:
            max_stable = settings.solver.max_stable(result.momentum, lam_max)
        auto = None
        if result.diverged_at is not None:
            tuned = "momentum" in settings.solver.accepts
            keep_momentum = self.batches is not None or not tuned
            options = _options(
                settings,
                learning_rate="auto",
                momentum=settings.momentum if keep_momentum else "auto",
            )
            plan = settings.solver.plan(options, objective, unit, self.batches)
            auto = f"learning_rate={plan.learning_rate:.6g}"
            if tuned:
                auto += f" and momentum={plan.momentum:.6g}"
        self.diagnosis = condition, max_stable, auto


def _feature_scales(basis):
    """``(x_mean, x_std, skew, sq_std)`` of the standardized basis."""
    return basis.x_mean, basis.x_std, basis.skew, basis.sq_std


@contextmanager
def blas_threads_for(statistics):
    """BLAS's threads while a fit on these statistics solves and records.

    On the statistics, everything after the pass is small linear algebra.
    OpenBLAS would thread some of it (a block of the loss curve is a
    matrix-vector product of a few hundred thousand elements), and its threads
    then spin for about a tenth of a second, taking a core from whatever runs
    next: back-to-back fits on 2e5 rows of 20 features took 51 ms each instead
    of 29 ms. The direct engine keeps BLAS's threads for its passes over the
    data.
    """
    if statistics.engine == "direct":
        yield
    else:
        with one_blas_thread():
            yield


def solve(statistics, start, settings):
    """Descend on gathered statistics from a starting point.

    Parameters
    ----------
    statistics : FitStatistics
    start : None, InitialValues or CenteredForm
        Validated starting point (see ``_validation.check_start``).
    settings : FitSettings

    Returns
    -------
    solution : Solution

    Raises
    ------
    DivergenceError
        When the learning rate is too large for the data.
    """
    train = statistics.train
    if statistics.engine == "direct":
        basis = StandardBasis.from_feature_moments(train)
    else:
        basis = StandardBasis.from_statistics(train)
    descent = DescentBasis(basis, settings.standardize)
    theta0 = descent.initial(start, train.n_features, train.n_targets)
    loss_unit, weights = _loss_unit(train.reference.y_scale)
    if not settings.solver.epochs:
        return _newton(statistics, descent, settings, weights, theta0, loss_unit)
    objective, reading = _objectives(statistics, descent, settings, weights)
    loss0, val0 = objective.initial_losses(theta0)
    batches = _mini_batches(settings, reading)
    options = _options(
        settings,
        record_path=settings.record_path,
        report=_reporter(settings.verbose, loss_unit) if settings.verbose else None,
    )
    # Adam steps in the units of y: one unit of the descent's parameters of
    # target t is y_scale[t] of them.
    unit = np.asarray(train.reference.y_scale, dtype=float)
    scale = objective.loss_scale
    rounding, allowance, exact = certificate_rounding(objective)
    try:
        result = GradientDescent(options).solve(
            objective,
            theta0,
            loss_floor=_LOSS_RESOLUTION * max(scale, loss0),
            validation_floor=(
                None if val0 is None else _LOSS_RESOLUTION * max(scale, val0)
            ),
            resolution=float(allowance @ objective.target_weights),
            exact_fit=float(exact @ objective.target_weights),
            unit=unit,
            batches=batches,
            targets_within=targets_within(objective, settings.tol, allowance, exact),
        )
    except OutOfRangeError as exc:
        raise ValueError(out_of_range_message(exc, settings)) from None
    if settings.solver.per_coordinate and result.stop_reason != "tol":
        result.epochs_needed = _adam_epochs_needed(objective, result, unit)
    solution = Solution(
        result, descent, objective, statistics, settings, loss_unit, batches
    )
    solution.shortfall = certify_resolved(
        result, objective, descent, settings.tol, (rounding, allowance, exact)
    )
    if result.stop_reason != "tol":
        solution.diagnose(unit)
    if result.diverged_at is not None:
        _, max_stable, auto = solution.diagnosis
        raise DivergenceError(
            divergence_message(settings, result, loss_unit, max_stable, auto)
        )
    return solution


def _newton(statistics, descent, settings, weights, theta0, loss_unit):
    """One Newton step on the statistics: the minimum, certified or not.

    The step is the triangular solve ``R theta = z`` of the objective's factor
    (aliased terms left out of it): no factorization after the pass.
    """
    objective = GramObjective(statistics.train, descent, settings.alpha, None, weights)
    rounding, allowance, exact = certificate_rounding(objective)
    result = Newton(settings.tol, settings.record_path).solve(
        objective,
        theta0,
        objective.minimizer(),
        resolution=float(allowance @ objective.target_weights),
        exact_fit=float(exact @ objective.target_weights),
    )
    solution = Solution(
        result, descent, objective, statistics, settings, loss_unit, None
    )
    solution.shortfall = certify_resolved(
        result, objective, descent, settings.tol, (rounding, allowance, exact)
    )
    if result.stop_reason != "tol":
        solution.diagnose(1.0)
    return solution


def _adam_epochs_needed(objective, result, unit):
    """Epochs Adam needs at least to reach the minimum, or None where unknown.

    Each of its steps moves a parameter by about ``learning_rate`` in the
    units of y (one unit of target t's parameters is ``unit[t]`` of them):
    the farthest parameter from the minimum needs its distance over that.
    """
    if result.diverged_at is not None or not hasattr(objective, "minimizer"):
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        distance = np.abs(result.theta - objective.minimizer()) * unit
        epochs = float(np.max(distance)) / result.learning_rate
    return int(np.ceil(epochs)) if np.isfinite(epochs) else None


def _objectives(statistics, descent, settings, weights):
    """The objective the epochs are measured on, and the one reading the data.

    The second (None when nothing reads the data) is the first itself when
    epochs read the data (the direct engine), and serves the mini-batches.
    """
    train = statistics.train
    reading = None
    if statistics.engine == "direct" or settings.batch_size is not None:
        data = statistics.data
        reading = DataObjective(
            data.X,
            data.Y,
            data.sample_weight,
            data.mask,
            descent,
            settings.alpha,
            float(weights @ train.target_variances()),
            weights,
            progress=Progress(settings.verbose),
        )
    if statistics.engine == "direct":
        return reading, reading
    gram = GramObjective(train, descent, settings.alpha, statistics.held_out, weights)
    return gram, reading


def _options(settings, **overrides):
    """The optimizer's options from the fit's settings."""
    options = {
        name: getattr(settings, name)
        for name in (
            "learning_rate",
            "max_iter",
            "tol",
            "n_iter_no_change",
            "solver",
            "momentum",
            "beta_1",
            "beta_2",
            "epsilon",
        )
    }
    return DescentOptions(**{**options, **overrides})


def _mini_batches(settings, reading):
    """The mini-batch epochs asked for, or None for full-batch ones.

    A batch as large as the training set is the full batch itself.
    """
    if settings.batch_size is None or settings.batch_size >= reading.n_train:
        return None
    return MiniBatches(
        reading.batch_gradient,
        reading.n_train,
        settings.batch_size,
        settings.shuffle,
        check_random_state(settings.random_state),
        reading.sample_curvature,
    )


def _loss_unit(y_scale):
    """The unit of the objective's value in y's units squared, and target weights.

    Targets are gathered each in units of its own scale; the objective sums
    their losses in units of the largest (see ``_objective``).
    """
    scale = float(np.max(y_scale))
    with np.errstate(over="ignore"):
        unit = np.float64(scale) ** 2
    if not np.isfinite(unit):
        raise ValueError(
            f"The targets spread over {scale:.3g}: their squared errors overflow "
            "float64, so no loss can be reported in the units of y. Rescale y, for "
            "example by a power of ten (y / 1e150), and fit again."
        )
    return float(unit), (np.asarray(y_scale) / scale) ** 2


def _reporter(verbose, loss_unit):
    every = 1 if verbose is True else int(verbose)

    def report(first, losses, val_losses):
        for i, loss in enumerate(losses):
            epoch = first + i + 1
            if epoch % every and epoch != 1:
                continue
            line = f"Epoch {epoch}, loss = {loss * loss_unit:.8f}"
            if val_losses is not None:
                line += f", validation loss = {val_losses[i] * loss_unit:.8f}"
            print(line)
        sys.stdout.flush()

    return report
