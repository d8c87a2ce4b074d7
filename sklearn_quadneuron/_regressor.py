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
from contextlib import contextmanager, nullcontext
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._callbacks import (
    CallbackSupportMixin,
    begin_fit,
    end_fit,
    has_callbacks,
    replay_epochs,
)
from ._linalg import one_blas_thread
from ._messages import collinear_message, counted
from ._outputs import ReadableTermsMixin
from ._solve import CollinearityWarning, FitSettings, awaiting_weight, solve
from ._solvers import SOLVERS
from ._statistics import gather_fit_statistics, gather_more
from ._summary import SummaryMixin
from ._validation import (
    FLOAT_DTYPES,
    InitialValues,
    check_dask_fit,
    check_fit_settings,
    check_start,
    check_targets,
    is_dask,
    validate_fit_input,
)

# Where the documentation is published.
DOCS_URL = "https://sklearn-quadneuron.readthedocs.io/en/latest/"

# RegressorMixin must come before BaseEstimator: with BaseEstimator first,
# scikit-learn >= 1.6 silently drops the regressor tags and skips the regressor
# checks. The callback mixin, when scikit-learn has it, goes first of all.
_BASES = (RegressorMixin, ReadableTermsMixin, SummaryMixin, BaseEstimator)
if CallbackSupportMixin is not None:
    _BASES = (CallbackSupportMixin, *_BASES)


class QuadraticGDRegressor(*_BASES):
    """A quadratic neuron trained by gradient descent.

    Fits ``y_hat = intercept + sum_j (a_j * x_j**2 + b_j * x_j)`` by minimising
    the mean squared error with gradient descent, using the analytic gradients of
    the article "The 'hello, world' of Deep Learning". With one feature this is
    the article's neuron ``a*x**2 + b*x + c``.

    The model is additive: powers of each feature, no cross terms. This is the
    ``PolynomialFeatures(degree=2)`` model without interactions that users of
    scikit-learn often ask for, with named, unambiguously ordered coefficients
    (:meth:`get_term_names`, :meth:`equation`, :meth:`to_polynomials`).

    The data is read once into the sufficient statistics of the loss, and every
    epoch runs on them, whatever the number of samples: the article's gradient
    descent, epoch by epoch, or as in :class:`~sklearn.neural_network.MLPRegressor`
    descent with momentum, Nesterov's momentum or Adam, also on mini-batches.

    Parameters
    ----------
    solver : {"gd", "momentum", "nesterov", "adam", "newton-cholesky"}, \
            default="gd"
        The optimizer, with ``MLPRegressor``'s update rules: plain gradient
        descent (the article's), the heavy ball's momentum, Nesterov's
        accelerated gradient (``MLPRegressor``'s ``"sgd"`` without and with
        ``nesterovs_momentum``), or Adam. ``"newton-cholesky"`` (the name of
        scikit-learn's GLMs) takes one Newton step on the statistics, which
        for this loss is the exact minimum (``n_iter_ == 1``), a triangular
        solve on the statistics. With every solver, terms aliased in the
        data (R's ``lm``) get 0 and a :class:`CollinearityWarning`. It
        ignores the parameters of epochs (``learning_rate``, ``momentum``,
        ``beta_1``, ``beta_2``, ``epsilon``, ``batch_size``, ``shuffle``,
        ``early_stopping``, ``n_iter_no_change``, ``max_iter``), as
        ``MLPRegressor``'s ``"lbfgs"`` ignores those of ``"sgd"``, and needs
        ``precompute`` "auto" or True. See the User Guide.

    learning_rate : float or "auto", default="auto"
        Step size. ``"auto"`` tunes it to the curvature of the loss, from the
        extreme eigenvalues of its Hessian (with ``momentum="auto"``, both are
        the fastest constants for a quadratic): ``1 / L`` for ``"gd"``, ``L``
        the largest; for ``"adam"``, 0.001 times the standard deviation of y
        (Adam steps in the parameters' units); with ``batch_size``, the largest
        step batches of that size take safely. Too large a value raises
        :class:`DivergenceError`. ``learning_rate_`` records the value.

    momentum : float or "auto", default="auto"
        Momentum of ``"momentum"`` and ``"nesterov"``, in `[0, 1)`; the other
        solvers ignore it. ``"auto"`` tunes it with the learning rate to the
        loss's curvature (Polyak's and Nesterov's constants), where
        ``MLPRegressor``'s fixed default 0.9 suits no data in particular; 0.9
        with ``batch_size``. ``momentum_`` records the value.

    beta_1 : float, default=0.9
        Adam's decay rate of the first moment of the gradient, in `[0, 1)`.

    beta_2 : float, default=0.999
        Adam's decay rate of the second moment of the gradient, in `[0, 1)`.

    epsilon : float, default=1e-8
        Adam's term for numerical stability, > 0.

    batch_size : int or None, default=None
        ``None``: full batch, the article's. An integer: mini-batch descent, one
        update per batch of that many training samples (their weighted mean
        gradient), each epoch a pass that reads the data: not with
        ``precompute=True``, :meth:`partial_fit` or Dask input. At least the
        number of training samples: full batch.

    max_iter : int, default=1000
        Maximum number of epochs (full passes of gradient descent). Values must be
        in the range `[1, inf)`.

    tol : float or None, default=1e-6
        Bound on the training loss's excess over its minimum, relative to that
        minimum: training stops as converged (``stop_reason_ == "tol"``) only
        when ``loss - min_loss <= tol * min_loss`` is certified (read from the
        triangular factor of the statistics; on the data alone, bounded from
        the gradient), or the excess is below what float64 resolves of an
        exact fit. Otherwise, or where rounding in the statistics may hide
        more than ``tol`` allows, a :class:`ConvergenceWarning` says how far
        from the minimum the fit is and what to do. With
        ``early_stopping=True``, the relative tolerance of the validation loss
        instead. ``None`` runs exactly ``max_iter`` epochs and
        never warns.

    n_iter_no_change : int, default=5
        With ``early_stopping=True``, the epochs in a row whose validation loss
        does not fall below ``best - tol * best`` that stop training; otherwise,
        when epochs read the data, those whose training loss falls by less than
        ``1e-12`` of itself (``stop_reason_ == "stalled"``, with a warning).

    alpha : float, default=0.0
        L2 penalty ``alpha * ||coef||^2`` added to the loss, on the coefficients
        of the features the descent runs on (standardized ones with
        ``standardize=True``, raw ``[x**2, x]`` otherwise), never the intercept.

    standardize : bool, default=True
        Descend on standardized features (each feature standardized, squared,
        and the square standardized), so that one learning rate suits any scale
        and offset; ``coef_`` is in the data's units either way. ``False``
        descends on the raw ``[x**2, x, 1]``, to reproduce the article.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the samples, record the loss on them
        every epoch (``validation_loss_curve_``), stop when it has not improved for
        ``n_iter_no_change`` epochs, and keep the parameters of the best epoch.

    validation_fraction : float, default=0.1
        Proportion of samples held out when ``early_stopping=True``. Values must
        be in the range `(0.0, 1.0)`.

    shuffle : bool, default=True
        With ``batch_size``: a new order of the samples every epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the validation split and, with ``batch_size`` and ``shuffle``,
        the order of the samples: epoch k's is the k-th ``permutation(n)`` of
        ``check_random_state(random_state)``, n the training samples of
        positive weight. Nothing else is random.

    warm_start : bool, default=False
        Start from the previous fit's parameters instead of zero.

    verbose : int, default=0
        Print the loss: ``1`` every epoch, ``k > 1`` every k epochs.

    record_path : bool, default=False
        Keep the parameters of every epoch in ``coef_path_`` and
        ``intercept_path_``.

    precompute : "auto" or bool, default="auto"
        Whether epochs run on statistics gathered in one pass (``True``; the
        name :class:`~sklearn.linear_model.Lasso` gives this choice), a Gram
        of ``(2p + k + 1)**2`` numbers for p features and k targets, after
        which epochs cost nothing; ``False`` reads the data every epoch and
        holds nothing larger than a chunk of it. Both follow the same
        trajectory. ``"auto"`` takes ``True`` whenever its matrices (about
        eight copies of the Gram) fit in 512 MiB, up to 1447 features with one
        target, and there are at least ``2p + 1`` samples. :meth:`partial_fit`
        and Dask input always use the statistics.

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
        over targets), plus the penalty. ``len(loss_curve_) == n_iter_``,
        except with ``"newton-cholesky"``: the loss before and after its one
        step (two entries).

    validation_loss_curve_ : list of float
        Same loss on the held-out samples, at the same parameters, one entry per
        epoch. Empty unless ``early_stopping=True``.

    n_iter_ : int
        Number of epochs run by the last call to :meth:`fit`.

    best_iter_ : int
        Number of updates behind the parameters kept: the epoch of lowest
        validation loss with ``early_stopping=True``; ``n_iter_ - 1`` when
        stopped on ``tol`` (the parameters the last epoch measured and
        certified, whose loss is ``loss_curve_[-1]``; the update it went on to
        compute is not taken); else ``n_iter_``.

    stop_reason_ : str
        Why training stopped: ``"tol"`` (certified within ``tol`` of the
        minimum), ``"early_stopping"`` (validation loss stopped improving: a
        different criterion, which does not certify the training loss),
        ``"max_iter"`` or ``"stalled"`` (not certified: both warn),
        ``"callback"`` (a callback asked to stop), or ``"no_weight"``
        (:meth:`partial_fit` has seen only samples of weight 0: the model is
        the starting one, zeros, and the stream starts at the first chunk that
        carries weight). ``"newton-cholesky"``
        gives ``"tol"`` when its one step is certified, ``"stalled"`` when
        rounding left it further from the minimum than ``tol`` allows.

    learning_rate_ : float
        The step size used (the value ``"auto"`` resolved to); 1.0, the full
        step, for ``"newton-cholesky"``.

    momentum_ : float or None
        The momentum used (``"auto"`` resolved); 0.0 for ``"gd"``, None for
        ``"adam"`` and ``"newton-cholesky"``.

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
    exact one. Each epoch of ``"gd"`` updates every parameter by
    ``-learning_rate * gradient``; the User Guide gives the other solvers' rules.

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

    # The "?" of the HTML representation links to this page of our documentation
    # (the generated API page is named after the public path of the class).
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
        # get_params runs twice a fit (the parameters' validation, the
        # solver's settings), each time reading __init__'s signature anew: a
        # tenth of a small fit. The signature of a class does not change.
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
            start = self._starting_point(coef_init, intercept_init)
            if is_dask(X) or is_dask(y) or is_dask(sample_weight):
                statistics, start = self._gather_dask(X, y, sample_weight, start)
            else:
                precompute = check_fit_settings(self, "fit")
                # Finiteness is checked while the statistics are gathered, which
                # reads the data anyway: a separate pass would cost a fifth of
                # the fit.
                data = validate_fit_input(
                    self,
                    X,
                    y,
                    sample_weight,
                    reset=True,
                    check_finite=False,
                    start=start,
                )
                statistics = gather_fit_statistics(
                    data, precompute, type(self).__name__, self.tol, self.verbose
                )
                start = data.start
            return self._solve(statistics, start)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Add a chunk of data and descend on everything seen so far.

        The chunk's statistics are merged into the model's (the reference
        location and scale frozen at the first chunk), then the solver descends
        from the current parameters on the statistics of all the data seen, as
        :meth:`fit` does: after the last chunk the model equals :meth:`fit` on
        the whole data, once converged. After :meth:`fit`, ``partial_fit``
        continues with the data it saw (a new stream from the fitted parameters
        after ``precompute=False``, which keeps no statistics).

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
            data = validate_fit_input(
                self,
                X,
                y,
                sample_weight,
                reset=first,
                check_finite=not first,
                allow_all_zero=True,
            )
            if not first:
                check_targets(
                    data.y.ndim, data.n_targets, self._y_ndim, self._form.A.shape[1]
                )
            waiting = first or getattr(self, "stop_reason_", None) == "no_weight"
            w = data.sample_weight
            if waiting and w is not None and not np.any(w > 0):
                settings = FitSettings.from_params(self.get_params())
                self._record(awaiting_weight(data, settings))
                return self
            if first or waiting:
                statistics = gather_fit_statistics(
                    data, True, type(self).__name__, self.tol, self.verbose
                )
                return self._solve(statistics, None)
            # After a fit that kept no statistics (the direct engine), the
            # chunk starts a new stream from the fitted model.
            statistics = gather_more(
                getattr(self, "_stats", None),
                getattr(self, "_observations", None),
                data,
                self.tol,
            )
            return self._solve(statistics, self._form)

    # -- the stages of a fit ------------------------------------------------------

    def _starting_point(self, coef_init, intercept_init):
        """What the descent starts from: initial values, a warm start, or zeros."""
        if coef_init is not None or intercept_init is not None:
            return InitialValues(coef_init, intercept_init)
        if self.warm_start and hasattr(self, "_form"):
            return self._form
        return None

    def _gather_dask(self, X, y, sample_weight, start):
        """Validate Dask input lazily, check the start, and reduce statistics."""
        from ._dask import dask_statistics, validate_dask_input

        check_fit_settings(self, "Dask input")
        data = validate_dask_input(X, y, sample_weight, type(self).__name__)
        split = check_dask_fit(self, data.n_features, data.n_targets)
        # What validate_data records of in-memory input, read lazily here.
        self.n_features_in_ = int(data.n_features)
        self.__dict__.pop("feature_names_in_", None)
        if data.feature_names is not None:
            self.feature_names_in_ = data.feature_names
        start = check_start(start, data.n_features, data.n_targets)
        return dask_statistics(data, split, self.tol), start

    def _solve(self, statistics, start):
        """Descend, let callbacks see the epochs, and record the fitted model."""
        settings = FitSettings.from_params(self.get_params(), has_callbacks(self))
        # On the statistics, everything after the pass is small linear algebra.
        # OpenBLAS would thread some of it (a block of the loss curve is a
        # matrix-vector product of a few hundred thousand elements), and its
        # threads then spin for about a tenth of a second, taking a core from
        # whatever runs next: back-to-back fits on 2e5 rows of 20 features took
        # 51 ms each instead of 29 ms. The direct engine keeps BLAS's threads
        # for its passes over the data.
        limit = one_blas_thread if statistics.engine != "direct" else nullcontext
        with limit():
            solution = solve(statistics, start, settings)
            context = begin_fit(self, statistics.data)
            solution = replay_epochs(self, context, solution, statistics.data)
            outcome = solution.outcome()
        self._record(outcome)
        end_fit(self, context, statistics.data)
        if self.verbose:
            print(
                f"Stopped after {counted(self.n_iter_, 'epoch')}: {self.stop_reason_}."
            )
        if outcome.collinear is not None:
            names = [*self.get_term_names(), "intercept"]
            collinear = [name for name, c in zip(names, outcome.collinear) if c]
            warnings.warn(collinear_message(collinear), CollinearityWarning, 4)
        if outcome.warning is not None:
            warnings.warn(outcome.warning, ConvergenceWarning, stacklevel=4)
        return self

    def _record(self, fitted):
        """The fitted attributes, from a fit's outcome (and nothing of before).

        ``_form`` is what predict evaluates; ``_stats`` (statistics engine only)
        what ``partial_fit`` continues from and ``summary`` infers from, with
        ``_observations``; the paths only when recorded.
        """
        for name in ("_stats", "_observations", "coef_path_", "intercept_path_"):
            self.__dict__.pop(name, None)
        self.coef_, self.intercept_ = fitted.coef, fitted.intercept
        self.loss_curve_ = fitted.loss_curve.tolist()
        self.validation_loss_curve_ = fitted.validation_loss_curve.tolist()
        self.n_iter_, self.best_iter_ = fitted.n_iter, fitted.best_iter
        self.stop_reason_ = fitted.stop_reason
        self.learning_rate_, self.momentum_ = fitted.learning_rate, fitted.momentum
        self.solver_, self.precompute_ = fitted.solver, fitted.precompute
        # The penalty the model was fitted with: summary() reads it, not
        # today's get_params().
        self._fitted_alpha = fitted.alpha
        self._form, self._y_ndim = fitted.form, fitted.y_ndim
        if fitted.statistics is not None:
            self._stats = fitted.statistics
            if fitted.observations is not None:
                self._observations = fitted.observations
        if fitted.coef_path is not None:
            self.coef_path_ = fitted.coef_path
            self.intercept_path_ = fitted.intercept_path

    # -- predict ----------------------------------------------------------------

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
            from ._dask import FittedModel, dask_predict

            model = FittedModel(
                self._form,
                self.n_features_in_,
                getattr(self, "feature_names_in_", None),
                single,
                type(self).__name__,
            )
            return dask_predict(model, X)
        X = validate_data(self, X, reset=False, dtype=FLOAT_DTYPES)
        y = self._form.predict(X)
        return y[:, 0] if single else y


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
