# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""QuadraticGDRegressor: parameters, validation, tags and the fit / predict glue.

Data flows one way: validate -> statistics (``_statistics``) -> standardized basis
(``_features``) -> gradient descent (``_descent``) -> public attributes in the
data's units. This module holds no math of its own.
"""

import math
import sys
import warnings
from contextlib import contextmanager
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from numpy.polynomial import Polynomial
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_sample_weight,
    check_array,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._descent import OutOfRangeError, Quadratic, descend, descend_direct
from ._direct import DirectObjective, FeatureMoments, feature_moments, standard_basis
from ._features import StandardBasis, centered_predict, format_equation, term_names
from ._loss import objective as _objective
from ._statistics import (
    NonFiniteError,
    QuadraticStatistics,
    accumulate,
    accumulate_near,
    gather,
    reference_from,
)

# The loss is resolved to this fraction of its scale (the variance of y, or the
# initial loss): below it, changes are rounding, not progress.
_LOSS_RESOLUTION = 1e-12


class DivergenceError(ValueError):
    """Gradient descent diverged: the learning rate is too large for the data.

    A subclass of :class:`ValueError`, so that model selection tools such as
    :class:`~sklearn.model_selection.GridSearchCV` record the candidate's score as
    ``error_score`` (NaN by default) and go on with the search.
    """


try:  # scikit-learn >= 1.9: the experimental callback API (progress, monitoring).
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn
    CallbackSupportMixin = None

# RegressorMixin must come before BaseEstimator: with BaseEstimator first,
# scikit-learn >= 1.6 silently drops the regressor tags and skips the regressor
# checks. The callback mixin, when scikit-learn has it, goes first of all.
_BASES = (RegressorMixin, BaseEstimator)
if CallbackSupportMixin is not None:
    _BASES = (CallbackSupportMixin, *_BASES)


class QuadraticGDRegressor(*_BASES):
    """A quadratic neuron trained by full-batch gradient descent.

    Fits ``y_hat = intercept + sum_j (a_j * x_j**2 + b_j * x_j)`` by minimising
    the mean squared error with gradient descent, using the analytic gradients of
    the article "The 'hello, world' of Deep Learning". With one feature this is
    the article's neuron ``a*x**2 + b*x + c``.

    The model is additive: powers of each feature, no cross terms. This is the
    ``PolynomialFeatures(degree=2)`` model without interactions that users of
    scikit-learn often ask for, with named, unambiguously ordered coefficients
    (:meth:`get_term_names`, :meth:`equation`, :meth:`to_polynomials`).

    The data is read once: the sufficient statistics of the loss are gathered in
    one chunked pass, and every epoch then runs on them, whatever the number of
    samples. It is still the article's gradient descent, epoch by epoch.

    Parameters
    ----------
    learning_rate : float or "auto", default="auto"
        Step size of gradient descent. ``"auto"`` uses ``1 / L``, ``L`` being the
        largest eigenvalue of the loss Hessian on the (standardized) features: a
        step that provably converges on any data (with ``solver="direct"`` and
        more than 96 parameters, ``L`` is bounded from above by a block Krylov
        estimate, a few percent larger, so the step is a little shorter). A
        float must be > 0; too large a value raises :class:`DivergenceError`.

    max_iter : int, default=1000
        Maximum number of epochs (full passes of gradient descent). Values must be
        in the range `[1, inf)`.

    tol : float or None, default=1e-6
        Relative tolerance of the stopping rule: an epoch makes no progress when
        the loss does not fall below ``best_loss - tol * best_loss`` (``best_loss``
        the lowest loss before it), and training stops after ``n_iter_no_change``
        such epochs in a row. Being relative, it does not depend on the scale of
        y. ``None`` runs exactly ``max_iter`` epochs and never warns.

    n_iter_no_change : int, default=5
        Number of consecutive epochs without progress before stopping (training
        loss, or validation loss with ``early_stopping=True``).

    alpha : float, default=0.0
        L2 penalty ``alpha * ||coef||^2`` added to the loss, on the coefficients of
        the features the descent runs on (standardized ones when
        ``standardize=True``, raw ``[x**2, x]`` otherwise); never on the
        intercept.

    standardize : bool, default=True
        Descend on standardized features (each feature standardized, then
        squared, then the square standardized), so that one learning rate works
        whatever the scale and offset of the data; ``coef_`` and ``intercept_``
        are reported in the data's units either way. ``False`` descends on the raw
        ``[x**2, x, 1]``, as the article does: needed to reproduce it step by step.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the samples, record the loss on them
        every epoch (``validation_loss_curve_``), stop when it has not improved for
        ``n_iter_no_change`` epochs, and keep the parameters of the best epoch.

    validation_fraction : float, default=0.1
        Proportion of samples held out when ``early_stopping=True``. Values must
        be in the range `(0.0, 1.0)`.

    random_state : int, RandomState instance or None, default=None
        Seeds the validation split. Nothing else in the fit is random.

    warm_start : bool, default=False
        Start from the previous fit's parameters instead of zero.

    verbose : int, default=0
        Print the loss: ``1`` every epoch, ``k > 1`` every k epochs.

    record_path : bool, default=False
        Keep the parameters of every epoch in ``coef_path_`` and
        ``intercept_path_``.

    solver : {"auto", "statistics", "direct"}, default="auto"
        How epochs read the data. ``"statistics"`` gathers the sufficient
        statistics in one pass (``(2p + k)**2`` numbers for p features and k
        targets), after which epochs cost nothing; ``"direct"`` reads the data
        every epoch, for thousands of features where the statistics would be
        large or slow to form. Both follow the same trajectory. ``"auto"`` picks
        the cheaper from the data's shape. :meth:`partial_fit` and Dask input
        always use the statistics.

    Attributes
    ----------
    coef_ : ndarray of shape (2 * n_features,) or (n_targets, 2 * n_features)
        Coefficients in the data's units: ``coef_[:n_features]`` multiply
        ``x_j**2`` (the a's), ``coef_[n_features:]`` multiply ``x_j`` (the b's).
        For one feature this reads ``[a, b]``, the order of ``numpy.polyfit``.

    intercept_ : float or ndarray of shape (n_targets,)
        The constant term c.

    loss_curve_ : list of float
        Training loss at the parameters *before* each epoch's update, as in the
        article: weighted mean squared error in the units of y squared (summed
        over targets), plus the penalty. ``len(loss_curve_) == n_iter_``.

    validation_loss_curve_ : list of float
        Same loss on the held-out samples, at the same parameters, one entry per
        epoch. Empty unless ``early_stopping=True``.

    n_iter_ : int
        Number of epochs run by the last call to :meth:`fit`.

    best_iter_ : int
        Number of updates behind the parameters kept: the epoch of lowest
        validation loss with ``early_stopping=True``, else ``n_iter_``.

    stop_reason_ : str
        Why training stopped: ``"tol"`` (training loss stopped improving),
        ``"early_stopping"`` (validation loss stopped improving),
        ``"max_iter"``, or ``"callback"`` (a callback asked to stop).

    learning_rate_ : float
        The step size used (the value ``"auto"`` resolved to).

    solver_ : str
        The solver used: ``"statistics"`` or ``"direct"``.

    coef_path_ : ndarray of shape (`n_iter_` + 1, ...)
        Coefficients after each number of updates, 0 to ``n_iter_``. Only with
        ``record_path=True``.

    intercept_path_ : ndarray of shape (`n_iter_` + 1, ...)
        Intercept after each number of updates. Only with ``record_path=True``.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X` has
        feature names that are all strings.

    See Also
    --------
    sklearn.linear_model.SGDRegressor : Linear model fitted by stochastic
        gradient descent.
    sklearn.neural_network.MLPRegressor : Multi-layer perceptron regressor.
    sklearn.preprocessing.PolynomialFeatures : Expansion with cross terms.

    Notes
    -----
    With residuals ``r_i = y_hat_i - y_i`` and weights ``w_i`` (1 by default), the
    loss and its analytic gradients are

    .. math::

        L = \\frac{\\sum_i w_i r_i^2}{\\sum_i w_i}, \\quad
        \\frac{\\partial L}{\\partial a_j} = \\frac{2 \\sum_i w_i x_{ij}^2 r_i}
        {\\sum_i w_i}, \\quad
        \\frac{\\partial L}{\\partial b_j} = \\frac{2 \\sum_i w_i x_{ij} r_i}
        {\\sum_i w_i}, \\quad
        \\frac{\\partial L}{\\partial c} = \\frac{2 \\sum_i w_i r_i}{\\sum_i w_i}.

    The article's code uses ``mean(r)`` for the intercept, half the exact
    derivative (as if c had half the learning rate); this estimator uses the
    exact one. Each epoch updates every parameter by ``-learning_rate *
    gradient``.

    Because the model is linear in its parameters, the gradient equals
    ``2 (G theta - h)`` with ``G = mean(phi phi^T)`` and ``h = mean(phi y)``
    over the expanded features ``phi = [x**2, x, 1]``: the data is needed once.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_quadneuron import QuadraticGDRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(1000, 1))
    >>> y = 10 * X[:, 0] ** 2 + 5 * X[:, 0] + 12
    >>> model = QuadraticGDRegressor().fit(X, y)
    >>> print(model.equation(precision=4))
    y = 10*x0^2 + 5*x0 + 12
    """

    _parameter_constraints: dict = {
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "standardize": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "record_path": ["boolean"],
        "solver": [StrOptions({"auto", "statistics", "direct"})],
    }

    def __init__(
        self,
        *,
        learning_rate="auto",
        max_iter=1000,
        tol=1e-6,
        n_iter_no_change=5,
        alpha=0.0,
        standardize=True,
        early_stopping=False,
        validation_fraction=0.1,
        random_state=None,
        warm_start=False,
        verbose=0,
        record_path=False,
        solver="auto",
    ):
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.alpha = alpha
        self.standardize = standardize
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.record_path = record_path
        self.solver = solver

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    # -- fit ----------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, coef_init=None, intercept_init=None):
        """Fit the model by gradient descent.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training data. Dask arrays and DataFrames are accepted too (with the
            ``dask`` extra installed): their statistics are computed as a Dask
            reduction, without bringing the data into memory.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the loss is the weighted mean of squared
            residuals, so integer weights are equivalent to repeated rows.
        coef_init : array-like of shape (2 * n_features,) or \
                (n_targets, 2 * n_features), default=None
            Initial coefficients in the data's units, in ``coef_`` order. Default:
            zeros, or the previous fit's with ``warm_start=True``.
        intercept_init : float or array-like of shape (n_targets,), default=None
            Initial intercept. Default: zero, or the previous fit's with
            ``warm_start=True``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        with _restore_on_failure(self):
            start = self._previous_model(coef_init, intercept_init)
            if _is_dask(X) or _is_dask(y) or _is_dask(sample_weight):
                from ._dask import dask_statistics

                data = dask_statistics(self, X, y, sample_weight)
            else:
                data = self._statistics(X, y, sample_weight, reset=True)
            return self._fit_statistics(data, start)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Add a chunk of data and descend on everything seen so far.

        The chunk's statistics are merged into the model's (the reference
        location and scale are frozen at the first chunk), then gradient descent
        runs from the current parameters on the statistics of all the data seen,
        with the same stopping rule as :meth:`fit`. After the last chunk the model
        equals :meth:`fit` on the whole data set, once converged. Calling
        :meth:`fit` starts afresh; ``partial_fit`` after :meth:`fit` continues
        with the data seen by :meth:`fit` (after a fit by ``solver="direct"``,
        which keeps no statistics, it starts a new stream from the fitted
        parameters). ``partial_fit`` always uses the statistics solver.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the chunk's samples.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True: a validation "
                "split needs the whole data. Set early_stopping=False, or use fit."
            )
        with _restore_on_failure(self):
            if not hasattr(self, "coef_"):
                data = self._statistics(
                    X, y, sample_weight, reset=True, solver="statistics"
                )
                return self._fit_statistics(data, None)
            X, y = validate_data(
                self,
                X,
                y,
                reset=False,
                dtype=[np.float64, np.float32],
                y_numeric=True,
                multi_output=True,
            )
            Y = y.reshape(y.shape[0], -1)
            n_targets = self._quad.shape[1]
            if y.ndim != self._y_ndim or Y.shape[1] != n_targets:
                raise ValueError(
                    f"y has {Y.shape[1]} target(s) and {y.ndim} dimension(s), but "
                    f"the model was fitted with {n_targets} target(s) and "
                    f"{self._y_ndim} dimension(s). Every chunk must have the same "
                    "targets."
                )
            sample_weight = self._check_weights(sample_weight, X)
            if hasattr(self, "_stats"):
                chunk = accumulate_near(X, Y, sample_weight, self._stats.reference)
                seen = self._stats.merge(chunk)
            else:
                # After a fit by the direct solver, which keeps no statistics: a
                # new stream, starting from the fitted parameters.
                reference = reference_from(X, Y, sample_weight)
                seen = accumulate(X, Y, sample_weight, reference)
            data = _FitData(seen, None, y.ndim, X, y, sample_weight)
            return self._fit_statistics(data, self._current_model())

    # -- the stages of a fit ------------------------------------------------------

    def _check_weights(self, sample_weight, X):
        if sample_weight is None:
            return None
        try:
            return _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        except ValueError as exc:
            if "non-zero" not in str(exc):
                raise
            raise ValueError(
                f"{exc} Every sample has weight 0: pass at least one positive "
                "sample_weight."
            ) from None

    def _statistics(self, X, y, sample_weight, reset, solver=None):
        """Validate in-memory data and gather its statistics in one pass."""
        # Finiteness is checked while the statistics are gathered, which reads
        # the data anyway: separate passes over X and y would cost a fifth of
        # the fit. y is therefore validated here rather than by validate_data.
        X = validate_data(
            self,
            X,
            reset=reset,
            dtype=[np.float64, np.float32],
            ensure_all_finite=False,
        )
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = check_array(
            y,
            ensure_2d=False,
            dtype=[np.float64, np.float32],
            ensure_all_finite=False,
            input_name="y",
            estimator=self,
        )
        check_consistent_length(X, y)
        Y = y.reshape(y.shape[0], -1)
        sample_weight = self._check_weights(sample_weight, X)
        mask = self._validation_mask(X.shape[0], sample_weight)
        if (solver or self._choose_solver(*X.shape, Y.shape[1])) == "direct":
            self._check_finite(X, y)
            reference = reference_from(X, Y, sample_weight)
            train = feature_moments(X, Y, sample_weight, reference, mask)
            return _FitData(train, mask, y.ndim, X, y, sample_weight, Y)
        try:
            if mask is None:
                train, held_out = gather(X, Y, sample_weight), None
            else:
                train, held_out = gather(X, Y, sample_weight, mask=mask)
        except NonFiniteError:
            self._check_finite(X, y)
            raise
        return _FitData(train, held_out, y.ndim, X, y, sample_weight)

    def _check_finite(self, X, y):
        """scikit-learn's own errors for NaN or infinity in X or y, with advice."""
        check_array(X, dtype=None, input_name="X", estimator=self)
        check_array(y, dtype=None, ensure_2d=False, input_name="y", estimator=self)

    def _choose_solver(self, n_samples, n_features, n_targets):
        if self.solver != "auto":
            return self.solver
        # Rough operation counts: forming the statistics and diagonalising their
        # Hessian, against reading the expanded data for a typical run of epochs.
        m, q = 2 * n_features + n_targets, 2 * n_features + 1
        statistics = n_samples * m * m + 10 * q**3
        epochs = min(self.max_iter, 100) + 30
        direct = epochs * n_samples * q * (4 * n_targets + 10)
        return "statistics" if statistics <= direct else "direct"

    def _fit_statistics(self, data, start):
        """Gradient descent on gathered statistics; record the public attributes."""
        train = data.train
        if train.weight <= 0:
            raise ValueError(
                "Sample weights must contain at least one non-zero number. Every "
                "sample has weight 0: pass at least one positive sample_weight."
            )
        direct = isinstance(train, FeatureMoments)
        if direct:
            basis = standard_basis(train)
        else:
            basis = StandardBasis.from_statistics(train)
        problem = _DescentProblem(basis, self.standardize, self.alpha)
        theta0 = problem.from_standard(
            self._initial_parameters(basis, start, train.n_features, train.n_targets)
        )
        loss_unit = float(train.reference.y_scale[0]) ** 2
        result, objective = self._descend(data, problem, theta0, loss_unit)
        if result.diverged_at is not None:
            raise DivergenceError(self._divergence_message(result, loss_unit))

        single = data.y_ndim == 1

        def public(theta):
            """coef_, intercept_ and the centered form of descent parameters."""
            theta_std = problem.to_standard(theta)
            coef, intercept = basis.data_units(theta_std)
            form = basis.centered_form(theta_std)
            if single:
                return coef[0], float(intercept[0]), form
            return coef, intercept, form

        context = self._callback_context(data)
        if context is not None:
            result = self._run_epoch_callbacks(context, result, public, data, basis)
        warn = result.stop_reason == "max_iter" and self.tol is not None
        if warn and np.isnan(result.max_stable_learning_rate):
            # The direct solver knows the curvature only if "auto" asked for it;
            # the warning's advice needs it.
            result.max_stable_learning_rate = 1.0 / objective.largest_eigenvalue()
        coef, intercept, (A, B, C0) = public(result.theta)
        with np.errstate(over="ignore"):
            loss_curve = result.loss_curve * loss_unit
            val_curve = (
                np.empty(0)
                if result.validation_loss_curve is None
                else result.validation_loss_curve * loss_unit
            )
        _check_finite(
            (A, B, C0, coef, intercept, loss_curve, val_curve),
            "The fitted coefficients or the loss are not representable in float64 "
            "in the data's units (the features or targets span too many orders of "
            "magnitude). Rescale X or y, for example with StandardScaler or by a "
            "power of ten, and fit again.",
        )

        self.coef_ = coef
        self.intercept_ = intercept
        self.loss_curve_ = loss_curve.tolist()
        self.validation_loss_curve_ = val_curve.tolist()
        self.n_iter_ = int(result.n_iter)
        self.best_iter_ = int(result.best_iter)
        self.stop_reason_ = result.stop_reason
        self.learning_rate_ = float(result.learning_rate)
        self._x_center, self._quad, self._lin, self._const = basis.x_mean, A, B, C0
        self.solver_ = "direct" if isinstance(train, FeatureMoments) else "statistics"
        if self.solver_ == "direct":
            # partial_fit continues from statistics, which this solver never forms.
            self.__dict__.pop("_stats", None)
        else:
            self._stats = train
        self._y_ndim = data.y_ndim
        if self.record_path:
            path = [public(theta)[:2] for theta in result.path]
            self.coef_path_ = np.asarray([c for c, _ in path])
            self.intercept_path_ = np.asarray([i for _, i in path])
        elif hasattr(self, "coef_path_"):
            del self.coef_path_, self.intercept_path_

        if context is not None:
            context.call_on_fit_task_end(
                estimator=self, X=data.X, y=data.y, metadata=_metadata(data)
            )
        if self.verbose:
            print(f"Stopped after {self.n_iter_} epochs: {self.stop_reason_}.")
        if warn:
            warnings.warn(
                self._convergence_message(result), ConvergenceWarning, stacklevel=4
            )
        return self

    # -- fit helpers ------------------------------------------------------------

    def _descend(self, data, problem, theta0, loss_unit):
        """Run the epochs with the solver the data was gathered for.

        Returns the optimizer's result and the objective it descended on.
        """
        train = data.train
        p = train.n_features
        # Weighted variance of the targets (y_ref units): the loss's natural scale,
        # below a tiny fraction of which changes are rounding, not progress.
        if isinstance(train, FeatureMoments):
            spread = train.squares[2 * p :]
        else:
            spread = np.diag(train.comoment)[2 * p :]
        total_variance = float(spread.sum() / train.weight)

        def resolution(initial_loss):
            return _LOSS_RESOLUTION * max(total_variance, initial_loss)

        options = {
            "learning_rate": self.learning_rate,
            "max_iter": self.max_iter,
            "tol": self.tol,
            "n_iter_no_change": self.n_iter_no_change,
            "record_path": self.record_path or self._has_callbacks(),
            "report": self._reporter(loss_unit) if self.verbose else None,
        }
        if isinstance(train, FeatureMoments):
            objective = DirectObjective(
                data.X,
                data.Y,
                data.sample_weight,
                data.held_out,
                problem.basis,
                self.standardize,
                self.alpha,
            )
            loss0, _, val0 = objective.evaluate(theta0)
            result = descend_direct(
                objective,
                theta0,
                loss_floor=resolution(loss0),
                validation_floor=0.0 if val0 is None else resolution(val0),
                **options,
            )
            return result, objective
        objective = problem.quadratic(train)
        validation, val_floor = None, 0.0
        if data.held_out is not None:
            validation = problem.quadratic(data.held_out)
            val_floor = resolution(validation.value(theta0))
        try:
            result = descend(
                objective,
                theta0,
                loss_floor=resolution(objective.value(theta0)),
                validation=validation,
                validation_floor=val_floor,
                **options,
            )
        except OutOfRangeError as exc:
            raise ValueError(
                f"Gradient descent cannot run on these data: {exc}, in the basis it "
                "runs on. "
                + (
                    "With standardize=False the parameters are those of the raw "
                    "[x**2, x, 1], which features of very small or very large "
                    "scale make huge. Use standardize=True (the default), or "
                    "rescale X or y."
                    if not self.standardize
                    else "Rescale X or y, for example with StandardScaler."
                )
            ) from None
        return result, objective

    def _has_callbacks(self):
        return CallbackSupportMixin is not None and bool(
            getattr(self, "_skl_callbacks", None)
            or hasattr(self, "_parent_callback_ctx")
        )

    def _callback_context(self, data):
        """The root callback context, or None without callbacks to serve."""
        if CallbackSupportMixin is None:
            return None
        context = self._init_callback_context(task_name="fit", max_subtasks=None)
        context.call_on_fit_task_begin(
            estimator=self, X=data.X, y=data.y, metadata=_metadata(data)
        )
        return context

    def _run_epoch_callbacks(self, context, result, public, data, basis):
        """One callback task per epoch; a callback may ask to stop early."""
        if not getattr(context, "_callbacks", None):
            return result
        metadata = _metadata(data)

        def fitted_attributes(k):
            coef, intercept, (A, B, C0) = public(result.parameters_at(k))
            return {
                "coef_": coef,
                "intercept_": intercept,
                "n_iter_": k,
                "_x_center": basis.x_mean,
                "_quad": A,
                "_lin": B,
                "_const": C0,
            }

        for k in range(result.n_iter):
            epoch = context.subcontext(task_name="epoch")
            epoch.call_on_fit_task_begin(
                estimator=self, X=data.X, y=data.y, metadata=metadata
            )
            stop = epoch.call_on_fit_task_end(
                estimator=self,
                X=data.X,
                y=data.y,
                metadata=metadata,
                reconstruction_attributes=lambda k=k: fitted_attributes(k + 1),
            )
            if stop and k + 1 < result.n_iter:
                return result.truncated(k + 1, "callback")
        return result

    def _previous_model(self, coef_init, intercept_init):
        """The model to start from: explicit inits, a warm start, or None."""
        if coef_init is not None or intercept_init is not None:
            return ("init", coef_init, intercept_init)
        if self.warm_start and hasattr(self, "_quad"):
            return self._current_model()
        return None

    def _current_model(self):
        return ("warm", self._x_center, self._quad, self._lin, self._const)

    def _initial_parameters(self, basis, previous, n_features, n_targets):
        """Initial parameters in the standardized basis (full layout)."""
        zeros_coef = np.zeros((n_targets, 2 * n_features))
        zeros_intercept = np.zeros(n_targets)
        if previous is None:
            return basis.from_data_units(zeros_coef, zeros_intercept)
        if previous[0] == "warm":
            center, A, B, C0 = previous[1:]
            if A.shape != (n_features, n_targets):
                raise ValueError(
                    f"warm_start=True but the previous fit had {A.shape[0]} "
                    f"feature(s) and {A.shape[1]} target(s), this one has "
                    f"{n_features} and {n_targets}. Set warm_start=False to "
                    "start afresh."
                )
            return basis.from_centered(center, A, B, C0)
        coef = (
            zeros_coef
            if previous[1] is None
            else _as_init(
                previous[1], "coef_init", (n_targets, 2 * n_features), n_features
            )
        )
        intercept = (
            zeros_intercept
            if previous[2] is None
            else _as_init(previous[2], "intercept_init", (n_targets,), n_features)
        )
        return basis.from_data_units(coef, intercept)

    def _validation_mask(self, n_samples, sample_weight):
        if not self.early_stopping:
            return None
        n_val = math.ceil(self.validation_fraction * n_samples)
        if n_val < 2 or n_samples - n_val < 1:
            raise ValueError(
                f"The validation set is too small: validation_fraction="
                f"{self.validation_fraction} of n_samples={n_samples} leaves "
                f"{n_val} sample(s) for validation and {n_samples - n_val} for "
                "training. Increase validation_fraction or the size of the data, "
                "or set early_stopping=False."
            )
        rng = check_random_state(self.random_state)
        mask = np.zeros(n_samples, dtype=bool)
        mask[rng.permutation(n_samples)[:n_val]] = True
        if sample_weight is not None:
            for name, rows in (("validation", mask), ("training", ~mask)):
                if not sample_weight[rows].any():
                    raise ValueError(
                        f"The sample weights of the {name} split are all zero. "
                        "Use another random_state or validation_fraction."
                    )
        return mask

    def _reporter(self, loss_unit):
        every = 1 if self.verbose is True else int(self.verbose)

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

    def _divergence_message(self, result, loss_unit):
        k = result.diverged_at
        before = result.loss_curve[k - 1] * loss_unit
        after = result.loss_curve[k] * loss_unit
        safe = 0.5 * result.max_stable_learning_rate
        text = (
            f"Gradient descent diverged: with learning_rate={self.learning_rate!r} "
            f"the training loss rose from {before:.6g} at epoch {k} to {after:.6g} "
            f"at epoch {k + 1}. Steps of {result.max_stable_learning_rate:.6g} or "
            f"more cannot converge on this data; use learning_rate={safe:.6g} (or "
            "smaller), or learning_rate='auto', which picks that safe value."
        )
        if not self.standardize:
            text += " With standardize=True one learning rate suits any data scale."
        return text

    def _convergence_message(self, result):
        curve = result.loss_curve
        if curve.shape[0] >= 2 and curve[-2] > 0:
            change = (curve[-2] - curve[-1]) / curve[-2]
        else:
            change = 0.0
        text = (
            f"QuadraticGDRegressor did not converge: max_iter={self.max_iter} "
            f"epochs ran and the last relative change of the training loss was "
            f"{change:.3g} (tol={self.tol}). "
        )
        auto = 0.5 * result.max_stable_learning_rate
        if result.slowest_rate < 0:
            text += (
                "The loss oscillates: the learning rate is close to its stability "
                f"limit. Lower learning_rate (learning_rate='auto' uses {auto:.3g})."
            )
        elif self.learning_rate != "auto" and result.learning_rate < 0.5 * auto:
            text += (
                f"learning_rate={self.learning_rate!r} is small for this data: raise "
                f"it (learning_rate='auto' uses {auto:.3g}) or increase max_iter."
            )
        elif not self.standardize:
            text += (
                "The raw features [x**2, x] are badly conditioned for gradient "
                "descent: set standardize=True, or increase max_iter."
            )
        else:
            text += "Increase max_iter, or raise tol."
        return text

    # -- predict and readable terms -------------------------------------------

    def predict(self, X):
        """Predict with the fitted quadratic model.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values; a lazy Dask array for Dask input.
        """
        check_is_fitted(self)
        if _is_dask(X):
            from ._dask import dask_predict

            return dask_predict(self, X)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        y = centered_predict(X, self._x_center, self._quad, self._lin, self._const)
        return y[:, 0] if np.ndim(self.intercept_) == 0 else y

    def get_term_names(self):
        """Names of the coefficients, in ``coef_`` order.

        Returns
        -------
        names : ndarray of str objects of shape (2 * `n_features_in_`,)
            ``"<feature>^2"`` for the quadratic terms, then ``"<feature>"`` for
            the linear ones; features are named after the DataFrame columns seen
            in :meth:`fit`, else ``x0, x1, ...``.
        """
        check_is_fitted(self)
        return term_names(self._feature_names())

    def equation(self, precision=6):
        """The fitted model as text, for example ``y = 10*x0^2 + 5*x0 + 12``.

        Parameters
        ----------
        precision : int, default=6
            Significant digits of each coefficient, at least 1.

        Returns
        -------
        equation : str
            One line per target (``y0 = ...``, ``y1 = ...`` for several).
        """
        check_is_fitted(self)
        if (
            isinstance(precision, bool)
            or not isinstance(precision, Integral)
            or precision < 1
        ):
            raise ValueError(
                f"precision must be an integer >= 1 (significant digits), got "
                f"{precision!r}."
            )
        names = self._feature_names()
        if np.ndim(self.intercept_) == 0:
            return format_equation(self.coef_, self.intercept_, names, "y", precision)
        return "\n".join(
            format_equation(c, i, names, f"y{t}", precision)
            for t, (c, i) in enumerate(zip(self.coef_, self.intercept_))
        )

    def to_polynomials(self):
        """One :class:`numpy.polynomial.Polynomial` per feature.

        The intercept is placed in the first feature's polynomial, so that
        ``sum(P[j](X[:, j]) for j)`` equals :meth:`predict`; with one feature,
        ``P[0]`` is the whole model (coefficients lowest power first: c, b, a).

        Returns
        -------
        polynomials : list of Polynomial
            One polynomial per feature; for multi-output models, one such list
            per target.
        """
        check_is_fitted(self)
        p = self.n_features_in_
        coef = np.atleast_2d(self.coef_)
        intercept = np.atleast_1d(self.intercept_)
        per_target = [
            [
                Polynomial([intercept[t] if j == 0 else 0.0, c[p + j], c[j]])
                for j in range(p)
            ]
            for t, c in enumerate(coef)
        ]
        return per_target[0] if np.ndim(self.intercept_) == 0 else per_target

    def get_history(self):
        """The training history as a pandas DataFrame, one row per epoch.

        Returns
        -------
        history : pandas.DataFrame
            Columns ``epoch`` (1 to ``n_iter_``), ``loss`` (``loss_curve_``),
            ``validation_loss`` with ``early_stopping=True``, and, when fitted with
            ``record_path=True``, one column per coefficient (named as in
            :meth:`get_term_names`) and ``intercept``: the parameters at which that
            epoch's loss was measured, before its update. Multi-output models
            suffix each parameter column with ``[y<t>]``.
        """
        import pandas as pd

        check_is_fitted(self)
        history = {
            "epoch": np.arange(1, self.n_iter_ + 1),
            "loss": self.loss_curve_,
        }
        if self.validation_loss_curve_:
            history["validation_loss"] = self.validation_loss_curve_
        if hasattr(self, "coef_path_"):
            names = [*self.get_term_names(), "intercept"]
            coefs = self.coef_path_[: self.n_iter_]
            intercepts = self.intercept_path_[: self.n_iter_]
            if np.ndim(self.intercept_) == 0:
                values = np.column_stack([coefs, intercepts])
                history.update(zip(names, values.T))
            else:
                for t in range(intercepts.shape[1]):
                    values = np.column_stack([coefs[:, t], intercepts[:, t]])
                    history.update(
                        (f"{name}[y{t}]", column)
                        for name, column in zip(names, values.T)
                    )
        return pd.DataFrame(history)

    def _feature_names(self):
        if hasattr(self, "feature_names_in_"):
            return list(self.feature_names_in_)
        return [f"x{j}" for j in range(self.n_features_in_)]


class _FitData(NamedTuple):
    """Statistics of a fit: training, held-out (or None), and y's dimension."""

    train: QuadraticStatistics
    held_out: QuadraticStatistics | None
    y_ndim: int
    # The validated data, handed to callbacks (which may score on it).
    X: object = None
    y: object = None
    sample_weight: object = None
    # Two-dimensional targets, for the direct solver's passes over the data.
    Y: object = None


@contextmanager
def _restore_on_failure(estimator):
    """A failed fit leaves a previously fitted model usable and unchanged."""
    saved = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(saved)
        raise


def _metadata(data):
    return None if data.sample_weight is None else {"sample_weight": data.sample_weight}


def _is_dask(obj):
    # Checked by module name so that dask is never imported for in-memory data.
    return type(obj).__module__.split(".")[0] in ("dask", "dask_expr")


class _DescentProblem:
    """The basis gradient descent runs on, and the objective in it.

    ``standardize=True``: the standardized basis itself. ``False``: the raw
    ``[x**2, x, 1]``, reached by the change of basis ``T``. Inactive columns
    (constant features) are left out; their coefficients are 0.
    """

    def __init__(self, basis, standardize, alpha):
        self.basis = basis
        self.active = basis.active
        self.alpha = float(alpha)
        if standardize:
            self.T = np.eye(int(self.active.sum()))
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                T = basis.raw_transform()[np.ix_(self.active, self.active)]
            if not np.all(np.isfinite(T)):
                raise ValueError(
                    "standardize=False cannot be used on these features: their "
                    "squares overflow float64. Use standardize=True (the default), "
                    "which descends on standardized features."
                )
            self.T = T
        self.mask = np.ones(self.T.shape[0])
        self.mask[-1] = 0.0

    def quadratic(self, stats):
        """The objective on some statistics, as a Quadratic in the descent basis."""
        moments = self.basis.moments(stats)
        a = self.active
        moments.mean_phi = moments.mean_phi[a]
        moments.cov_phi = moments.cov_phi[np.ix_(a, a)]
        moments.cov_phi_y = moments.cov_phi_y[a]
        with np.errstate(over="ignore", invalid="ignore"):
            G, h = moments.transformed(self.T).gram()
            hessian = G + self.alpha * np.diag(self.mask)
            finite = np.all(np.isfinite(hessian)) and np.all(np.isfinite(h))
        if not finite:
            raise ValueError(
                "standardize=False cannot be used on these features: the moments "
                "of x**2 overflow float64. Use standardize=True (the default)."
            )
        T, alpha, mask = self.T, self.alpha, self.mask

        def value(theta):
            # The MSE is evaluated in the standardized basis, where it is well
            # conditioned; the penalty on the descent basis's coefficients.
            value = _objective(T.T @ theta, moments, 0.0, mask)
            if alpha:
                # Only when penalised: unpenalised raw-unit parameters can be
                # far too large to square (features of tiny scale).
                value += alpha * float(((theta * mask[:, None]) ** 2).sum())
            return value

        return Quadratic(hessian, h, value)

    def from_standard(self, theta_std):
        """Full-layout standardized parameters -> descent basis (active only)."""
        try:
            return np.linalg.solve(self.T.T, theta_std[self.active])
        except np.linalg.LinAlgError:
            raise ValueError(
                "standardize=False cannot be used on these features: the map "
                "between standardized and raw [x**2, x, 1] is singular in float64 "
                "(features of extreme scale). Use standardize=True (the default), "
                "or rescale X."
            ) from None

    def to_standard(self, theta):
        """Descent basis -> full-layout standardized parameters."""
        full = np.zeros((self.active.shape[0], theta.shape[1]))
        full[self.active] = self.T.T @ theta
        return full


def _as_init(value, name, shape, n_features):
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


def _check_finite(arrays, message):
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ValueError(message)
