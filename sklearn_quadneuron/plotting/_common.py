# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""What the displays share: matplotlib on demand, axes and styles, the model's
formula, and the checked reading of a fitted estimator.

Nothing here imports matplotlib at module level: the displays must stay
importable without the ``plot`` extra.
"""

from numbers import Integral

import numpy as np

_INSTALL = "pip install 'sklearn-quadneuron[plot]'"

# Aliases of the article's neuron a*x**2 + b*x + c, for one-feature models.
_ARTICLE_NAMES = {"a": 0, "b": 1, "c": 2}


# -- matplotlib ------------------------------------------------------------------


def _check_matplotlib(caller):
    """Raise an ImportError naming the ``plot`` extra when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"{caller} requires matplotlib: {_INSTALL}") from exc


def _axes(ax, projection=None):
    """The given axes, or new axes on a new pyplot figure."""
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure().add_subplot(projection=projection)
    return ax


def _style(defaults, user, artist):
    """Merge user style keywords over defaults, resolving matplotlib's aliases.

    Without the resolution, ``c="red"`` over a default ``color=...`` would reach
    matplotlib as both and fail.
    """
    from matplotlib.cbook import normalize_kwargs

    return {
        **normalize_kwargs(defaults, artist),
        **normalize_kwargs(user or {}, artist),
    }


def _check_count(value, name, minimum=2):
    """Raise a ValueError unless ``value`` is an integer of at least ``minimum``."""
    if not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")


# -- the model -------------------------------------------------------------------


def _expanded(X):
    """The expanded features ``[X**2, X, 1]``, in ``[*coef_, intercept_]`` order."""
    return np.hstack([X**2, X, np.ones((X.shape[0], 1))])


def _quadratic(X, theta):
    """``X**2 @ a + X @ b + c`` for ``theta = [a, b, c]`` in the data's units."""
    return _expanded(X) @ theta


# -- reading a fitted estimator --------------------------------------------------


def _n_targets(estimator):
    return 1 if np.ndim(estimator.intercept_) == 0 else len(estimator.intercept_)


def _check_target(estimator, target):
    n_targets = _n_targets(estimator)
    if (
        not isinstance(target, Integral)
        or isinstance(target, bool)
        or not 0 <= target < n_targets
    ):
        raise ValueError(
            f"target={target!r} is not the index of one of the model's "
            f"{n_targets} target(s); pass an integer in [0, {n_targets - 1}]."
        )
    return int(target)


def _parameters(estimator, coef, intercept, target):
    """``[*coef, intercept]`` of one target, from fitted or recorded values.

    ``coef`` may carry a leading axis (epochs); for multi-output estimators the
    target axis comes before the last.
    """
    coef, intercept = np.asarray(coef, dtype=float), np.asarray(intercept, dtype=float)
    if np.ndim(estimator.intercept_) == 1:
        coef, intercept = coef[..., target, :], intercept[..., target]
    return np.concatenate([coef, intercept[..., None]], axis=-1)


def _parameter_names(estimator):
    return [*(str(name) for name in estimator.get_term_names()), "intercept"]


def _article_labels(names):
    """Labels of a model's parameters: the article's a, b, c for one feature.

    ``names`` are all the parameters of a model, ``[*term names, "intercept"]``.
    Only a one-feature model, ``[f"{x}^2", x, "intercept"]``, is the article's
    neuron; with several features the term names say which feature is meant.
    """
    names = list(names)
    if len(names) == 3 and names[0] == f"{names[1]}^2" and names[2] == "intercept":
        return list(_ARTICLE_NAMES)
    return names


def _parameter_index(estimator, name, what):
    """Position of a parameter in ``[*coef, intercept]``, by term name or alias."""
    names = _parameter_names(estimator)
    if name in names:  # term names take precedence over the article's aliases
        return names.index(name)
    if estimator.n_features_in_ == 1 and name in _ARTICLE_NAMES:
        return _ARTICLE_NAMES[name]
    aliases = ', "a", "b", "c"' if estimator.n_features_in_ == 1 else ""
    raise ValueError(
        f"{what}: unknown parameter {name!r}. Use one of "
        f"{', '.join(repr(n) for n in names)}{aliases}."
    )


def _recorded_path(estimator, target, caller):
    """``[*coef, intercept]`` of every epoch, shape (n_epochs + 1, n_params)."""
    if not hasattr(estimator, "coef_path_"):
        raise ValueError(
            f"{caller} needs the parameters of every epoch, which the estimator did "
            "not record: fit it with record_path=True."
        )
    return _parameters(
        estimator, estimator.coef_path_, estimator.intercept_path_, target
    )


def _check_X(estimator, X, caller):
    """X as a float array with the estimator's columns, in the fitted order."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None and hasattr(X, "columns"):
        missing = [name for name in names if name not in X.columns]
        if missing:
            raise ValueError(
                f"{caller}: X lacks the column(s) {missing} the estimator was "
                "fitted on."
            )
        X = X[list(names)]
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"{caller}: X must have shape (n_samples, {estimator.n_features_in_}) "
            f"like the data the estimator was fitted on, got shape {X.shape}."
        )
    return X


def _check_y(y, n_samples, target, caller):
    """The drawn target's values, one per sample."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 2:
        y = y[:, target]
    if y.shape != (n_samples,):
        raise ValueError(
            f"{caller}: y must have one value per sample of X ({n_samples}), got "
            f"shape {y.shape}."
        )
    return y
