# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""QuadraticGDRegressor: parameters, tags, and fit / predict as a thin shell.

A fit flows one way: validate (``_validation``, initial values included, before
the data is read) -> gather statistics (``_statistics``, or ``_dask``) -> solve
(``_solve``: basis, objective, optimizer) -> record the outcome here. This
module holds no math of its own.
"""

import warnings
from contextlib import contextmanager
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
from ._outputs import ReadableTermsMixin
from ._progress import Progress
from ._solve import FitSettings, solve
from ._statistics import gather_fit_statistics, gather_more
from ._validation import (
    FLOAT_DTYPES,
    InitialValues,
    check_history,
    check_start,
    check_targets,
    is_dask,
    record_features,
    split_seed,
    validate_fit_input,
)

# Where the documentation is published.
DOCS_URL = "https://sklearn-quadneuron.readthedocs.io/en/latest/"

# RegressorMixin must come before BaseEstimator: with BaseEstimator first,
# scikit-learn >= 1.6 silently drops the regressor tags and skips the regressor
# checks. The callback mixin, when scikit-learn has it, goes first of all.
_BASES = (RegressorMixin, ReadableTermsMixin, BaseEstimator)
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
        step that provably converges on any data (with ``precompute=False`` and
        more than 96 parameters, ``L`` is bounded from above by a block Krylov
        estimate, a few percent larger, so the step is a little shorter). A
        float must be > 0; too large a value raises :class:`DivergenceError`.

    max_iter : int, default=1000
        Maximum number of epochs (full passes of gradient descent). Values must be
        in the range `[1, inf)`.

    tol : float or None, default=1e-6
        Bound on the training loss's excess over its minimum, relative to that
        minimum: training stops as converged (``stop_reason_ == "tol"``) only
        when ``loss - min_loss <= tol * min_loss`` is certified, or the excess is
        below ``1e-15`` of the variance of y (data the model fits exactly). The
        excess is computed, not guessed: exactly from the statistics' Hessian,
        or from the gradient when epochs read the data (exact up to 96
        parameters, a bound beyond). So the training R^2 is within ``tol * (1 -
        R^2)`` of the best the model can reach. A fit that cannot certify it
        within ``max_iter`` epochs warns with :class:`ConvergenceWarning`,
        saying how far from the minimum it is and what to do. With
        ``early_stopping=True`` it is the relative tolerance of the validation
        loss instead (see ``n_iter_no_change``). ``None`` runs exactly
        ``max_iter`` epochs and never warns.

    n_iter_no_change : int, default=5
        With ``early_stopping=True``: training stops after this many epochs in
        a row whose validation loss did not fall below ``best - tol * best``.
        Otherwise, when epochs read the data: a training loss that falls by
        less than ``1e-12`` of itself this many epochs in a row has stopped
        falling (``stop_reason_ == "stalled"``, with a warning).

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

    precompute : "auto" or bool, default="auto"
        Whether epochs run on precomputed statistics, the name
        :class:`~sklearn.linear_model.Lasso` gives this choice. ``True`` gathers
        the sufficient statistics (the Gram matrix of the expanded features
        and their products with y: ``(2p + k)**2`` numbers for p features and k
        targets) in one pass, after which epochs cost nothing; ``False`` reads
        the data every epoch, for thousands of features where the statistics
        would be large or slow to form. Both follow the same trajectory.
        ``"auto"`` picks the cheaper from the data's shape. :meth:`partial_fit`
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
        Why training stopped: ``"tol"`` (certified within ``tol`` of the
        minimum), ``"early_stopping"`` (validation loss stopped improving: a
        different criterion, which does not certify the training loss),
        ``"max_iter"`` or ``"stalled"`` (not certified: both warn),
        or ``"callback"`` (a callback asked to stop).

    learning_rate_ : float
        The step size used (the value ``"auto"`` resolved to).

    precompute_ : bool
        Whether the epochs ran on the precomputed statistics (``precompute``
        resolved).

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

    # The "?" of the HTML representation links to this page of our documentation
    # (the generated API page is named after the public path of the class).
    _doc_link_module = "sklearn_quadneuron"
    _doc_link_template = DOCS_URL + "generated/{estimator_module}.{estimator_name}.html"

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
        "precompute": [StrOptions({"auto"}), "boolean"],
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
        precompute="auto",
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
        self.precompute = precompute

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
            start = self._start(coef_init, intercept_init)
            if is_dask(X) or is_dask(y) or is_dask(sample_weight):
                statistics, start = self._dask_statistics(X, y, sample_weight, start)
            else:
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
                statistics, start = self._gather(data, self.precompute), data.start
            return self._solve(statistics, start)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Add a chunk of data and descend on everything seen so far.

        The chunk's statistics are merged into the model's (the reference
        location and scale are frozen at the first chunk), then gradient descent
        runs from the current parameters on the statistics of all the data seen,
        with the same stopping rule as :meth:`fit`. After the last chunk the model
        equals :meth:`fit` on the whole data set, once converged. Calling
        :meth:`fit` starts afresh; ``partial_fit`` after :meth:`fit` continues
        with the data seen by :meth:`fit` (after a fit with ``precompute=False``,
        which keeps no statistics, it starts a new stream from the fitted
        parameters). ``partial_fit`` always uses the statistics
        (``precompute=True``).

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
            first = not hasattr(self, "coef_")
            data = validate_fit_input(
                self, X, y, sample_weight, reset=first, check_finite=not first
            )
            if first:
                return self._solve(self._gather(data, True), None)
            check_targets(
                data.y.ndim, data.n_targets, self._y_ndim, self._form.A.shape[1]
            )
            # After a fit by the direct engine, which keeps no statistics, the
            # chunk starts a new stream from the fitted parameters.
            statistics = gather_more(getattr(self, "_stats", None), data)
            return self._solve(statistics, self._form)

    # -- the stages of a fit ------------------------------------------------------

    def _start(self, coef_init, intercept_init):
        """What the descent starts from: initial values, a warm start, or zeros."""
        if coef_init is not None or intercept_init is not None:
            return InitialValues(coef_init, intercept_init)
        if self.warm_start and hasattr(self, "_form"):
            return self._form
        return None

    def _gather(self, data, precompute):
        progress = Progress(self.verbose)
        n_samples, n_features = data.X.shape
        progress.begin(
            f"Reading the data once: {n_samples} samples, {n_features} features"
        )
        statistics = gather_fit_statistics(
            data, precompute, self.max_iter, type(self).__name__
        )
        if statistics.engine == "statistics":
            progress.end("Gathered the statistics every epoch runs on")
        else:
            progress.end("Gathered the moments of each feature; epochs read the data")
        return statistics

    def _dask_statistics(self, X, y, sample_weight, start):
        """Validate Dask input lazily, check the start, and reduce statistics."""
        from ._dask import dask_statistics, validate_dask_input

        data = validate_dask_input(X, y, sample_weight, type(self).__name__)
        check_history(
            self.max_iter,
            data.n_features,
            data.n_targets,
            self.early_stopping,
            self.record_path,
        )
        record_features(self, data.n_features, data.feature_names)
        start = check_start(start, data.n_features, data.n_targets)
        split = None
        if self.early_stopping:
            split = (split_seed(self.random_state), self.validation_fraction)
        return dask_statistics(data, split), start

    def _solve(self, statistics, start):
        """Descend, let callbacks see the epochs, and record the fitted model."""
        settings = FitSettings.from_params(self.get_params(), has_callbacks(self))
        solution = solve(statistics, start, settings)
        context = begin_fit(self, statistics.data)
        solution = replay_epochs(self, context, solution, statistics.data)
        outcome = solution.outcome()
        self._record(outcome)
        end_fit(self, context, statistics.data)
        if self.verbose:
            print(f"Stopped after {self.n_iter_} epochs: {self.stop_reason_}.")
        if outcome.warning is not None:
            warnings.warn(outcome.warning, ConvergenceWarning, stacklevel=4)
        return self

    def _record(self, outcome):
        """The fitted attributes, from a fit's outcome (and nothing of before)."""
        for name in ("_stats", "coef_path_", "intercept_path_"):
            self.__dict__.pop(name, None)
        self.__dict__.update(outcome.attributes())

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
