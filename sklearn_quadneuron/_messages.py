# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What a fit tells its user: progress while it runs, and what went wrong.

The words of a fit that failed or fell short, what happened and what to do:
plain functions of the settings (whose ``solver`` is the solver's class, see
``_solvers``), the optimizer's result and a few numbers the solve step works out
(the largest stable step, what "auto" would pick, the curvature ratio); no math
runs here. While a fit runs, :class:`Progress` prints what a long step of a
verbose fit does and how long it took, and the bridge to scikit-learn's
callback API (``sklearn.callback``, >= 1.9) replays the epochs to the
callbacks (the optimizer runs them first: in closed form they cost nothing),
one task each, with the parameters of that epoch; a callback that asks to stop
truncates the fit there. Callbacks observe the result; they never re-enter the
solve.
"""

import sys
import time

import numpy as np

from ._solvers import Nesterov

try:  # scikit-learn >= 1.9: the experimental callback API (progress, monitoring).
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn
    CallbackSupportMixin = None

# The solver to advise where the loss is ill-conditioned.
_ACCELERATED = f"solver='{Nesterov.name}'"


def optimizer_name(settings):
    """The optimizer's name, as a sentence starts it."""
    name = settings.solver.title
    if settings.batch_size is None:
        return name
    return f"Mini-batch {name[0].lower()}{name[1:]} (batch_size={settings.batch_size})"


def _settings_text(settings):
    text = f"learning_rate={settings.learning_rate!r}"
    if "momentum" in settings.solver.accepts:
        text += f" and momentum={settings.momentum!r}"
    return text


def out_of_range_message(exc, settings):
    return (
        f"Gradient descent cannot run on these data: {exc}, in the basis it "
        "runs on. "
        + (
            "With standardize=False the parameters are those of the raw "
            "[x**2, x, 1], which features of very small or very large "
            "scale make huge. Use standardize=True (the default), or "
            "rescale X or y."
            if not settings.standardize
            else "Rescale X or y, for example with StandardScaler."
        )
    )


def divergence_message(settings, result, loss_unit, max_stable, auto):
    """Why the fit diverged and what to use instead.

    Parameters
    ----------
    settings : FitSettings
    result : DescentResult
        Diverged: ``diverged_at`` is the epoch whose loss gave it away.
    loss_unit : float
    max_stable : float or None
        The learning rate at and beyond which the stiffest direction cannot
        converge (None when no such limit is known: Adam, mini-batches).
    auto : str
        What "auto" picks, as ``"learning_rate=..."`` (and momentum).
    """
    k = result.diverged_at
    after = result.loss_curve[k] * loss_unit
    monotone = settings.solver.monotone and settings.batch_size is None
    if monotone:
        before = result.loss_curve[k - 1] * loss_unit
        how = f"rose from {before:.6g} at epoch {k} to {after:.6g} at epoch {k + 1}"
    else:
        first = result.loss_curve[0] * loss_unit
        how = (
            f"grew from {first:.6g} at epoch 1 to {after:.6g} at epoch {k + 1}, far "
            "beyond anything the optimizer's overshoots explain"
        )
    text = (
        f"{optimizer_name(settings)} diverged: with {_settings_text(settings)} the "
        f"training loss {how}. "
    )
    if monotone:
        safe = 0.5 * max_stable
        text += (
            f"Steps of {max_stable:.6g} or more cannot converge on this data; use "
            f"learning_rate={safe:.6g} (or smaller), or learning_rate='auto', "
            "which picks that safe value."
        )
    elif settings.batch_size is not None:
        text += (
            "A batch can be more curved than the whole data: lower learning_rate "
            f"or raise batch_size; learning_rate='auto' picks {auto}."
        )
    elif max_stable is not None:
        text += (
            f"With momentum={result.momentum:.6g}, steps of {max_stable:.6g} or "
            "more cannot converge on this data; use a smaller learning_rate, or "
            f"learning_rate='auto' and momentum='auto', which pick {auto}."
        )
    else:
        text += f"Lower learning_rate; learning_rate='auto' picks {auto}."
    if not settings.standardize:
        text += " With standardize=True one learning rate suits any data scale."
    return text


def counted(n, noun):
    """``n`` and the noun, plural unless ``n`` is 1: "1 feature", "3 epochs"."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def convergence_message(settings, result, loss_unit, max_stable, condition, bound):
    """Why a fit is not certified optimal, how far from it, and what to do."""
    if result.stop_reason == "stalled":
        how = (
            "the training loss stopped falling for "
            f"{counted(settings.n_iter_no_change, 'epoch')} or more after "
            f"{result.n_iter}"
        )
    else:
        how = f"max_iter={counted(settings.max_iter, 'epoch')} ran"
    loss = float(result.loss_curve[-1]) * loss_unit
    gap, optimum = result.gap * loss_unit, result.optimum * loss_unit
    above = f"{'at most ' if bound else ''}{gap:.3g} above its minimum"
    if optimum > 0:
        where = (
            f"{above} ({optimum:.6g}), {gap / optimum:.3g} times it, where "
            f"tol={settings.tol} asks for at most tol times it."
        )
    else:
        where = f"{above}, 0: the model fits this data exactly."
    return (
        f"QuadraticGDRegressor did not converge ({how}): the training loss "
        f"{loss:.6g} is {where} " + _advice(settings, result, max_stable, condition)
    )


def early_stopping_message(settings, result, loss_unit):
    """Early stopping that did not stop before max_iter."""
    best = result.best_iter
    val = float(result.validation_loss_curve[best]) * loss_unit
    kept = (
        f"the model after epoch {best} is kept, the best on the held-out "
        f"samples (validation loss {val:.6g})"
        if best
        else f"the starting model is kept (validation loss {val:.6g}): no epoch "
        "improved on it"
    )
    after = result.validation_loss_curve.shape[0] - 1 - best
    why = (
        f"the held-out loss was still falling by more than tol={settings.tol}"
        if after == 0
        else f"the last {counted(after, 'epoch')} did not lower the held-out loss "
        f"by tol={settings.tol}, where n_iter_no_change="
        f"{settings.n_iter_no_change} would stop it"
    )
    return (
        f"QuadraticGDRegressor did not stop early within max_iter="
        f"{counted(settings.max_iter, 'epoch')}: {why}, and {kept}. "
        "Raise max_iter to let early stopping end the fit."
    )


def _advice(settings, result, max_stable, condition):
    """What to change when the optimizer did not reach the optimum."""
    if settings.batch_size is not None:
        return (
            "Mini-batch gradients are noisy: with a constant learning rate the "
            "parameters wander around the minimum, the farther the larger "
            "learning_rate and the smaller batch_size. Lower learning_rate, raise "
            "batch_size, or use batch_size=None (full batch), which converges to "
            "the minimum."
        )
    if settings.solver.per_coordinate:
        return _adam_advice(settings, result)
    if "momentum" in settings.solver.accepts:
        return _momentum_advice(settings, result, condition)
    auto = 0.5 * max_stable
    if result.slowest_rate < 0:
        return (
            "The loss oscillates: the learning rate is close to its stability "
            f"limit. Lower learning_rate (learning_rate='auto' uses {auto:.3g})."
        )
    if settings.learning_rate != "auto" and result.learning_rate < 0.5 * auto:
        return (
            f"learning_rate={settings.learning_rate!r} is small for this data: "
            f"raise it (learning_rate='auto' uses {auto:.3g})."
        )
    if not settings.standardize:
        return (
            "The raw features [x**2, x] are badly conditioned for gradient "
            "descent: set standardize=True."
        )
    if result.epochs_needed is not None:
        return (
            f"Gradient descent needs {counted(result.epochs_needed, 'epoch')} on "
            "this data: "
            f"set max_iter={result.epochs_needed} or more."
        )
    return (
        "The data is ill-conditioned: the loss is "
        f"{condition:.3g} times more curved along some directions of the "
        "parameters than along others (nearly collinear features), and gradient "
        "descent needs about that many epochs. Increase max_iter, use "
        f"{_ACCELERATED} (about the square root as many), or remove or "
        "combine collinear features."
    )


def _adam_advice(settings, result):
    """What to change when Adam did not reach the optimum."""
    if not settings.standardize:
        return (
            "Adam moves each parameter by about learning_rate per epoch, in the "
            "units of the raw [x**2, x, 1], where one step can be far too large "
            "for one coefficient and far too small for another: set "
            "standardize=True."
        )
    still = ""
    if result.epochs_needed is not None:
        still = (
            "; its parameters are still as far from the minimum as "
            f"{counted(result.epochs_needed, 'epoch')} of such steps at least"
        )
    return (
        "Adam moves each parameter by about learning_rate per epoch "
        f"(learning_rate_={result.learning_rate:.3g}) whatever its gradient"
        f"{still}, and full-batch Adam is slow to settle on a quadratic loss: "
        f"raise learning_rate or max_iter, or use {_ACCELERATED}, which is "
        "tuned to this loss's curvature."
    )


def _momentum_advice(settings, result, condition):
    if settings.learning_rate != "auto" or settings.momentum != "auto":
        return (
            "learning_rate='auto' and momentum='auto' tune both to the curvature "
            "of this loss."
        )
    if not settings.standardize:
        return (
            "The raw features [x**2, x] are badly conditioned for gradient "
            "descent: set standardize=True."
        )
    epochs = np.sqrt(condition)
    return (
        "The data is ill-conditioned: the loss is "
        f"{condition:.3g} times more curved along some directions of the "
        "parameters than along others (nearly collinear features), and "
        f"{settings.solver.title.lower()} needs a few times its square root, "
        f"{epochs:.3g}, epochs. Increase max_iter, or remove or combine "
        "collinear features."
    )


def newton_message(settings, result, loss_unit, condition):
    """Why a Newton solve is not certified optimal, how far from it, what to do."""
    gap, optimum = result.gap * loss_unit, result.optimum * loss_unit
    relative = gap / optimum if optimum > 0 else np.inf
    advice = (
        "Use standardize=True (the default), whose basis is well conditioned "
        "whatever the offset and scale of X."
        if not settings.standardize
        else "Rescale X, or remove or combine nearly collinear features."
    )
    return (
        f"QuadraticGDRegressor's {settings.solver.name} solve is not certified "
        "optimal: "
        f"the training loss may be {gap:.3g} above its minimum ({optimum:.6g}), "
        f"{relative:.3g} times it, where tol={settings.tol} asks for at most tol "
        "times it. The system is too ill-conditioned for float64 (its curvature "
        f"differs {condition:.3g}-fold between directions). " + advice
    )


def unresolved_message(settings, rounding, optimum, loss_unit, from_gram):
    """A fit as close to the minimum as float64 can tell, but not within tol."""
    floor, optimum = rounding * loss_unit, optimum * loss_unit
    relative = floor / optimum if optimum > 0 else np.inf
    how = (
        "even read again from the rows by Householder QR"
        if not from_gram
        else "from the one-pass statistics"
    )
    return (
        f"QuadraticGDRegressor cannot certify tol={settings.tol}: the loss at "
        f"its minimum ({optimum:.6g}) is known only to within {floor:.3g}, "
        f"{relative:.3g} times it, {how} (the design [x**2, x, 1] is too "
        "ill-conditioned for float64 to resolve more: far outliers, clusters "
        "far apart, or nearly collinear features). The model returned is as "
        f"close to the minimum as that; use tol >= {relative:.2g} to certify "
        "it, or remove the far points or rescale and decorrelate the features."
    )


def stored_message(settings, stored, form_ok, optimum, loss_unit):
    """A fit at its minimum whose stored coefficients cannot hold it within tol."""
    stored, optimum = stored * loss_unit, optimum * loss_unit
    relative = stored / optimum if optimum > 0 else np.inf
    which = (
        "its coefficients in the data's units (coef_, intercept_) may be off "
        "(predict() evaluates a centered form of the model, which holds it)"
        if form_ok
        else "its coefficients in the data's units (coef_, intercept_) and the "
        "centered form predict() evaluates may be off"
    )
    return (
        f"QuadraticGDRegressor cannot certify tol={settings.tol}: the fit "
        f"reached its minimum, but stored in float64 {which} by enough to "
        f"raise the loss by {stored:.3g}, {relative:.3g} times its minimum "
        f"({optimum:.6g}). X or y lies far from 0 for its spread: the "
        "coefficients are then large terms that cancel in every prediction. "
        "Subtract the offset from X (for example with "
        "StandardScaler(with_std=False) in a Pipeline) or from y before fitting."
    )


def short_target_message(settings, target, relative, tol_needed):
    """Several targets certified together, one of them not within tol."""
    # Below this, a tol asks more than float64 resolves of the summed loss.
    lower = f"use tol={tol_needed:.2g} or lower, " if tol_needed >= 1e-13 else ""
    return (
        f"QuadraticGDRegressor cannot certify tol={settings.tol} for target "
        f"{target} (row {target} of coef_): the summed loss of the targets is "
        "within tol of its minimum, but this target's loss is "
        f"{relative:.3g} times its own minimum above it. The targets differ "
        f"in scale and the larger ones dominate the sum: {lower}scale the "
        "targets alike (divide each by its standard deviation), or fit them "
        "one at a time."
    )


def collinear_message(names):
    """The terms the fit found aliased, and what was done about them."""
    listed = ", ".join(names)
    return (
        f"The terms {listed} are aliased in this data: each is, to a relative "
        "tolerance of 1e-7, a combination of the terms before it (a duplicated "
        "or collinear feature, or the square of a feature with two values), as "
        "R's lm finds them. They were given the coefficient 0 and the other "
        "terms fitted without them. Remove or combine those features to silence "
        "this warning."
    )


# -- while a fit runs: progress, and the callbacks' view of its epochs --------


def has_callbacks(estimator):
    """Whether callbacks are attached to the estimator, its own or propagated.

    A meta-estimator hands its fits a parent context even without callbacks
    (a grid search always does); the callbacks it propagates are set on the
    estimator itself. The epochs are replayed to those only (the context's
    callbacks are the estimator's): without any, no path is worth recording.
    """
    return CallbackSupportMixin is not None and bool(
        getattr(estimator, "_skl_callbacks", None)
    )


def _metadata(data):
    weight = None if data is None else data.sample_weight
    return None if weight is None else {"sample_weight": weight}


def _data(data):
    return (None, None) if data is None else (data.X, data.y)


def begin_fit(estimator, data):
    """The root callback context, or None without callbacks to serve."""
    if CallbackSupportMixin is None:
        return None
    context = estimator._init_callback_context(task_name="fit", max_subtasks=None)
    X, y = _data(data)
    context.call_on_fit_task_begin(
        estimator=estimator, X=X, y=y, metadata=_metadata(data)
    )
    return context


def end_fit(estimator, context, data):
    """Close the fit's task, once the estimator has recorded its attributes."""
    if context is not None:
        X, y = _data(data)
        context.call_on_fit_task_end(
            estimator=estimator, X=X, y=y, metadata=_metadata(data)
        )


def replay_epochs(estimator, context, solution, data):
    """One callback task per epoch; a callback may ask to stop early.

    Returns the solution, truncated at the epoch where a callback asked to stop.
    """
    if context is None or not getattr(context, "_callbacks", None):
        return solution
    metadata = _metadata(data)
    X, y = _data(data)
    result = solution.result

    def fitted_attributes(k):
        coef, intercept, form = solution.public(result.parameters_at(k))
        return {"coef_": coef, "intercept_": intercept, "n_iter_": k, "_form": form}

    for k in range(result.n_iter):
        epoch = context.subcontext(task_name="epoch")
        epoch.call_on_fit_task_begin(estimator=estimator, X=X, y=y, metadata=metadata)
        stop = epoch.call_on_fit_task_end(
            estimator=estimator,
            X=X,
            y=y,
            metadata=metadata,
            reconstruction_attributes=lambda k=k: fitted_attributes(k + 1),
        )
        if stop and k + 1 < result.n_iter:
            return solution.truncated(k + 1, "callback")
    return solution


class Progress:
    """Prints what a long step does and how long it took, or nothing.

    Parameters
    ----------
    enabled : bool
        The estimator's ``verbose``: without it, every call is silent.
    """

    def __init__(self, enabled):
        self.enabled = bool(enabled)
        self._start = None

    def begin(self, what):
        """Announce a step."""
        if self.enabled:
            self._start = time.perf_counter()
            print(f"{what}...")
            sys.stdout.flush()

    def end(self, what):
        """Report the step done, with its time."""
        if self.enabled:
            elapsed = time.perf_counter() - (self._start or time.perf_counter())
            print(f"{what} in {elapsed:.2f} s.")
            sys.stdout.flush()

    def note(self, what):
        """One line about the work in progress."""
        if self.enabled:
            print(what)
            sys.stdout.flush()
