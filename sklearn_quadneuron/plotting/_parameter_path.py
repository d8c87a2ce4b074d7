# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The article's third figure: each parameter against the epoch."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import (
    _article_labels,
    _axes,
    _check_matplotlib,
    _check_target,
    _parameter_index,
    _parameter_names,
    _recorded_path,
    _style,
)


class ParameterPathDisplay:
    """Each parameter against the epoch, as in the article's third figure.

    Use :meth:`from_estimator` to create one from an estimator fitted with
    ``record_path=True``. All parameters are stored as attributes.

    Parameters
    ----------
    parameter_paths : dict of str to array-like of shape (n_epochs + 1,)
        Each parameter's value after 0, 1, ..., n_epochs updates, by name. The
        name labels its line, except that the three parameters of a one-feature
        model, ``"x^2"``, ``"x"`` and ``"intercept"`` for a feature ``x``, are
        labelled with the article's names a, b and c.

    true_values : dict of str to float, default=None
        Reference values of some parameters, drawn as dashed horizontal lines
        in their line's color.

    labels : dict of str to str, default=None
        The legend's name of each parameter; None names the three parameters of
        a one-feature model a, b and c, and the others by their names.

    name : str, default=None
        Name of the model, for overlaying several on the same axes: each
        parameter's label then ends with it (``"a (nesterov)"``), its lines
        take the next colors of the axes' cycle, and the true values are drawn
        once, in grey.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        The path of each parameter, by name.

    true_lines_ : dict of str to matplotlib Line2D
        The reference line of each parameter given in ``true_values``.

    ax_ : matplotlib Axes
        Axes with the plot.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    LossCurveDisplay : The loss against the epoch.
    LossSurfaceDisplay : The descent path on the loss surface.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_quadneuron import QuadraticGDRegressor
    >>> from sklearn_quadneuron.datasets import make_quadratic
    >>> from sklearn_quadneuron.plotting import ParameterPathDisplay
    >>> X, y = make_quadratic(200, random_state=0)
    >>> model = QuadraticGDRegressor(record_path=True).fit(X, y)
    >>> display = ParameterPathDisplay.from_estimator(
    ...     model, true_values=[10, 5, 12]
    ... )
    >>> sorted(display.lines_)
    ['intercept', 'x0', 'x0^2']

    Several models on the same axes, each named:

    >>> import matplotlib.pyplot as plt
    >>> fast = QuadraticGDRegressor(solver="nesterov", record_path=True).fit(X, y)
    >>> ax = plt.figure().add_subplot()
    >>> for name, fitted in [("gd", model), ("nesterov", fast)]:
    ...     display = ParameterPathDisplay.from_estimator(
    ...         fitted, params=["a"], true_values={"a": 10}, name=name, ax=ax
    ...     )
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['a (gd)', 'a (nesterov)', 'true a']
    """

    def __init__(self, *, parameter_paths, true_values=None, labels=None, name=None):
        self.parameter_paths = parameter_paths
        self.true_values = true_values
        self.labels = labels
        self.name = name

    def plot(self, ax=None, *, name=None, line_kwargs=None, true_line_kwargs=None):
        """Plot the parameter paths.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes. Axes that show
            other models' paths keep them: name each model (``name``).

        name : str, default=None
            Name of the model in the legend; None uses the display's ``name``.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for every
            parameter's path.

        true_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.axhline` for the
            reference lines.

        Returns
        -------
        display : ParameterPathDisplay
            Object that stores the computed values and the artists.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.lines import Line2D

        true_values = dict(self.true_values or {})
        unknown = [name for name in true_values if name not in self.parameter_paths]
        if unknown:
            raise ValueError(
                f"true_values names unknown parameter(s) {unknown}; the parameters "
                f"are {list(self.parameter_paths)}."
            )
        ax = _axes(ax)
        model = self.name if name is None else name
        labels = dict(zip(self.parameter_paths, _article_labels(self.parameter_paths)))
        labels.update(self.labels or {})
        self.lines_ = {}
        for k, (parameter, path) in enumerate(self.parameter_paths.items()):
            path = np.asarray(path, dtype=float)
            style = {"color": f"C{k}", "label": labels[parameter]}
            if model is not None:
                # Overlaid models: the axes' next color, and the model's name.
                style = {"label": f"{labels[parameter]} ({model})"}
            (self.lines_[parameter],) = ax.plot(
                np.arange(path.shape[0]), path, **_style(style, line_kwargs, Line2D)
            )
        # Drawn after every path, so that the legend lists the parameters first
        # and then their true values, and below the paths, which end on them.
        self.true_lines_ = {}
        drawn = {line.get_label() for line in ax.get_lines()}
        for parameter, line in self.lines_.items():
            label = f"true {labels[parameter]}"
            if parameter not in true_values or label in drawn:
                continue
            color = line.get_color() if model is None else "0.35"
            self.true_lines_[parameter] = ax.axhline(
                float(true_values[parameter]),
                **_style(
                    {
                        "color": color,
                        "linestyle": "--",
                        "linewidth": 1,
                        "zorder": 1.5,
                        "label": label,
                    },
                    true_line_kwargs,
                    Line2D,
                ),
            )
        ax.set_xlabel("epoch (number of updates)")
        ax.set_ylabel("parameter value")
        # One column, read top to bottom in drawing order, the true values last
        # (also when several models share the axes); where it covers the fewest
        # points of the lines.
        handles, texts = ax.get_legend_handles_labels()
        order = sorted(range(len(texts)), key=lambda k: texts[k].startswith("true "))
        ax.legend(
            [handles[k] for k in order], [texts[k] for k in order], loc="best", ncols=1
        )
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        params=None,
        true_values=None,
        target=0,
        name=None,
        ax=None,
        line_kwargs=None,
        true_line_kwargs=None,
    ):
        """Plot the parameter paths recorded by an estimator.

        Parameters
        ----------
        estimator : QuadraticGDRegressor
            Estimator fitted with ``record_path=True``. Its parameters are named
            as in ``get_term_names()``, and ``"intercept"``; the legend of a
            one-feature model calls them a, b, c, as the article does.

        params : list of str, default=None
            The parameters to draw, named as in ``get_term_names()`` or
            ``"intercept"`` (for one-feature models also ``"a"``, ``"b"``,
            ``"c"``). None draws them all.

        true_values : dict of str to float or sequence of float, default=None
            Reference values drawn as dashed lines: by parameter name (for
            one-feature models also ``"a"``, ``"b"``, ``"c"``), or one per
            parameter in ``coef_`` order followed by the intercept (None entries
            are skipped).

        target : int, default=0
            Index of the target drawn, for multi-output estimators.

        name : str, default=None
            Name of the model in the legend, to overlay several models on the
            same axes (call once per model with the same ``ax``).

        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for every
            parameter's path.

        true_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.axhline` for the
            reference lines.

        Returns
        -------
        display : ParameterPathDisplay
            Object that stores the computed values and the artists.
        """
        caller = f"{cls.__name__}.from_estimator"
        _check_matplotlib(caller)
        check_is_fitted(estimator)
        target = _check_target(estimator, target)
        path = _recorded_path(estimator, target, caller)
        names = _parameter_names(estimator)
        true_values = _check_true_values(true_values, estimator)
        paths = _compute_parameter_paths(path, names)
        labels = dict(zip(names, _article_labels(names)))
        if params is not None:
            if isinstance(params, str):
                params = [params]
            chosen = [names[_parameter_index(estimator, p, "params")] for p in params]
            paths = {parameter: paths[parameter] for parameter in chosen}
            if true_values is not None:
                true_values = {k: v for k, v in true_values.items() if k in paths}
        display = cls(
            parameter_paths=paths, true_values=true_values, labels=labels, name=name
        )
        return display.plot(
            ax=ax, line_kwargs=line_kwargs, true_line_kwargs=true_line_kwargs
        )


def _check_true_values(true_values, estimator):
    """Reference values by parameter name, from a dict or one per parameter.

    A dict may name the parameters as ``get_term_names()`` and ``"intercept"``
    do, or, for a one-feature model, as the article's a, b, c.
    """
    names = _parameter_names(estimator)
    if true_values is None:
        return None
    if isinstance(true_values, dict):
        return {
            names[_parameter_index(estimator, name, "true_values")]: value
            for name, value in true_values.items()
        }
    values = list(true_values)
    if len(values) != len(names):
        raise ValueError(
            f"true_values has {len(values)} value(s) but the model has "
            f"{len(names)} parameters {names}; give one per parameter, or "
            "a dict by name."
        )
    return {name: value for name, value in zip(names, values) if value is not None}


def _compute_parameter_paths(path, names):
    """Each parameter's values along the epochs, by name.

    Parameters
    ----------
    path : ndarray of shape (n_epochs + 1, n_params)
        ``[*coef, intercept]`` after 0, 1, ..., n_epochs updates.
    names : list of str of length n_params
        The parameters' names, in the columns' order.

    Returns
    -------
    parameter_paths : dict of str to ndarray of shape (n_epochs + 1,)
        The column of each parameter, in the columns' order.
    """
    path = np.asarray(path, dtype=float)
    return {name: path[:, k] for k, name in enumerate(names)}
