# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The epoch loop every solver shares, and gradient descent in closed form.

Each epoch records the loss at the current parameters, then updates them with
the solver's rule (:mod:`._descent`): plain gradient descent, the article's
``theta <- theta - learning_rate * grad``, momentum, Nesterov's momentum or
Adam, on the full batch or on mini-batches (:class:`~._descent.MiniBatches`).
Every run is watched by the same :class:`~._base.StoppingMonitor`.

Full-batch gradient descent on an objective that holds its Hessian (the
statistics) is written down in closed form, many epochs at once; every other
run steps epoch by epoch (:class:`_SteppedEpochs`). Both produce the numbers of
the plain loop. A large Hessian is not eigendecomposed: full-batch epochs on it
(gradient descent, with or without momentum) step in the basis where it is
tridiagonal (:class:`_RotatedEpochs`), at O(p) an epoch.

Closed form. On a quadratic objective ``J(theta) = J(theta*) + (theta - theta*)^T
H (theta - theta*)``, one epoch with step ``eta`` is the affine map ``theta <-
theta - eta * 2 (H theta - h)``. In the eigenbasis of H (``H = V diag(lam) V^T``)
it decouples: the error along eigenvector i is multiplied by ``rho_i = 1 - 2 eta
lam_i`` every epoch. So the iterate and the loss after k epochs are

    theta_k = theta* + V (rho**k * e_0)
    J_k     = J(theta*) + sum_i lam_i e_0i**2 rho_i**(2k)

exactly the numbers the loop would give, for a whole block of epochs at once.
"""

from dataclasses import dataclass

import numpy as np

from ._base import StoppingMonitor
from ._descent import PlainDescent

# Epochs are evaluated in blocks of at most this many (epoch x mode) numbers; in
# closed form the first holds a default run (each block costs a monitor's look).
_BLOCK_ELEMENTS, _FIRST_BLOCK = 1 << 18, 1024
# Stepped epochs on the statistics are evaluated in blocks of at most this many
# (an epoch costs O(p^2) there, and the monitor then sees a block at once).
_STEPPED_BLOCK = 256
# The closed form's powers of |rho| come from a table of this many epochs.
_POWER_STRIDE = 32


class OutOfRangeError(ArithmeticError):
    """The iterates are too far from the minimum for float64 to square."""


def _out_of_range():
    # The loss along some mode is beyond float64: no epoch can be evaluated.
    return OutOfRangeError(
        "the distance from the initial parameters to the minimum is too large to "
        "square in float64"
    )


# Rounding of a loss read about the minimum in the tridiagonal form, relative to
# the loss, per unit of the Hessian's condition number: a few roundings of eps
# in each of its three-term rows.
_FORM_ROUNDING = 64 * np.finfo(float).eps


@dataclass
class DescentOptions:
    """How to descend: the estimator's settings that shape the epochs."""

    learning_rate: object = "auto"
    max_iter: int = 1000
    tol: float | None = 1e-6
    n_iter_no_change: int = 5
    record_path: bool = False
    report: object = None
    solver: type = PlainDescent
    momentum: object = "auto"
    beta_1: float = 0.9
    beta_2: float = 0.999
    epsilon: float = 1e-8


class GradientDescent:
    """The epoch loop of every solver, with the stopping rules of the monitor.

    Parameters
    ----------
    options : DescentOptions
    """

    def __init__(self, options):
        self.options = options

    def solve(
        self,
        objective,
        theta0,
        *,
        loss_floor,
        validation_floor=None,
        resolution=0.0,
        exact_fit=0.0,
        unit=1.0,
        batches=None,
        targets_within=None,
    ):
        """Descend from ``theta0``; return a DescentResult.

        Parameters
        ----------
        objective : objective
            With ``evaluate``, ``gap``, ``largest_eigenvalue``,
            ``smallest_eigenvalue``, ``loss_scale``, and, when ``precomputed``
            is true, its ``hessian``, ``linear``, ``eigen``, ``validation`` (or
            None), ``evaluate_many``, ``gradient_near`` and ``rotated``.
        theta0 : ndarray of shape (n_params, n_targets)
        loss_floor : float
            Rounding of the loss (see :class:`StoppingMonitor`).
        validation_floor : float or None
            None: no early stopping.
        resolution : float, default=0.0
            The excess over the minimum that counts as none.
        exact_fit : float, default=0.0
            A loss that is an exact fit's (see :class:`StoppingMonitor`).
        unit : float or ndarray of shape (n_targets,), default=1.0
            One unit of each column of ``theta``, in the units of y.
        batches : MiniBatches, default=None
            Mini-batch epochs; None: full batch.
        targets_within : callable or None, default=None
            ``targets_within(theta) -> bool``: whether each of several targets
            is within ``tol`` of its own minimum. The certificate reads the
            summed loss; with this, it also holds for each target.
        """
        opts = self.options
        plan = opts.solver.plan(opts, objective, unit, batches)
        # Epochs that read the data carry its rounding, and cost a pass each.
        reads_data = batches is not None or not objective.precomputed
        monitor = StoppingMonitor(
            opts.tol,
            opts.n_iter_no_change,
            loss_floor,
            validation_floor,
            opts.report,
            resolution,
            stalls=reads_data,
            max_growth=plan.max_growth,
            stall_wait=plan.stall_wait,
            exact_fit=exact_fit,
        )
        epochs = _epochs(plan, objective, theta0, opts, monitor, batches, reads_data)
        if isinstance(epochs, _RotatedEpochs):
            # Its losses are read about the minimum in the tridiagonal form,
            # whose rounding grows with the Hessian's condition (1e-6 of the
            # loss, with two features 1e-5 apart among 260): a rise by that
            # much is rounding, not divergence, which grows the loss manyfold.
            tri = epochs.objective.tri
            monitor.increase_rtol = max(
                monitor.increase_rtol, _FORM_ROUNDING * tri.lam_max / tri.lam_min
            )
        k0 = 0
        while k0 < opts.max_iter and not monitor.finished:
            k1 = epochs.block_end(k0, opts.max_iter)
            curve, val_curve, gap = epochs.losses(k0, k1)
            check = None
            if targets_within is not None:

                def check(i, k0=k0):
                    return targets_within(epochs.measured_at(k0, i))

            keep = monitor.observe(k0, curve, val_curve, gap, check)
            if monitor.diverged_at is None:
                epochs.kept(k0, keep, monitor.best_iter)
            k0 += keep

        result = monitor.result(plan.learning_rate, plan.momentum)
        if result.diverged_at is not None:
            return result
        result.parameters_at = epochs.parameters_at
        if monitor.certifies and result.stop_reason != "tol":
            # What the advice on an unconverged run needs (never without tol).
            result.slowest_rate = epochs.slowest_rate(result.n_iter)
            target = max(opts.tol * result.optimum, resolution)
            result.epochs_needed = epochs.epochs_needed(target)
        if result.stop_reason == "tol":
            # The certificate holds for the parameters the last epoch measured
            # (its loss is the curve's last): those are kept, not the update
            # that epoch went on to compute, which momentum or Adam may take
            # uphill.
            result.best_iter = result.n_iter - 1
        result.theta = epochs.parameters_at(result.best_iter)
        if opts.record_path:
            result.path = epochs.path(result.n_iter)
        return result


def _epochs(plan, objective, theta0, options, monitor, batches, reads_data):
    """How the epochs are computed.

    Full batch on the statistics: stepped in the Hessian's tridiagonal basis
    where the objective offers one (large Hessians; not Adam, whose steps are
    coordinatewise), else in closed form for plain descent. Otherwise stepped.
    """
    step = plan.rule.update
    if batches is None and objective.precomputed:
        rotated = None if options.solver.per_coordinate else objective.rotated()
        if rotated is not None:
            return _RotatedEpochs(
                rotated, theta0, step, options, plan.learning_rate, monitor
            )
        if options.solver.monotone:
            return _ClosedFormEpochs(
                objective, theta0, plan.learning_rate, options.record_path, monitor
            )
    if batches is not None:

        def step(theta, grad):
            # A pass over the batches: the full gradient only serves the monitor.
            return batches.epoch(theta, plan.rule)

    return _SteppedEpochs(
        objective, theta0, step, options.record_path, monitor, reads_data
    )


class _ClosedFormEpochs:
    """Blocks of epochs written down in the eigenbasis of the Hessian."""

    def __init__(self, objective, theta0, lr, record_path, monitor):
        certify = monitor.certifies
        lam, V, keep, _ = objective.eigen()
        Vk, lam_k = V[:, keep], lam[keep]
        Vd = V[:, ~keep]
        # The minimum from the factor (a triangular solve), not from the
        # spectrum of its Gram, which resolves half as many digits.
        theta_star = objective.minimizer()
        # The iterate's limit keeps theta0's component along null directions.
        self.limit = theta_star + Vd @ (Vd.T @ (theta0 - theta_star))
        self.Vk = Vk
        self.rho = rho = 1.0 - 2.0 * lr * lam_k
        # Each target's share of the loss, in one unit (the objective's value).
        self.c = c = objective.target_weights
        with np.errstate(over="ignore", invalid="ignore"):
            # Overflow (inf, or inf - inf) is reported just below.
            self.e0 = Vk.T @ (theta0 - theta_star)
            weight = lam_k * ((self.e0**2) @ c)
        if not np.isfinite(weight).all():
            raise _out_of_range()
        self.unstable = unstable = np.abs(rho) > 1.0
        if unstable.any():
            # Rounding excites every mode in a real loop: never let an unstable
            # one sit at exactly zero.
            scale = np.finfo(float).eps * (
                np.abs(theta0).max() + np.abs(theta_star).max()
            )
            weight = np.where(unstable, np.maximum(weight, lam_k * scale**2), weight)
        self.weight = weight
        self.stable_weight = np.where(unstable, 0.0, weight)
        # |rho|**(2j) of the stable modes for j < _POWER_STRIDE (see _powers).
        self.stable_rho = np.abs(np.where(unstable, 0.0, rho))
        self.power_table = np.power(
            self.stable_rho, 2.0 * np.arange(_POWER_STRIDE, dtype=float)[:, None]
        )
        self.loss_limit = objective.value(self.limit)
        self.log_abs_rho = np.log(np.where(unstable, np.abs(rho), 1.0))
        self.log_weight = np.log(np.where(unstable, weight, 1.0))
        validation = objective.validation
        if validation is not None:
            Gv = validation.hessian
            self.val_limit = validation.value(self.limit)
            self.val_grad = Vk.T @ (Gv @ self.limit - validation.linear)
            self.val_quad = Vk.T @ Gv @ Vk
        self.validation = validation
        self.record_path = record_path
        # Modes too flat to resolve keep their share of the gap: it is constant,
        # since the iterate does not move along them. It is measured at the
        # limit, where the resolved modes have none left.
        self.flat_gap = 0.0
        if certify:
            self.flat_gap = objective.gap(objective.gradient(self.limit))
        self.max_size = max(16, _BLOCK_ELEMENTS // max(rho.shape[0], 1))
        self.blocks, self.size = [], min(_FIRST_BLOCK, self.max_size)

    def block_end(self, k0, max_iter):
        k1 = min(max_iter, k0 + self.size)
        self.size = self.max_size
        return k1

    def losses(self, k0, k1):
        unstable, stable_weight = self.unstable, self.stable_weight
        ks = np.arange(k0, k1, dtype=float)
        settled = not unstable.any() and self._excess(k0) <= np.finfo(float).eps * abs(
            self.loss_limit
        )
        if settled:
            # Every mode has decayed below the rounding of the limit: the rest of
            # the run is the limit itself, and costs nothing to write down. The
            # excess is at most what it was at the block's start.
            curve = np.full(k1 - k0, self.loss_limit)
            excess = np.full(k1 - k0, self._excess(k0))
        else:
            # |rho|**(2k) for stable modes underflows harmlessly; unstable ones
            # are summed from logarithms, capped far below overflow.
            excess = self._powers(k0, k1) @ stable_weight
            curve = self.loss_limit + excess
        if unstable.any():
            logs = np.minimum(
                2.0 * ks[:, None] * self.log_abs_rho + self.log_weight, 600.0
            )
            growing = np.where(unstable, np.exp(logs), 0.0).sum(axis=1)
            curve = curve + growing
            excess = excess + growing
        gap = excess + self.flat_gap
        if self.validation is None:
            return curve, None, gap
        E = self._errors(ks)
        val_curve = (
            self.val_limit
            + 2.0 * np.einsum("bit,it,t->b", E, self.val_grad, self.c)
            + np.einsum("bit,ij,bjt,t->b", E, self.val_quad, E, self.c)
        )
        return curve, val_curve, gap

    def _powers(self, k0, k1):
        """|rho|**(2k) of the stable modes for k0 <= k < k1, one row each.

        ``np.power`` costs tens of nanoseconds a number, most of a default fit
        on small data if called on every epoch and mode. Each power is instead
        a product of two: |rho|**(2 (k0 + S q)) (one call per S epochs) and the
        table's |rho|**(2 j), j < S, each within an ulp or so of the exact
        value; their product is within about three ulps.
        """
        n, stride = k1 - k0, _POWER_STRIDE
        n_rows = -(-n // stride)
        starts = k0 + stride * np.arange(n_rows, dtype=float)
        heads = np.power(self.stable_rho, 2.0 * starts[:, None])
        powers = heads[:, None, :] * self.power_table[None]
        return powers.reshape(n_rows * stride, self.stable_rho.shape[0])[:n]

    def _excess(self, k):
        """The stable modes' excess over the limit after k epochs."""
        return float(self.stable_weight @ np.power(self.stable_rho, 2.0 * k))

    def epochs_needed(self, target):
        """The fewest epochs (max_iter) that certify the gap ``target``, or None.

        The loss of epoch k is measured after k updates: a gap reached after k
        updates is seen at epoch k + 1.
        """
        if self.unstable.any() or self.flat_gap > target:
            return None

        def short(k):  # the gap after k updates is still above the target
            return self._excess(k) + self.flat_gap > target

        bracket = self._bracket(short, target - self.flat_gap)
        if bracket is None:
            return None
        low, high = bracket
        while high - low > 1:
            middle = (low + high) // 2
            if short(middle):
                low = middle
            else:
                high = middle
        return high + 1

    def _bracket(self, short, left):
        """``(low, high)``: ``short(low)`` (or low 0) and not ``short(high)``, or
        None if still short after ``2**50`` updates. Around the epochs the modes
        predict (each term ``w |rho|**(2k)`` must fall below what is ``left``),
        in steps doubling from a 1024th of them: on diabetes 8 excesses, where
        doubling from 1 and bisecting took 32 (the same epochs: the excess
        falls with k)."""
        w, rho = self.stable_weight, self.stable_rho
        above = (w > left) & (rho > 0)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            k = np.log(left / w[above]) / (2.0 * np.log(rho[above]))
        guess = float(k.max(initial=1.0))  # inf or NaN: no mode predicts
        low = high = int(guess) if 1.0 <= guess < 2.0**50 else 1
        step = max(1, high >> 10)
        if short(high):
            while True:
                low, high, step = high, high + step, 2 * step
                if high > 1 << 50:
                    return None if short(1 << 50) else (low, 1 << 50)
                if not short(high):
                    return low, high
        low = max(high - step, 0)
        while low > 0 and not short(low):
            step *= 2
            high, low = low, max(low - step, 0)
        return low, high

    def _errors(self, ks):
        return np.power(self.rho, ks[:, None])[:, :, None] * self.e0[None]

    def kept(self, k0, n, best_iter):
        if self.record_path:
            E = self._errors(np.arange(k0, k0 + n, dtype=float))
            self.blocks.append(self.limit[None] + np.einsum("ij,bjt->bit", self.Vk, E))

    def measured_at(self, k0, i):
        """The parameters epoch ``k0 + i`` of the last block measured."""
        return self.parameters_at(k0 + i)

    def parameters_at(self, k):
        """theta after k epochs (any k >= 0)."""
        return self.limit + self.Vk @ (np.power(self.rho, k)[:, None] * self.e0)

    def path(self, n_iter):
        return np.concatenate(self.blocks + [self.parameters_at(n_iter)[None]])

    def slowest_rate(self, n_iter):
        remaining = self.weight * np.power(np.abs(self.rho), 2.0 * n_iter)
        if remaining.size and remaining.max() > 0:
            return float(self.rho[int(np.argmax(remaining))])
        return 0.0


class _SteppedEpochs:
    """Epochs one by one: evaluate at the parameters, then step.

    On the statistics an epoch costs O(p^2) and reads no data: epochs are
    stepped in growing blocks, then measured at once, and the monitor sees the
    block. Reading the data, an epoch is a pass: one at a time, so that no pass
    is spent beyond the epoch where the monitor stops.

    Parameters
    ----------
    objective : objective
    theta0 : ndarray of shape (n_params, n_targets)
    step : callable
        ``step(theta, grad) -> theta``: one epoch's update.
    record_path : bool
    monitor : StoppingMonitor
        Whether it certifies (the epochs then provide gaps).
    reads_data : bool
        Whether an epoch reads the data (a full pass, or mini-batches): then
        the monitor sees every epoch before the next is run.
    """

    def __init__(self, objective, theta0, step, record_path, monitor, reads_data):
        self.objective = objective
        self.step = step
        self.certify = monitor.certifies
        self.theta = theta0.copy()
        self.k = 0
        self.steps = [] if record_path else None
        self.best = self.measured = (0, self.theta)
        self.thetas = [self.theta]
        self.size = 1
        self.max_size = 1 if reads_data else _STEPPED_BLOCK

    def block_end(self, k0, max_iter):
        k1 = min(max_iter, k0 + self.size)
        self.size = min(self.size * 2, self.max_size)
        return k1

    def losses(self, k0, k1):
        """Evaluate epochs k0 to k1 - 1, stepping after each."""
        if self.objective.precomputed:
            return self._block(k1 - k0)
        curve, val, gap = [], [], []
        theta = self.theta
        thetas = [theta]
        for _ in range(k1 - k0):
            loss, grad, val_loss = self.objective.evaluate(theta)
            curve.append(loss)
            val.append(val_loss)
            if self.certify:
                gap.append(self.objective.gap(grad))
            theta = self._step(theta, grad)
            thetas.append(theta)
        self.thetas = thetas
        return (
            np.array(curve),
            None if val[0] is None else np.array(val),
            np.array(gap) if self.certify else None,
        )

    def _block(self, n):
        """n epochs on the statistics: step first, then measure them at once.

        Each step needs only its gradient, a product with the Hessian; the
        losses and gaps of the block are then evaluated in a few array
        operations, so that an epoch costs little more than its update.
        """
        theta = self.theta
        thetas, grads = [theta], []
        gradient, step = self.objective.gradient_near, self.step
        with np.errstate(over="ignore", invalid="ignore"):
            # A diverging step may overflow; the loss of the epoch after it
            # reports the divergence, naming the learning rate.
            for _ in range(n):
                grad = gradient(theta)
                grads.append(grad)
                theta = step(theta, grad)
                thetas.append(theta)
        self.thetas = thetas
        curve, _, val = self.objective.evaluate_many(np.stack(thetas[:-1]))
        gap = self.objective.gap(np.stack(grads)) if self.certify else None
        return curve, val, gap

    def _step(self, theta, grad):
        with np.errstate(over="ignore", invalid="ignore"):
            # A diverging step may overflow; the next epoch's loss reports it as
            # divergence, naming the learning rate.
            return self.step(theta, grad)

    def kept(self, k0, n, best_iter):
        """The first n epochs of the block stand: keep what is asked of them."""
        if self.steps is not None:
            self.steps.extend(self.thetas[:n])
        if best_iter is not None and k0 <= best_iter < k0 + n:
            self.best = (best_iter, self.thetas[best_iter - k0])
        if n:
            self.measured = (k0 + n - 1, self.thetas[n - 1])
        self.theta = self.thetas[n]
        self.k = k0 + n

    def measured_at(self, k0, i):
        """The parameters epoch ``k0 + i`` of the last block measured."""
        return self.thetas[i]

    def parameters_at(self, k):
        """theta after k epochs: the last, the last measured, the best, or a
        recorded one."""
        if k == self.k:
            return self.theta
        if k == self.measured[0]:
            return self.measured[1]
        if k == self.best[0]:
            return self.best[1]
        return self.steps[k]

    def path(self, n_iter):
        return np.asarray(self.steps + [self.theta])

    def slowest_rate(self, n_iter):
        return 0.0

    def epochs_needed(self, target):
        return None


class _RotatedEpochs(_SteppedEpochs):
    """Epochs stepped in the basis where the Hessian is tridiagonal.

    The objective is a :class:`~.._objective.RotatedGramObjective`: an epoch
    costs O(p) there, against O(p^2) with the Hessian itself and an O(p^3)
    eigendecomposition for the closed form, and the steps are the same, rotated
    (to rounding). Parameters go back to the descent basis as they leave. What
    only the closed form tells (the slowest mode, the epochs a certificate
    needs) is computed from it when asked, for plain gradient descent.

    Parameters
    ----------
    rotated : RotatedGramObjective
    theta0 : ndarray of shape (n_params, n_targets)
    step : callable
    options : DescentOptions
    learning_rate : float
    monitor : StoppingMonitor
    """

    def __init__(self, rotated, theta0, step, options, learning_rate, monitor):
        theta0 = rotated.to_basis(theta0)
        if not np.isfinite(rotated.excess(theta0)).all():
            raise _out_of_range()
        super().__init__(
            rotated, theta0, step, options.record_path, monitor, reads_data=False
        )
        self._closed_form = None
        self._closed_args = (
            (rotated, theta0, learning_rate, False, monitor)
            if options.solver.monotone
            else None
        )

    def measured_at(self, k0, i):
        return self.objective.from_basis(super().measured_at(k0, i))

    def parameters_at(self, k):
        return self.objective.from_basis(super().parameters_at(k))

    def path(self, n_iter):
        return self.objective.from_basis(super().path(n_iter))

    def _closed(self):
        if self._closed_form is None and self._closed_args is not None:
            self._closed_form = _ClosedFormEpochs(*self._closed_args)
        return self._closed_form

    def slowest_rate(self, n_iter):
        closed = self._closed()
        return 0.0 if closed is None else closed.slowest_rate(n_iter)

    def epochs_needed(self, target):
        closed = self._closed()
        return None if closed is None else closed.epochs_needed(target)
