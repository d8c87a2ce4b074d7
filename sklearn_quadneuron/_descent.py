# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Full-batch gradient descent on the statistics: steps, epochs, stopping rules.

On a quadratic objective ``J(theta) = J(theta*) + (theta - theta*)^T H (theta -
theta*)`` (``H = G + alpha D``), one epoch of gradient descent with step ``eta`` is
the affine map ``theta <- theta - eta * 2 (H theta - h)``. In the eigenbasis of H
(``H = V diag(lam) V^T``) it decouples: the error along eigenvector i is multiplied
by ``rho_i = 1 - 2 eta lam_i`` every epoch. So the iterate and the loss after k
epochs are

    theta_k = theta* + V (rho**k * e_0)
    J_k     = J(theta*) + sum_i lam_i e_0i**2 rho_i**(2k)

exactly the same numbers as running the loop, obtained for a whole block of epochs
at once. Stopping rules, early stopping and divergence are evaluated on those
curves; the cost of an epoch is independent of the number of samples.

Stopping rule (``tol`` relative, as in SGDRegressor with ``n_iter_no_change``):
epoch k makes no progress when ``J_k >= best - tol * max(best, floor)``, ``best``
being the lowest loss before it; the run stops after ``n_iter_no_change``
consecutive epochs without progress. ``floor`` is the loss resolution of the
statistics, so a loss that reaches zero (noise-free data) still stops.

Divergence: with a stable step the loss never increases; an epoch whose loss
exceeds the previous one by more than rounding marks the run as diverged.
"""

from dataclasses import dataclass, field

import numpy as np

# Eigenvalues below this fraction of the largest are numerically zero: those
# directions of parameter space do not affect the loss, and the iterate keeps its
# initial component there (as plain gradient descent would, to rounding).
_EIGEN_CUTOFF = 1e-13
# Relative and absolute slack before a loss increase counts as divergence.
_INCREASE_RTOL = 1e-9
# Epochs are evaluated in blocks of at most this many (epoch x mode) numbers.
_BLOCK_ELEMENTS = 1 << 18


class OutOfRangeError(ArithmeticError):
    """The iterates are too far from the minimum for float64 to square."""


@dataclass
class Quadratic:
    """``J(theta) = value(theta)``, a convex quadratic with Hessian ``2 * hessian``.

    Attributes
    ----------
    hessian : ndarray of shape (n_params, n_params)
        ``G + alpha D``: half the Hessian of the objective.
    linear : ndarray of shape (n_params, n_targets)
        ``h``: the gradient is ``2 (hessian @ theta - linear)``.
    value : callable
        Numerically careful evaluation of the objective at one ``theta``.
    """

    hessian: np.ndarray
    linear: np.ndarray
    value: object


@dataclass
class DescentResult:
    """What the optimizer reports; the estimator records it."""

    theta: np.ndarray
    loss_curve: np.ndarray
    n_iter: int
    stop_reason: str
    learning_rate: float
    max_stable_learning_rate: float
    validation_loss_curve: np.ndarray | None = None
    best_iter: int | None = None
    diverged_at: int | None = None
    path: np.ndarray | None = None
    slowest_rate: float = 0.0
    _modes: tuple = field(default=None, repr=False)

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
            max_stable_learning_rate=self.max_stable_learning_rate,
            validation_loss_curve=curve,
            best_iter=best,
            path=None if self.path is None else self.path[: n_iter + 1],
            slowest_rate=self.slowest_rate,
            _modes=self._modes,
        )

    def parameters_at(self, k):
        """theta after k epochs (0 <= k <= n_iter)."""
        if self._modes is None:
            # A run that read the data every epoch: only its recorded path is known.
            return self.path[k]
        limit, V, rho, e0 = self._modes
        return limit + V @ (np.power(rho, k)[:, None] * e0)


def _eigen(hessian):
    lam, V = np.linalg.eigh(hessian)
    lam_max = max(float(lam[-1]), 0.0)
    keep = lam > _EIGEN_CUTOFF * lam_max if lam_max > 0 else np.zeros_like(lam, bool)
    return lam, V, keep, lam_max


def auto_learning_rate(hessian):
    """``1 / L`` with ``L = 2 * lambda_max(hessian)``: provably convergent."""
    return _safe_step(_eigen(hessian)[3])


def _safe_step(lam_max):
    """``1 / L`` for ``L = 2 * lam_max`` (any step converges on a flat loss)."""
    return 0.5 / lam_max if lam_max > 0 else 0.5


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
    """Per epoch: no progress against the best loss before it; new running best."""
    best_before = np.minimum.accumulate(np.concatenate([[best0], curve]))[:-1]
    # Before the first epoch there is no best loss yet (inf): that epoch is progress.
    seen = np.isfinite(best_before)
    best_before = np.where(seen, best_before, 0.0)
    flags = seen & (curve >= best_before - tol * np.maximum(best_before, floor))
    return flags, float(min(best0, curve.min()))


def descend(
    objective,
    theta0,
    *,
    learning_rate,
    max_iter,
    tol,
    n_iter_no_change,
    loss_floor,
    validation=None,
    validation_floor=0.0,
    record_path=False,
    report=None,
):
    """Run gradient descent epochs on a quadratic objective.

    Parameters
    ----------
    objective : Quadratic
        The training objective.
    theta0 : ndarray of shape (n_params, n_targets)
        Initial parameters.
    learning_rate : float or "auto"
    max_iter : int
    tol : float or None
        None runs exactly ``max_iter`` epochs.
    n_iter_no_change : int
    loss_floor : float
        Loss resolution (see module docstring).
    validation : Quadratic, default=None
        When given, stopping uses the validation loss and the best epoch's
        parameters are returned (early stopping).
    validation_floor : float, default=0.0
    record_path : bool, default=False
        Keep the parameters of every epoch.
    report : callable, default=None
        Called as ``report(first_epoch, losses, validation_losses)`` after each
        block of epochs, for progress output.

    Returns
    -------
    result : DescentResult
    """
    lam, V, keep, lam_max = _eigen(objective.hessian)
    max_stable = 1.0 / lam_max if lam_max > 0 else np.inf
    if isinstance(learning_rate, str):
        learning_rate = _safe_step(lam_max)
    lr = float(learning_rate)

    Vk, lam_k = V[:, keep], lam[keep]
    Vd = V[:, ~keep]
    theta_star = Vk @ ((Vk.T @ objective.linear) / lam_k[:, None])
    # The iterate's limit keeps theta0's component along null directions.
    limit = theta_star + Vd @ (Vd.T @ theta0)
    e0 = Vk.T @ (theta0 - theta_star)
    rho = 1.0 - 2.0 * lr * lam_k
    with np.errstate(over="ignore", invalid="ignore"):
        weight = lam_k * (e0**2).sum(axis=1)
    if not np.all(np.isfinite(weight)):
        # The loss along some mode is beyond float64: no epoch can be evaluated.
        raise OutOfRangeError(
            "the distance from the initial parameters to the minimum is too large "
            "to square in float64"
        )
    unstable = np.abs(rho) > 1.0
    if unstable.any():
        # Rounding excites every mode in a real loop: never let an unstable one
        # sit at exactly zero.
        scale = np.finfo(float).eps * (np.abs(theta0).max() + np.abs(theta_star).max())
        weight = np.where(unstable, np.maximum(weight, lam_k * scale**2), weight)
    loss_limit = objective.value(limit)

    log_abs_rho = np.log(np.where(unstable, np.abs(rho), 1.0))
    log_weight = np.log(np.where(unstable, weight, 1.0))

    if validation is not None:
        Gv = validation.hessian
        val_limit = validation.value(limit)
        val_grad = Vk.T @ (Gv @ limit - validation.linear)
        val_quad = Vk.T @ Gv @ Vk

    n_modes = max(rho.shape[0], 1)
    block = 16
    losses, val_losses, path = [], [], []
    best, best_val, run = np.inf, np.inf, 0
    stop_at, stop_reason, diverged_at = None, "max_iter", None
    previous = None
    k0 = 0
    while k0 < max_iter:
        k1 = min(max_iter, k0 + block)
        block = min(block * 4, max(16, _BLOCK_ELEMENTS // n_modes))
        ks = np.arange(k0, k1, dtype=float)
        stable_weight = np.where(unstable, 0.0, weight)
        settled = not unstable.any() and float(
            stable_weight @ np.power(np.abs(rho), 2.0 * k0)
        ) <= np.finfo(float).eps * abs(loss_limit)
        if settled:
            # Every mode has decayed below the rounding of the limit: the rest of
            # the run is the limit itself, and costs nothing to write down.
            curve = np.full(k1 - k0, loss_limit)
        else:
            # |rho|**(2k) for stable modes underflows harmlessly; unstable ones
            # are summed from logarithms, capped far below overflow.
            powers = np.power(np.abs(np.where(unstable, 0.0, rho)), 2.0 * ks[:, None])
            curve = loss_limit + powers @ stable_weight
        if unstable.any():
            logs = np.minimum(2.0 * ks[:, None] * log_abs_rho + log_weight, 600.0)
            curve = curve + np.where(unstable, np.exp(logs), 0.0).sum(axis=1)

        # Divergence first: before any validation scoring.
        prev = np.concatenate([[curve[0] if previous is None else previous], curve])
        rises = curve > prev[:-1] * (1.0 + _INCREASE_RTOL) + loss_floor
        if rises.any():
            d = int(np.flatnonzero(rises)[0])
            diverged_at = k0 + d
            losses.append(curve[: d + 1])
            break
        previous = curve[-1]

        if validation is not None:
            E = np.power(rho, ks[:, None])[:, :, None] * e0[None]
            vcurve = (
                val_limit
                + 2.0 * np.einsum("bit,it->b", E, val_grad)
                + np.einsum("bit,ij,bjt->b", E, val_quad, E)
            )
            val_losses.append(vcurve)
            monitored, monitored_best, monitored_floor = (
                vcurve,
                best_val,
                (validation_floor),
            )
        else:
            monitored, monitored_best, monitored_floor = curve, best, loss_floor

        if record_path:
            E = np.power(rho, ks[:, None])[:, :, None] * e0[None]
            path.append(limit[None] + np.einsum("ij,bjt->bit", Vk, E))

        if tol is not None:
            flags, new_best = _no_progress(
                monitored, monitored_best, tol, monitored_floor
            )
            hit, run = _first_stop(flags, run, n_iter_no_change)
            if hit is not None:
                stop_at = k0 + hit
                stop_reason = "early_stopping" if validation is not None else "tol"
        elif validation is not None:
            new_best = float(min(monitored_best, monitored.min()))
        else:
            new_best = best
        if validation is not None:
            best_val = new_best
        else:
            best = new_best

        if stop_at is not None:
            cut = stop_at - k0 + 1
            losses.append(curve[:cut])
            if validation is not None:
                val_losses[-1] = val_losses[-1][:cut]
            if record_path:
                path[-1] = path[-1][:cut]
            if report is not None:
                report(k0, curve[:cut], val_losses[-1] if val_losses else None)
            break
        losses.append(curve)
        if report is not None:
            report(k0, curve, val_losses[-1] if val_losses else None)
        k0 = k1

    loss_curve = np.concatenate(losses) if losses else np.empty(0)
    modes = (limit, Vk, rho, e0)
    n_iter = loss_curve.shape[0]
    result = DescentResult(
        theta=None,
        loss_curve=loss_curve,
        n_iter=n_iter,
        stop_reason=stop_reason,
        learning_rate=lr,
        max_stable_learning_rate=float(max_stable),
        _modes=modes,
    )
    if diverged_at is not None:
        result.diverged_at = diverged_at
        result.stop_reason = "diverged"
        return result

    remaining = weight * np.power(np.abs(rho), 2.0 * n_iter)
    if remaining.size and remaining.max() > 0:
        result.slowest_rate = float(rho[int(np.argmax(remaining))])
    result.theta = result.parameters_at(n_iter)
    if validation is not None:
        vcurve = np.concatenate(val_losses)
        result.validation_loss_curve = vcurve
        result.best_iter = int(np.argmin(vcurve))
        result.theta = result.parameters_at(result.best_iter)
    else:
        result.best_iter = n_iter
    if record_path:
        final = result.parameters_at(n_iter)[None]
        result.path = np.concatenate(path + [final])
    return result


def descend_direct(
    objective,
    theta0,
    *,
    learning_rate,
    max_iter,
    tol,
    n_iter_no_change,
    loss_floor,
    validation_floor=0.0,
    record_path=False,
    report=None,
):
    """Gradient descent with one pass over the data per epoch.

    Same parameters, rules and result as :func:`descend`, for an objective that
    evaluates ``(loss, gradient, validation_loss)`` at a point by reading the data
    (``_direct.DirectObjective``). The loss is measured before each update.
    """
    lam_max = None
    if isinstance(learning_rate, str):
        lam_max = objective.largest_eigenvalue()
        learning_rate = _safe_step(lam_max)
    lr = float(learning_rate)
    early = objective.mask is not None

    theta = theta0.copy()
    losses, val_losses, path = [], [], []
    best, best_val, run = np.inf, np.inf, 0
    best_theta, best_iter = theta0.copy(), 0
    stop_reason, diverged_at = "max_iter", None
    for k in range(max_iter):
        loss, grad, val_loss = objective.evaluate(theta)
        if k == 0 and not (np.isfinite(loss) and np.all(np.isfinite(grad))):
            # Before any step: no learning rate is to blame, the data is.
            from ._direct import NOT_REPRESENTABLE

            raise ValueError(NOT_REPRESENTABLE)
        losses.append(loss)
        rose = k > 0 and loss > losses[-2] * (1.0 + _INCREASE_RTOL) + loss_floor
        if not np.isfinite(loss) or rose:
            diverged_at = k
            break
        if record_path:
            path.append(theta.copy())
        if early:
            val_losses.append(val_loss)
            if val_loss < best_val:
                best_theta, best_iter = theta.copy(), k
            monitored, monitored_best, floor = val_loss, best_val, validation_floor
        else:
            monitored, monitored_best, floor = loss, best, loss_floor
        if report is not None:
            report(k, np.array([loss]), np.array([val_loss]) if early else None)
        stop = False
        if tol is not None:
            flags, new_best = _no_progress(
                np.array([monitored]), monitored_best, tol, floor
            )
            hit, run = _first_stop(flags, run, n_iter_no_change)
            stop = hit is not None
        else:
            new_best = min(monitored_best, monitored)
        if early:
            best_val = new_best
        else:
            best = new_best
        with np.errstate(over="ignore", invalid="ignore"):
            # A diverging step may overflow; the next epoch's non-finite loss
            # reports it as divergence, naming the learning rate.
            theta = theta - lr * grad
        if stop:
            stop_reason = "early_stopping" if early else "tol"
            break

    loss_curve = np.asarray(losses)
    if diverged_at is not None:
        if lam_max is None:
            lam_max = objective.largest_eigenvalue()
        return DescentResult(
            theta=None,
            loss_curve=loss_curve,
            n_iter=loss_curve.shape[0],
            stop_reason="diverged",
            learning_rate=lr,
            max_stable_learning_rate=1.0 / lam_max if lam_max > 0 else np.inf,
            diverged_at=diverged_at,
        )
    n_iter = loss_curve.shape[0]
    result = DescentResult(
        theta=best_theta if early else theta,
        loss_curve=loss_curve,
        n_iter=n_iter,
        stop_reason=stop_reason,
        learning_rate=lr,
        max_stable_learning_rate=np.nan if lam_max is None else 1.0 / lam_max,
        validation_loss_curve=np.asarray(val_losses) if early else None,
        best_iter=best_iter if early else n_iter,
    )
    if record_path:
        result.path = np.asarray(path + [theta])
    return result
