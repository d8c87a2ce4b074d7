# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The article's second figure: the loss against the epoch."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._common import _axes, _check_matplotlib, _style


class LossCurveDisplay:
    """The training loss against the epoch, as in the article's second figure.

    Use :meth:`from_estimator` to create one from a fitted estimator. All
    parameters are stored as attributes.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss before each epoch's update (``loss_curve_``).

    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Loss on held-out samples at the same parameters
        (``validation_loss_curve_``). None or empty draws no validation curve.

    estimator_name : str, default=None
        Name of the estimator, shown in the legend.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The training loss curve.

    validation_line_ : matplotlib Line2D or None
        The validation loss curve, None without validation losses.

    ax_ : matplotlib Axes
        Axes with the plot.

    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    ParameterPathDisplay : Each parameter against the epoch.
    sklearn.model_selection.LearningCurveDisplay : Scores against the training
        set size.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn_quadneuron import QuadraticGDRegressor
    >>> from sklearn_quadneuron.datasets import make_quadratic
    >>> from sklearn_quadneuron.plotting import LossCurveDisplay
    >>> X, y = make_quadratic(200, random_state=0)
    >>> model = QuadraticGDRegressor().fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(model)
    >>> len(display.line_.get_ydata()) == model.n_iter_
    True
    """

    def __init__(self, *, loss_curve, validation_loss_curve=None, estimator_name=None):
        self.loss_curve = loss_curve
        self.validation_loss_curve = validation_loss_curve
        self.estimator_name = estimator_name

    def plot(
        self, ax=None, *, log_scale=True, line_kwargs=None, validation_line_kwargs=None
    ):
        """Plot the loss curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        log_scale : bool, default=True
            Draw the loss on a logarithmic scale, where gradient descent's steady
            geometric decrease shows as a straight line.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the
            training loss.

        validation_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the
            validation loss.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values and the artists.
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.lines import Line2D

        ax = _axes(ax)
        loss = np.asarray(self.loss_curve, dtype=float)
        label = "training loss"
        if self.estimator_name is not None:
            label = f"{self.estimator_name} {label}"
        (self.line_,) = ax.plot(
            np.arange(1, loss.shape[0] + 1),
            loss,
            **_style({"color": "tab:blue", "label": label}, line_kwargs, Line2D),
        )
        self.validation_line_ = None
        if self.validation_loss_curve is not None and len(self.validation_loss_curve):
            val = np.asarray(self.validation_loss_curve, dtype=float)
            (self.validation_line_,) = ax.plot(
                np.arange(1, val.shape[0] + 1),
                val,
                **_style(
                    {"color": "tab:orange", "label": "validation loss"},
                    validation_line_kwargs,
                    Line2D,
                ),
            )
        if log_scale:
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (mean squared error)")
        ax.legend()
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        log_scale=True,
        ax=None,
        line_kwargs=None,
        validation_line_kwargs=None,
    ):
        """Plot the loss curves of a fitted estimator.

        Parameters
        ----------
        estimator : QuadraticGDRegressor
            Fitted estimator. Its ``validation_loss_curve_`` is drawn when it is
            not empty (``early_stopping=True``).

        log_scale : bool, default=True
            Draw the loss on a logarithmic scale.

        ax : matplotlib Axes, default=None
            Axes to plot on. None creates a new figure and axes.

        line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the
            training loss.

        validation_line_kwargs : dict, default=None
            Keyword arguments of :meth:`matplotlib.axes.Axes.plot` for the
            validation loss.

        Returns
        -------
        display : LossCurveDisplay
            Object that stores the computed values and the artists.
        """
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator, "loss_curve_")
        display = cls(
            **_compute_loss_curves(
                estimator.loss_curve_,
                getattr(estimator, "validation_loss_curve_", None),
            )
        )
        return display.plot(
            ax=ax,
            log_scale=log_scale,
            line_kwargs=line_kwargs,
            validation_line_kwargs=validation_line_kwargs,
        )


def _compute_loss_curves(loss_curve, validation_loss_curve=None):
    """The recorded losses as float arrays; an empty validation curve is None.

    Parameters
    ----------
    loss_curve : array-like of shape (n_epochs,)
        Training loss before each epoch's update.
    validation_loss_curve : array-like of shape (n_epochs,), default=None
        Loss on held-out samples, empty or None without early stopping.

    Returns
    -------
    curves : dict
        ``loss_curve`` and ``validation_loss_curve`` (None when not recorded).
    """
    validation = None
    if validation_loss_curve is not None and len(validation_loss_curve):
        validation = np.asarray(validation_loss_curve, dtype=float)
    return {
        "loss_curve": np.asarray(loss_curve, dtype=float),
        "validation_loss_curve": validation,
    }
