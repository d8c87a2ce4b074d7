# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""QuadraticGDRegressor: parameters, tags, and fit / predict as a thin shell.

A fit flows one way: validate (``_validation``, initial values included, before
the data is read) -> gather statistics (``_statistics``, or ``_dask``) -> solve
(``_solve``: basis, objective, optimizer) -> record the outcome here. This
module holds no math of its own.
"""

import functools
import warnings
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._messages import (
    CallbackSupportMixin,
    begin_fit,
    collinear_message,
    counted,
    end_fit,
    has_callbacks,
    replay_epochs,
)
from ._outputs import ReadableTermsMixin
from ._solve import (
    CollinearityWarning,
    FitSettings,
    awaiting_weight,
    blas_threads_for,
    solve,
)
from ._solvers import SOLVERS
from ._statistics import gather_fit_statistics, gather_more
from ._summary import SummaryMixin
from ._validation import (
    KnownParametersMixin,
    check_dask_fit,
    check_fit_settings,
    is_dask,
    starting_point,
    validate_features,
    validate_fit_input,
)

# Where the documentation is published.
DOCS_URL = "https://sklearn-quadneuron.readthedocs.io/en/latest/"


# RegressorMixin must come before BaseEstimator: with BaseEstimator first,
# scikit-learn >= 1.6 silently drops the regressor tags and skips the regressor
# checks. The callback mixin, when scikit-learn has it, goes first of all.
_BASES = (
    RegressorMixin,
    ReadableTermsMixin,
    SummaryMixin,
    KnownParametersMixin,
    BaseEstimator,
)
if CallbackSupportMixin is not None:
    _BASES = (CallbackSupportMixin, *_BASES)


class QuadraticGDRegressor(*_BASES):
    """A quadratic neuron trained by gradient descent.

    Fits ``y_hat = intercept + sum_j (a_j * x_j**2 + b_j * x_j)`` by minimising
    the mean squared error with gradient descent, using the analytic gradients of
    the article "The 'hello, world' of Deep Learning". With one feature this is
    the article's neuron ``a*x**2 + b*x + c``.

    The model is additive (``PolynomialFeatures(degree=2)`` without cross
    terms), with named, ordered coefficients (:meth:`get_term_names`,
    :meth:`equation`, :meth:`to_polynomials`).

    The article's gradient descent, or as in
    :class:`~sklearn.neural_network.MLPRegressor` momentum, Nesterov's momentum
    or Adam, also on mini-batches. Read more in the User Guide.

    Parameters
    ----------
    solver : {"gd", "momentum", "nesterov", "adam", "newton-cholesky"}, \
            default="gd"
        The optimizer, with ``MLPRegressor``'s update rules: plain gradient
        descent (the article's), the heavy ball, Nesterov's accelerated
        gradient (``MLPRegressor``'s ``"sgd"`` without and with
        ``nesterovs_momentum``), or Adam. ``"newton-cholesky"`` (the name of
        scikit-learn's GLMs) takes one Newton step, a triangular solve on the
        statistics: the exact minimum (``n_iter_ == 1``); like
        ``MLPRegressor``'s ``"lbfgs"`` it ignores the parameters of epochs, and
        it needs ``precompute`` "auto" or True. With every solver, terms
        aliased in the data (R's ``lm``) get 0 and a
        :class:`CollinearityWarning`.

    learning_rate : float or "auto", default="auto"
        Step size. ``"auto"`` tunes it to the curvature of the loss (with
        ``momentum="auto"``, the fastest constants for a quadratic): ``1 / L``
        for ``"gd"``, ``L`` the largest eigenvalue of the Hessian; for
        ``"adam"``, 0.001 times the standard deviation of y; with
        ``batch_size``, the largest step such batches take safely. Too large a
        value raises :class:`DivergenceError`. ``learning_rate_`` records it.

    momentum : float or "auto", default="auto"
        Momentum of ``"momentum"`` and ``"nesterov"``, in `[0, 1)`; the other
        solvers ignore it. ``"auto"`` tunes it with the learning rate to the
        loss's curvature (Polyak's and Nesterov's constants); 0.9, as
        ``MLPRegressor``, with ``batch_size``. ``momentum_`` records it.

    beta_1 : float, default=0.9
        Adam's decay rate of the first moment of the gradient, in `[0, 1)`.

    beta_2 : float, default=0.999
        Adam's decay rate of the second moment of the gradient, in `[0, 1)`.

    epsilon : float, default=1e-8
        Adam's term for numerical stability, > 0.

    batch_size : int or None, default=None
        ``None``: full batch, the article's. An integer: one update per batch
        of that many training samples, each epoch a pass over the data (not
        with ``precompute=True``, :meth:`partial_fit` or Dask input).

    max_iter : int, default=1000
        Maximum number of epochs, in `[1, inf)`.

    tol : float or None, default=1e-6
        Training stops as converged (``stop_reason_ == "tol"``) only when
        ``loss - min_loss <= tol * min_loss`` is certified (read from the
        statistics' triangular factor; bounded from the gradient on the data
        alone), rounding included. Otherwise a :class:`ConvergenceWarning` says
        how far from the minimum the fit is and what to do. With
        ``early_stopping=True``, the relative tolerance of the validation loss.
        ``None`` runs exactly ``max_iter`` epochs and never warns.

    n_iter_no_change : int, default=5
        Epochs in a row without progress that stop training: of the
        validation loss with ``early_stopping=True``; else, where epochs read
        the data, of the training loss (``stop_reason_ == "stalled"``).

    alpha : float, default=0.0
        L2 penalty ``alpha * ||coef||^2`` on the coefficients of the features
        the descent runs on (standardized ones with ``standardize=True``), never
        the intercept.

    standardize : bool, default=True
        Descend on standardized features, so that one learning rate suits any
        scale and offset (``coef_`` is in the data's units either way).
        ``False`` descends on the raw ``[x**2, x, 1]``, as the article does.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the samples, stop when their loss
        has not improved for ``n_iter_no_change`` epochs, and keep the best
        epoch's parameters.

    validation_fraction : float, default=0.1
        Proportion of samples held out with ``early_stopping``, in `(0, 1)`.

    shuffle : bool, default=True
        With ``batch_size``: a new order of the samples every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the validation split and, with ``batch_size`` and ``shuffle``,
        the order of the samples. Nothing else is random.

    warm_start : bool, default=False
        Start from the previous fit's parameters instead of zero.

    verbose : int, default=0
        Print the loss: ``1`` every epoch, ``k > 1`` every k epochs.

    record_path : bool, default=False
        Keep the parameters of every epoch in ``coef_path_`` and
        ``intercept_path_``.

    precompute : "auto" or bool, default="auto"
        Whether epochs run on statistics gathered in one pass (``True``, as
        :class:`~sklearn.linear_model.Lasso` names it), ``(2p + k + 1)**2``
        numbers for p features and k targets, after which epochs cost nothing;
        ``False`` reads the data every epoch. Both follow the same trajectory.
        ``"auto"``: ``True`` up to 1447 features (512 MiB) and for at least
        ``2p + 1`` samples. :meth:`partial_fit` and Dask input always use them.

    Attributes
    ----------
    coef_ : ndarray of shape (2 * n_features,) or (n_targets, 2 * n_features)
        Coefficients in the data's units: ``coef_[:n_features]`` multiply
        ``x_j**2`` (the a's), ``coef_[n_features:]`` multiply ``x_j`` (the b's).
        For one feature this reads ``[a, b]``, the order of ``numpy.polyfit``.

    intercept_ : float or ndarray of shape (n_targets,)
        The constant term c.

    loss_curve_ : list of float
        Training loss before each epoch's update, as in the article: weighted
        mean squared error in y's units squared (summed over targets), plus the
        penalty. ``"newton-cholesky"``: before and after its one step.

    validation_loss_curve_ : list of float
        The same on the held-out samples; empty unless ``early_stopping``.

    n_iter_ : int
        Number of epochs run by the last call to :meth:`fit`.

    best_iter_ : int
        Number of updates behind the parameters kept: the best epoch with
        ``early_stopping``; ``n_iter_ - 1`` when stopped on ``tol`` (the
        parameters certified, whose loss is ``loss_curve_[-1]``); else
        ``n_iter_``.

    stop_reason_ : str
        Why training stopped: ``"tol"`` (certified within ``tol`` of the
        minimum), ``"early_stopping"`` (the validation loss stopped improving),
        ``"max_iter"`` or ``"stalled"`` (not certified: both warn),
        ``"callback"`` (a callback asked to stop), or ``"no_weight"``
        (:meth:`partial_fit` has seen only samples of weight 0: the model is
        zeros until a chunk carries weight).

    learning_rate_ : float
        The step size used (``"auto"`` resolved); 1.0 for a Newton step.

    momentum_ : float or None
        The momentum used (``"auto"`` resolved); 0.0 for ``"gd"``, None for
        solvers without one.

    solver_ : str
        The optimizer used.

    precompute_ : bool
        Whether the epochs ran on the precomputed statistics (``precompute``
        resolved; False for mini-batches, which read the data).

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
    The gradients are the analytic ones of the weighted mean squared error; the
    intercept's is the exact derivative, ``2 * mean(r)``, where the article's
    code uses half of it. The model is linear in its parameters: the gradient
    is ``2 (G theta - h)`` over the expanded features, so the data is needed
    once (see the User Guide).

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

    # The "?" of the HTML representation links to the class's generated API page.
    _doc_link_module = "sklearn_quadneuron"
    _doc_link_template = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"

    _parameter_constraints: dict = {
        "solver": [StrOptions(set(SOLVERS))],
        "learning_rate": [
            Interval(Real, 0, None, closed="neither"),
            StrOptions({"auto"}),
        ],
        "momentum": [Interval(Real, 0, 1, closed="left"), StrOptions({"auto"})],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "standardize": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "record_path": ["boolean"],
        "precompute": [StrOptions({"auto"}), "boolean"],
    }

    def __init__(
        self,
        *,
        solver="gd",
        learning_rate="auto",
        momentum="auto",
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        batch_size=None,
        max_iter=1000,
        tol=1e-6,
        n_iter_no_change=5,
        alpha=0.0,
        standardize=True,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        warm_start=False,
        verbose=0,
        record_path=False,
        precompute="auto",
    ):
        self.solver = solver
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.alpha = alpha
        self.standardize = standardize
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.record_path = record_path
        self.precompute = precompute

    @classmethod
    @functools.cache
    def _get_param_names(cls):
        # get_params runs twice a fit, each reading __init__'s signature anew:
        # a tenth of a small fit. The signature of a class does not change.
        return tuple(super()._get_param_names())

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
            Training data; Dask arrays and DataFrames too (the ``dask`` extra),
            reduced without bringing the data into memory.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights: integer weights are repeated rows.
        coef_init : array-like of shape (2 * n_features,) or \
                (n_targets, 2 * n_features), default=None
            Initial coefficients, in ``coef_``'s units and order. Default: zeros,
            or the previous fit's with ``warm_start=True``.
        intercept_init : float or array-like of shape (n_targets,), default=None
            Initial intercept, likewise.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        with _restore_on_failure(self):
            start = starting_point(self, coef_init, intercept_init)
            if is_dask(X) or is_dask(y) or is_dask(sample_weight):
                statistics, start = _gather_dask(self, X, y, sample_weight, start)
            else:
                precompute = check_fit_settings(self, "fit")
                # Finiteness is checked while the statistics are gathered: a
                # separate pass over the data would cost a fifth of the fit.
                data = _validate_input(
                    self, X, y, sample_weight, reset=True, check_finite=False,
                    start=start,
                )  # fmt: skip
                statistics = gather_fit_statistics(
                    data, precompute, type(self).__name__, self.tol, self.verbose
                )
                start = data.start
            return self._solve(statistics, start)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Add a chunk of data and descend on everything seen so far.

        The chunk's statistics are merged exactly into those of the chunks
        before it, and the solver descends from the current parameters: after
        the last chunk the model is :meth:`fit`'s on the whole data, once
        converged. After :meth:`fit`, it continues with the data fit saw (after
        ``precompute=False``, which keeps none, from the fitted parameters).

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
        check_fit_settings(self, "partial_fit")
        with _restore_on_failure(self):
            first = not hasattr(self, "coef_")
            fitted = None if first else (self._y_ndim, self._form.A.shape[1])
            data = _validate_input(
                self, X, y, sample_weight, reset=first, check_finite=not first,
                allow_all_zero=True, fitted_targets=fitted,
            )  # fmt: skip
            if first or self.stop_reason_ == "no_weight":
                w = data.sample_weight
                if w is not None and not np.any(w > 0):
                    outcome = awaiting_weight(data, self.solver, self.alpha)
                    self._record(outcome, data.X.dtype)
                    return self
                statistics = gather_fit_statistics(
                    data, True, type(self).__name__, self.tol, self.verbose
                )
                return self._solve(statistics, None)
            # After a fit that kept no statistics, a new stream from its model.
            seen, tally = (
                getattr(self, "_stats", None),
                getattr(self, "_observations", None),
            )
            return self._solve(gather_more(seen, tally, data, self.tol), self._form)

    # -- the stages of a fit ------------------------------------------------------

    def _solve(self, statistics, start):
        """Descend, let callbacks see the epochs, and record the fitted model."""
        settings = FitSettings.from_params(self.get_params(), has_callbacks(self))
        with blas_threads_for(statistics):
            solution = solve(statistics, start, settings)
            context = begin_fit(self, statistics.data)
            solution = replay_epochs(self, context, solution, statistics.data)
            outcome = solution.outcome()
        self._record(outcome, statistics.dtype)
        end_fit(self, context, statistics.data)
        _announce(self, outcome)
        return self

    def _record(self, fitted, dtype):
        """The fitted attributes, from a fit's outcome (and nothing of before):
        ``_form`` is what predict evaluates, ``_stats`` and ``_observations``
        what ``partial_fit`` continues from and ``summary`` infers from."""
        for name in ("_stats", "_observations", "coef_path_", "intercept_path_"):
            self.__dict__.pop(name, None)
        self.coef_, self.intercept_ = _in_dtype(fitted.coef, fitted.intercept, dtype)
        self.loss_curve_ = fitted.loss_curve.tolist()
        self.validation_loss_curve_ = fitted.validation_loss_curve.tolist()
        self.n_iter_, self.best_iter_ = fitted.n_iter, fitted.best_iter
        self.stop_reason_ = fitted.stop_reason
        self.learning_rate_, self.momentum_ = fitted.learning_rate, fitted.momentum
        self.solver_, self.precompute_ = fitted.solver, fitted.precompute
        # summary() reads the penalty fitted with, not today's get_params().
        self._fitted_alpha = fitted.alpha
        self._form, self._y_ndim = fitted.form, fitted.y_ndim
        self._feature_scales = fitted.feature_scales
        if fitted.statistics is not None:
            self._stats = fitted.statistics
            if fitted.observations is not None:
                self._observations = fitted.observations
        if fitted.coef_path is not None:
            self.coef_path_ = fitted.coef_path
            self.intercept_path_ = fitted.intercept_path

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
        single = np.ndim(self.intercept_) == 0
        if is_dask(X):
            return _predict_dask(self, X, single)
        X = validate_features(self, X, reset=False)[0]
        y = self._form.predict(X).astype(np.result_type(X.dtype, self.coef_.dtype))
        return y[:, 0] if single else y


def _validate_input(estimator, X, y, sample_weight, **options):
    """Validated in-memory input, and the features seen recorded where
    scikit-learn's ``validate_data`` did not record them."""
    data = validate_fit_input(estimator, X, y, sample_weight, **options)
    if data.unnamed_features is not None:
        estimator.__dict__.pop("feature_names_in_", None)
        estimator.n_features_in_ = data.unnamed_features
    return data


def _gather_dask(estimator, X, y, sample_weight, start):
    """Validate Dask input lazily, check the start, and reduce statistics.

    Sets what ``validate_data`` sets of in-memory input: the features seen.
    """
    from ._dask import dask_statistics, validate_dask_input

    check_fit_settings(estimator, "Dask input")
    data = validate_dask_input(X, y, sample_weight, type(estimator).__name__)
    split, start = check_dask_fit(estimator, data.n_features, data.n_targets, start)
    estimator.n_features_in_ = int(data.n_features)
    estimator.__dict__.pop("feature_names_in_", None)
    if data.feature_names is not None:
        estimator.feature_names_in_ = data.feature_names
    return dask_statistics(data, split, estimator.tol), start


def _in_dtype(coef, intercept, dtype):
    """``coef_`` and ``intercept_`` in the training data's floating dtype, as
    ``Ridge`` keeps them: float32 in, float32 out; computed in float64."""
    dtype = np.float32 if dtype == np.float32 else np.float64
    intercept = np.asarray(intercept, dtype)
    if not intercept.ndim:
        intercept = np.float32(intercept) if dtype == np.float32 else float(intercept)
    return np.asarray(coef, dtype), intercept


def _predict_dask(estimator, X, single):
    """Lazy predictions on Dask input, from what the fit recorded."""
    from ._dask import FittedModel, dask_predict

    names = getattr(estimator, "feature_names_in_", None)
    name = type(estimator).__name__
    model = FittedModel(estimator._form, estimator.n_features_in_, names, single, name)
    return dask_predict(model, X)


def _announce(estimator, outcome):
    """What a fit says once recorded: its stop when verbose, and its warnings."""
    if estimator.verbose:
        print(
            f"Stopped after {counted(outcome.n_iter, 'epoch')}: {outcome.stop_reason}."
        )
    if outcome.collinear is not None:
        names = [*estimator.get_term_names(), "intercept"]
        collinear = [name for name, c in zip(names, outcome.collinear) if c]
        # The stack: here, _solve, fit or partial_fit, scikit-learn's fit
        # context, and the caller's line.
        warnings.warn(collinear_message(collinear), CollinearityWarning, 5)
    if outcome.warning is not None:
        warnings.warn(outcome.warning, ConvergenceWarning, stacklevel=5)


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
