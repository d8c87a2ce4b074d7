# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What every solver shares: its interface, its result, when a run ends, and
the certificate of the model it returns.

A solver is a class (:class:`Solver`) that declares what it reads of the
estimator's parameters and how it runs; the registry (``SOLVERS``, in this
package's ``__init__``) maps the value of ``solver`` to it. The rest of the
package reads these attributes, never a solver's name.

The certificate, rounding included: a stop at "tol" stands only where the
statistics resolve what ``tol`` asks, where storing the model in float64 does
not cost it, and, with several targets, for each target alone
(:func:`certify_resolved`).

Convergence (``tol``): the run stops as converged ("tol") only when the objective
certifies that the loss is within ``tol`` of its minimum, relatively:

    J_k - J* <= max(tol * J*, resolution)

where ``J_k - J*`` is the excess the objective certifies at epoch k (exact on the
statistics, a bound when reading the data) and ``resolution`` is the loss's
resolution (``1e-12`` of the variance of y): below it nothing can be measured. A
run whose loss stops falling (``n_iter_no_change`` epochs in a row without
falling by more than ``1e-12`` of itself: rounding) before that is "stalled";
only where the losses carry rounding (``stalls``: epochs that read the data):
epochs in closed form are exact, free, and run until certified or ``max_iter``.

Early stopping is another criterion: with a validation set the rule watches the
validation loss (an epoch makes no progress when ``V_k >= best - tol * max(best,
floor)``, ``best`` the lowest before it), stops after ``n_iter_no_change`` such
epochs, and keeps the parameters of the best epoch.

Divergence: with a stable step the loss of plain full-batch gradient descent
never increases; there an epoch whose loss is not finite, or exceeds the
previous one by more than rounding, marks the run as diverged. The other
optimizers raise the loss on their way down (momentum overshoots, Adam's steps
do not shrink with the gradient, a mini-batch is not the whole data): for them
(``max_growth``) only a loss that is not finite, or more than ``max_growth``
times the first epoch's, marks divergence, and the stall rule waits
``stall_wait`` times longer before it calls a loss that rose stalled.

The monitor sees the losses a block of epochs at a time, so that an optimizer that
can write down many epochs at once (in closed form) is checked exactly as one that
runs them one by one.
"""

from dataclasses import dataclass, field

import numpy as np

# Relative slack before a loss increase counts as divergence.
_INCREASE_RTOL = 1e-9
# A training loss that falls by less than this fraction of itself has stopped
# falling: what is left is rounding.
_STALL_RTOL = 1e-12


class Solver:
    """One value of the estimator's ``solver``: what it reads and how it runs.

    Attributes
    ----------
    name : str
        The value of ``solver``.
    title : str
        Its name as a sentence starts it.
    accepts : frozenset of str
        The estimator's parameters of its own that it reads (every solver
        reads the others: ``max_iter``, ``tol``, ``alpha``, ...).
    epochs : bool
        False for a solver of one step (Newton's), which ignores the
        parameters of epochs (``batch_size``, ``early_stopping``) as
        ``MLPRegressor``'s ``"lbfgs"`` ignores those of ``"sgd"``, and needs
        the statistics (``precompute=False`` declines to form them).
    monotone : bool
        Full batch, its loss never rises (plain gradient descent): a rise is
        divergence, and its epochs have a closed form.
    per_coordinate : bool
        Its steps are taken coordinate by coordinate, in the units of y
        (Adam): no rotated basis.
    """

    name = ""
    title = ""
    accepts = frozenset()
    epochs = True
    monotone = False
    per_coordinate = False


@dataclass
class DescentResult:
    """What an optimizer reports; the estimator records it.

    Attributes
    ----------
    theta : ndarray of shape (n_params, n_targets) or None
        The parameters kept (after ``n_iter`` updates, or at ``best_iter``).
        None after divergence.
    loss_curve : ndarray of shape (n_iter,)
        Training loss before each update.
    n_iter : int
    stop_reason : {"tol", "stalled", "early_stopping", "max_iter", "diverged", \
            "callback"}
    learning_rate : float
    momentum : float or None
        The momentum used (0 for plain gradient descent, None for Adam).
    validation_loss_curve : ndarray of shape (n_iter,) or None
    best_iter : int or None
    diverged_at : int or None
        Epoch whose loss rose (or overflowed).
    path : ndarray of shape (n_iter + 1, n_params, n_targets) or None
        Parameters after 0 to ``n_iter`` updates, when recorded.
    slowest_rate : float
        Contraction factor of the slowest mode still far from converged (0 when
        unknown); negative when it oscillates.
    gap : float or None
        The certified excess of the loss over its minimum at the last epoch
        measured (None when not watched: ``tol=None`` or early stopping).
    optimum : float or None
        The minimum of the objective that goes with it (estimated from below
        when the gap is a bound).
    epochs_needed : int or None
        Epochs after which the closed form would certify convergence, when
        known and finite.
    parameters_at : callable
        ``k -> theta`` after k updates (recorded or recomputed).
    """

    theta: np.ndarray | None
    loss_curve: np.ndarray
    n_iter: int
    stop_reason: str
    learning_rate: float
    momentum: float | None = 0.0
    validation_loss_curve: np.ndarray | None = None
    best_iter: int | None = None
    diverged_at: int | None = None
    path: np.ndarray | None = None
    slowest_rate: float = 0.0
    gap: float | None = None
    optimum: float | None = None
    epochs_needed: int | None = None
    parameters_at: object = field(default=None, repr=False)

    def truncated(self, n_iter, stop_reason):
        """The same run, as if it had stopped after ``n_iter`` epochs."""
        curve = None
        best = n_iter
        if self.validation_loss_curve is not None:
            curve = self.validation_loss_curve[:n_iter]
            best = int(np.argmin(curve))
        return DescentResult(
            theta=self.parameters_at(best),
            loss_curve=self.loss_curve[:n_iter],
            n_iter=n_iter,
            stop_reason=stop_reason,
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            validation_loss_curve=curve,
            best_iter=best,
            path=None if self.path is None else self.path[: n_iter + 1],
            slowest_rate=self.slowest_rate,
            parameters_at=self.parameters_at,
        )


def _first_stop(no_progress, run0, patience):
    """Index of the first epoch that completes ``patience`` epochs without progress.

    ``run0`` is the length of the run carried in from the previous block.
    Returns (index or None, run length at the end of the block).
    """
    n = no_progress.shape[0]
    idx = np.arange(n)
    last_reset = np.maximum.accumulate(np.where(no_progress, -1, idx))
    run = np.where(last_reset >= 0, idx - last_reset, idx + 1 + run0)
    hits = np.flatnonzero(run >= patience)
    return (int(hits[0]) if hits.size else None), int(run[-1]) if n else run0


def _no_progress(curve, best0, tol, floor):
    """Per epoch: no fall below ``best - tol * max(best, floor)`` (tol > 0), or
    below ``best - floor`` (tol = 0).

    ``best`` is the lowest value before the epoch (``best0`` before the block).
    """
    best_before = np.minimum.accumulate(np.concatenate([[best0], curve]))[:-1]
    # Before the first epoch there is no best loss yet (inf): that epoch is progress.
    seen = np.isfinite(best_before)
    best_before = np.where(seen, best_before, 0.0)
    margin = tol * np.maximum(best_before, floor) if tol else floor
    return seen & (curve >= best_before - margin)


# Epochs of a block whose summed certificate holds, asked whether each target's
# does too, before the next block is stepped.
_TARGET_CHECKS = 16


class StoppingMonitor:
    """Watches the losses of a descent, block by block, and decides when it ends.

    Parameters
    ----------
    tol : float or None
        None runs every epoch asked for.
    n_iter_no_change : int
    loss_floor : float
        Rounding of the training loss: a rise within it is not divergence.
    validation_floor : float or None
        Resolution of the validation loss; None when there is no validation set.
    resolution : float, default=0.0
        The excess over the minimum that counts as none (see the module
        docstring).
    exact_fit : float, default=0.0
        A loss at most this is an exact fit's to float64's resolution: the
        model is at the minimum as far as anything can tell, whatever the
        rounding of its certificate (the noiseless data of the article).
    stalls : bool, default=True
        Whether a training loss that stops falling ends the run ("stalled").
    max_growth : float or None, default=None
        None: the loss must never rise (beyond ``loss_floor``). Otherwise it
        may, up to ``max_growth`` times the first epoch's loss.
    stall_wait : float, default=1
        The stall rule's patience is ``stall_wait * n_iter_no_change`` epochs.
    report : callable or None
        Called as ``report(first_epoch, losses, validation_losses)`` for each
        block of epochs kept, for progress output.
    """

    def __init__(
        self,
        tol,
        n_iter_no_change,
        loss_floor,
        validation_floor,
        report,
        resolution=0.0,
        stalls=True,
        max_growth=None,
        stall_wait=1,
        exact_fit=0.0,
    ):
        self.tol = tol
        self.exact_fit = exact_fit
        self.stalls = stalls
        self.max_growth = max_growth
        self.stall_patience = max(1, int(min(stall_wait * n_iter_no_change, 2**62)))
        self.limit = None
        self.resolution = resolution
        self.gap = self.optimum = None
        self.patience = n_iter_no_change
        self.loss_floor = loss_floor
        self.validation = validation_floor is not None
        self.validation_floor = validation_floor
        self.report = report
        self.losses, self.val_losses = [], []
        self.best, self.run, self.previous = np.inf, 0, None
        self.best_iter, self.best_val = None, np.inf
        self.stop_reason, self.diverged_at, self.finished = "max_iter", None, False
        # The rise of plain gradient descent's loss that is rounding, relative
        # to the loss (more where the losses are read with more rounding).
        self.increase_rtol = _INCREASE_RTOL

    @property
    def certifies(self):
        """Whether the descent must provide gaps: it stops on the certificate."""
        return self.tol is not None and not self.validation

    def observe(self, k0, curve, val_curve=None, gap=None, check=None):
        """Take the losses of epochs ``k0, k0 + 1, ...``; return how many are kept.

        ``gap`` holds the certified excess over the minimum of each (when
        :attr:`certifies`): summed over targets. ``check(i)``, when given,
        says whether epoch ``k0 + i`` also has each target within ``tol`` of
        its own minimum; an epoch is certified only then. After this call,
        ``finished`` says whether the descent must end.
        """
        rises = self._diverging(curve)
        if rises.any():
            d = int(np.flatnonzero(rises)[0])
            self.diverged_at = k0 + d
            self.losses.append(curve[: d + 1])
            self.stop_reason, self.finished = "diverged", True
            return d + 1
        self.previous = curve[-1]

        if self.validation:
            monitored, floor, tol = val_curve, self.validation_floor, self.tol
        else:
            monitored, floor, tol = curve, self.resolution, _STALL_RTOL
        keep = curve.shape[0]
        if self.tol is not None and (self.validation or self.stalls):
            flags = _no_progress(monitored, self.best, tol, floor)
            patience = self.patience if self.validation else self.stall_patience
            hit, self.run = _first_stop(flags, self.run, patience)
            if hit is not None:
                keep = hit + 1
                self.stop_reason = "early_stopping" if self.validation else "stalled"
                self.finished = True
        if self.certifies:
            # The objective is a mean of squares (plus a penalty): never below
            # zero, so the loss itself bounds its excess over the minimum.
            gap = np.minimum(gap, curve)
            optimum = np.maximum(curve - gap, 0.0)
            target = np.maximum(self.tol * optimum, self.resolution)
            certified = np.flatnonzero(
                (gap[:keep] <= target[:keep]) | (curve[:keep] <= self.exact_fit)
            )
            if check is not None:
                # The sum certifies these; each target must too. A few are
                # asked (each reads the parameters), the first that holds
                # ends the search: beyond, the next block.
                first = next((i for i in certified[:_TARGET_CHECKS] if check(i)), None)
                certified = np.asarray([] if first is None else [first], dtype=int)
            if certified.size:
                keep = int(certified[0]) + 1
                self.stop_reason, self.finished = "tol", True
            self.gap, self.optimum = float(gap[keep - 1]), float(optimum[keep - 1])
        self.best = float(min(self.best, monitored[:keep].min()))
        self.losses.append(curve[:keep])
        if self.validation:
            kept = val_curve[:keep]
            self.val_losses.append(kept)
            i = int(np.argmin(kept))
            if kept[i] < self.best_val:
                self.best_val, self.best_iter = float(kept[i]), k0 + i
        if self.report is not None:
            self.report(k0, curve[:keep], val_curve[:keep] if self.validation else None)
        return keep

    def _diverging(self, curve):
        """Per epoch of the block: whether its loss marks divergence."""
        if self.max_growth is None:
            prev = np.concatenate(
                [[curve[0] if self.previous is None else self.previous], curve]
            )
            return ~np.isfinite(curve) | (
                curve > prev[:-1] * (1.0 + self.increase_rtol) + self.loss_floor
            )
        if self.limit is None:
            self.limit = self.max_growth * max(float(curve[0]), self.loss_floor)
        with np.errstate(invalid="ignore"):
            return ~np.isfinite(curve) | (curve > self.limit)

    def result(self, learning_rate, momentum=0.0):
        """The curves and the verdict, as a DescentResult without parameters."""
        loss_curve = np.concatenate(self.losses) if self.losses else np.empty(0)
        n_iter = loss_curve.shape[0]
        result = DescentResult(
            theta=None,
            loss_curve=loss_curve,
            n_iter=n_iter,
            stop_reason=self.stop_reason,
            learning_rate=float(learning_rate),
            momentum=momentum,
            diverged_at=self.diverged_at,
            best_iter=n_iter,
            gap=self.gap,
            optimum=self.optimum,
        )
        if self.validation and self.diverged_at is None:
            result.validation_loss_curve = np.concatenate(self.val_losses)
            result.best_iter = self.best_iter
        return result


# -- the certificate, rounding included ----------------------------------------------

# An excess over the minimum below this fraction of the variance of y counts as
# none (R^2 within 1e-15 of its optimum), whatever tol asks relative to the
# minimum: data that the model fits exactly has a minimum of zero, and flat
# directions are charged about this much for their rounding.
_CERTIFICATE_RESOLUTION = 1e-15
# A model stored with more rounding than this share of what tol allows is not
# certified: the bound adds to the descent's own excess, certified below tol.
_STORED_SHARE = 0.1
_EPS = np.finfo(float).eps


@dataclass
class Shortfall:
    """Why a stop at "tol" is not certified after all (all None: it is).

    Attributes
    ----------
    unresolved : float or None
        What rounding in the statistics may hide of the excess, summed over
        the targets (objective units), where that is more than tol allows.
    unrepresented : (float, bool) or None
        What storing the model in float64 may add to the excess, and whether
        the centered form ``predict`` evaluates holds it, where that is more.
    short_target : (int, float, float) or None
        The target the summed certificate left out of tol, its excess
        relative to its minimum, and the tol that would certify it.
    """

    unresolved: float | None = None
    unrepresented: tuple | None = None
    short_target: tuple | None = None


def certificate_rounding(objective):
    """Per target, what rounding in the statistics may hide of the excess over
    the minimum, the excess that counts as none, and what float64 resolves of
    an exact fit (objective units).

    On the statistics, all come from the factor (``rounding_floor``); on
    the data alone, only the resolution of a fraction of the targets'
    variance (``_CERTIFICATE_RESOLUTION``).
    """
    k = objective.target_weights.shape[0]
    if not objective.precomputed:
        resolution = np.full(k, _CERTIFICATE_RESOLUTION * objective.loss_scale)
        return np.zeros(k), resolution, resolution
    return objective.rounding_floor()


def certify_resolved(result, objective, descent, tol, rounding):
    """A certificate below what the statistics resolve is no certificate.

    Per target: where rounding in the statistics may hide more of the excess
    over the minimum than ``tol`` allows (and more than float64 resolves of an
    exact fit), or storing the model in float64 may add more
    (:func:`storage_rounding`), a stop at "tol" is not certified: ``result``
    becomes "stalled". The model returned is certified on the factor itself,
    whatever form of the objective the descent certified it on; the descent
    certifies the summed loss of several targets: each target's own excess
    must be within ``tol`` of its own minimum too.

    Parameters
    ----------
    result : DescentResult
    objective : objective
    descent : DescentBasis
        What maps the parameters to the stored model.
    tol : float or None
    rounding : tuple
        ``(rounding, allowance, exact)`` of :func:`certificate_rounding`.

    Returns
    -------
    shortfall : Shortfall
    """
    rounding, allowance, exact = rounding
    if result.stop_reason != "tol" or tol is None:
        return Shortfall()
    weights = objective.target_weights
    minimum = getattr(objective, "minimum", None)
    if minimum is not None:
        # A minimum within the rounding of the fitted values is an exact fit:
        # nothing relative to it can be certified, nor needs to be.
        resolvable = minimum > exact
        if (resolvable & (rounding > 2.0 * tol * minimum)).any():
            result.stop_reason = "stalled"
            return Shortfall(unresolved=float(rounding @ weights))
        in_units, in_form = storage_rounding(objective, descent, result.theta)
        stored = np.maximum(in_units, in_form)
        allowed = _STORED_SHARE * tol * minimum
        if (resolvable & (stored > allowed)).any():
            result.stop_reason = "stalled"
            form_ok = (~resolvable | (in_form <= allowed)).all()
            return Shortfall(unrepresented=(float(stored @ weights), bool(form_ok)))
    if weights.shape[0] == 1 and minimum is not None:
        # The descent may have certified its stop on another form of the
        # objective (the tridiagonal one of a wide fit, formed from R^T R):
        # the model returned is certified on R itself.
        excess = objective.excess(result.theta)
        if _target_ratios(excess, minimum, tol, allowance, exact)[0] > 1.0:
            result.stop_reason = "stalled"
            result.gap, result.optimum = float(excess[0]), float(minimum[0])
        return Shortfall()
    if weights.shape[0] > 1:
        excess, minimum = objective.target_excess(result.theta)
        ratio = _target_ratios(excess, minimum, tol, allowance, exact)
        if (ratio > 1.0).any():
            result.stop_reason = "stalled"
            t = int(np.argmax(ratio))
            share = weights[t] * minimum[t] / float(weights @ minimum)
            relative = float(excess[t] / minimum[t])
            return Shortfall(short_target=(t, relative, tol * share))
    return Shortfall()


def storage_rounding(objective, descent, theta):
    """Per target, bounds on what storing the model in float64 adds to its
    excess over the minimum (objective units): ``coef_`` and ``intercept_``,
    then the centered form.

    The model is stored twice: ``coef_`` and ``intercept_`` in the data's
    units, and the centered form ``predict`` evaluates. Each of their numbers
    is rounded by up to ``eps / 2`` of itself, which moves the standardized
    parameters by at most ``eps / 2`` times the map's absolute values
    (``from_centered(..., absolute=True)``), and the loss, along the columns
    of the objective's factor ``R``, by at most ``(sum_i ||R e_i||
    |delta_i|)**2``. With x far from 0 (an offset 1e9 times its spread) the
    coefficients in x's units are terms of the offset's size that cancel in
    every prediction, and this is where it shows. Zero on the data alone (no
    factor to read).
    """
    R = getattr(objective, "R", None)
    k = objective.target_weights.shape[0]
    if R is None:
        return np.zeros(k), np.zeros(k)
    coef, intercept, form = descent.model(theta)
    basis = descent.basis
    norms = np.sqrt((R**2).sum(axis=0))
    bounds = []
    with np.errstate(over="ignore", invalid="ignore"):
        for moves in (
            basis.from_data_units(coef, intercept, absolute=True),
            descent.stored_terms(form),
        ):
            delta = descent.bound_from_standard(0.5 * _EPS * moves)
            bound = (norms @ delta) ** 2
            bounds.append(np.where(np.isfinite(bound), bound, np.inf))
    return tuple(bounds)


def _target_ratios(excess, minimum, tol, allowance, exact):
    """Per target, its excess over what ``tol`` allows it (above 1: not within).

    ``excess`` and ``minimum`` per target are the objective's
    (``target_excess``: exact from the factor, bounds from the data); 0 where
    the minimum is an exact fit's, which nothing relative to it can certify.
    """
    allowed = np.maximum(tol * minimum, allowance)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ratio = excess / allowed
    return np.where(minimum > exact, np.nan_to_num(ratio, nan=np.inf), 0.0)


def targets_within(objective, tol, allowance, exact):
    """``targets_within`` of the descent: each of several targets within tol.

    None where there is nothing to check (one target, or no tol).
    """
    if tol is None or objective.target_weights.shape[0] < 2:
        return None

    def within(theta):
        excess, minimum = objective.target_excess(theta)
        ratio = _target_ratios(excess, minimum, tol, allowance, exact)
        return bool((ratio <= 1.0).all())

    return within
