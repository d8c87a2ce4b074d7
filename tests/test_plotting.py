# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The displays draw the right data, checked against numpy computed here."""

import importlib
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the displays need matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

import sklearn_quadneuron.plotting as plotting  # noqa: E402
from sklearn_quadneuron import QuadraticGDRegressor  # noqa: E402
from sklearn_quadneuron.datasets import make_quadratic  # noqa: E402
from sklearn_quadneuron.plotting import (  # noqa: E402
    FitDisplay,
    LossCurveDisplay,
    LossSurfaceDisplay,
    ParameterPathDisplay,
)

DISPLAYS = [FitDisplay, LossCurveDisplay, ParameterPathDisplay, LossSurfaceDisplay]
INIT = (np.array([15.0, -2.0]), 10.0)  # the article's start
LEARNING_RATE, EPOCHS = 0.1, 30


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    return make_quadratic(200, noise=1.0, random_state=0)


@pytest.fixture(scope="module")
def article_model(data):
    """The article's descent (raw features, fixed step), with its path recorded."""
    X, y = data
    model = QuadraticGDRegressor(
        learning_rate=LEARNING_RATE,
        max_iter=EPOCHS,
        tol=None,
        standardize=False,
        record_path=True,
    )
    return model.fit(X, y, coef_init=INIT[0], intercept_init=INIT[1])


def numpy_descent(x, y, start, learning_rate, n_epochs):
    """Plain gradient descent on the MSE, with the exact gradients.

    Returns the parameters (a, b, c) after 0..n_epochs updates.
    """
    a, b, c = start
    path = [(a, b, c)]
    for _ in range(n_epochs):
        r = a * x**2 + b * x + c - y
        a, b, c = (
            a - learning_rate * np.mean(2 * r * x**2),
            b - learning_rate * np.mean(2 * r * x),
            c - learning_rate * np.mean(2 * r),
        )
        path.append((a, b, c))
    return np.array(path)


def mse(a, b, c, x, y):
    """Direct per-sample MSE; a, b, c broadcast against each other."""
    a, b, c = (np.asarray(v, dtype=float)[..., None] for v in (a, b, c))
    return np.mean((a * x**2 + b * x + c - y) ** 2, axis=-1)


# -- FitDisplay ----------------------------------------------------------------


def test_fit_display_curves(data, article_model):
    X, y = data
    display = FitDisplay.from_estimator(article_model, X, y, initial=INIT, n_points=50)
    x_grid = display.line_.get_xdata()
    assert x_grid.shape == (50,)
    assert np.all(np.diff(x_grid) > 0)
    assert x_grid[0] == X.min() and x_grid[-1] == X.max()
    a, b = article_model.coef_
    np.testing.assert_allclose(
        display.line_.get_ydata(),
        np.polyval([a, b, article_model.intercept_], x_grid),
        rtol=1e-10,
    )
    np.testing.assert_allclose(
        display.initial_line_.get_xdata(), x_grid, rtol=0, atol=0
    )
    np.testing.assert_allclose(
        display.initial_line_.get_ydata(), np.polyval([15, -2, 10], x_grid)
    )
    np.testing.assert_array_equal(display.scatter_.get_offsets(), np.c_[X[:, 0], y])
    assert display.ax_ is display.line_.axes
    assert display.figure_ is display.ax_.figure
    assert display.ax_.get_xlabel() == "x0"


def test_fit_display_initial_from_recorded_path(data, article_model):
    X, y = data
    display = FitDisplay.from_estimator(article_model, X, y, show_initial=True)
    x_grid = display.line_.get_xdata()
    np.testing.assert_allclose(
        display.initial_line_.get_ydata(), np.polyval([15, -2, 10], x_grid)
    )
    assert FitDisplay.from_estimator(article_model, X, y).initial_line_ is None


def test_fit_display_other_features_at_their_mean():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"u": rng.normal(size=300), "v": rng.uniform(1, 3, size=300)})
    y = 2 * frame.u**2 - frame.u + 0.5 * frame.v**2 + 3 * frame.v + 1
    model = QuadraticGDRegressor().fit(frame, y)
    display = FitDisplay.from_estimator(model, frame, y, feature="v")
    v = display.line_.get_xdata()
    a_u, a_v, b_u, b_v = model.coef_
    u_mean = frame.u.mean()
    expected = a_u * u_mean**2 + b_u * u_mean + a_v * v**2 + b_v * v + model.intercept_
    np.testing.assert_allclose(display.line_.get_ydata(), expected, rtol=1e-9)
    assert display.ax_.get_xlabel() == "v"
    np.testing.assert_array_equal(display.scatter_.get_offsets()[:, 0], frame.v)


def rendered_rgb(figure, ax, points):
    """The colors the reader sees at data coordinates ``points``, as RGB in [0, 1]."""
    figure.canvas.draw()
    image = np.asarray(figure.canvas.buffer_rgba())[..., :3] / 255
    pixels = ax.transData.transform(points)
    height = image.shape[0]
    return np.array([image[height - 1 - int(py), int(px)] for px, py in pixels])


def test_fit_display_curves_drawn_above_the_data(article_data):
    # Noiseless data: the samples lie on the fitted curve, and would hide it if
    # they were drawn over it.
    X, y = article_data
    model = QuadraticGDRegressor(record_path=True).fit(X, y)
    display = FitDisplay.from_estimator(model, X, y, show_initial=True)
    assert display.line_.get_zorder() > display.scatter_.get_zorder()
    assert display.initial_line_.get_zorder() > display.scatter_.get_zorder()
    # What the reader sees along the curve, amid the samples: the curve's color.
    x_grid, y_pred = display.line_.get_xdata(), display.line_.get_ydata()
    inner = (x_grid > -1.5) & (x_grid < 1.5)
    on_curve = np.c_[x_grid, y_pred][inner][::10]
    color = matplotlib.colors.to_rgb(display.line_.get_color())
    np.testing.assert_allclose(
        rendered_rgb(display.figure_, display.ax_, on_curve),
        np.tile(color, (len(on_curve), 1)),
        atol=0.1,
    )


def test_fit_display_bad_arguments(data, article_model):
    X, y = data
    with pytest.raises(ValueError, match="feature"):
        FitDisplay.from_estimator(article_model, X, y, feature=3)
    with pytest.raises(ValueError, match="initial"):
        FitDisplay.from_estimator(article_model, X, y, initial=([1.0], 2.0))
    unrecorded = QuadraticGDRegressor().fit(X, y)
    with pytest.raises(ValueError, match="record_path=True"):
        FitDisplay.from_estimator(unrecorded, X, y, show_initial=True)


# -- LossCurveDisplay ------------------------------------------------------------


@pytest.mark.parametrize("log_scale", [True, False])
def test_loss_curve_display(data, article_model, log_scale):
    X, y = data
    display = LossCurveDisplay.from_estimator(article_model, log_scale=log_scale)
    losses = display.line_.get_ydata()
    np.testing.assert_array_equal(losses, article_model.loss_curve_)
    np.testing.assert_array_equal(display.line_.get_xdata(), np.arange(1, EPOCHS + 1))
    # The first loss is the MSE at the article's start, before any update.
    np.testing.assert_allclose(losses[0], mse(15, -2, 10, X[:, 0], y), rtol=1e-9)
    assert display.ax_.get_yscale() == ("log" if log_scale else "linear")
    assert display.validation_line_ is None


def test_loss_curve_display_validation(data):
    X, y = data
    model = QuadraticGDRegressor(early_stopping=True, random_state=0).fit(X, y)
    display = LossCurveDisplay.from_estimator(model)
    np.testing.assert_array_equal(
        display.validation_line_.get_ydata(), model.validation_loss_curve_
    )
    assert len(model.validation_loss_curve_) == model.n_iter_
    assert len(display.ax_.get_legend().get_texts()) == 2


# -- ParameterPathDisplay --------------------------------------------------------


def test_parameter_path_display(data, article_model):
    X, y = data
    display = ParameterPathDisplay.from_estimator(
        article_model, true_values=[10, 5, None]
    )
    assert list(display.lines_) == ["x0^2", "x0", "intercept"]
    expected = numpy_descent(X[:, 0], y, (15.0, -2.0, 10.0), LEARNING_RATE, EPOCHS)
    for k, line in enumerate(display.lines_.values()):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(EPOCHS + 1))
        np.testing.assert_allclose(line.get_ydata(), expected[:, k], rtol=1e-9)
    np.testing.assert_array_equal(
        display.lines_["x0"].get_ydata(), article_model.coef_path_[:, 1]
    )
    assert sorted(display.true_lines_) == ["x0", "x0^2"]
    np.testing.assert_array_equal(display.true_lines_["x0"].get_ydata(), [5, 5])
    assert display.true_lines_["x0"].get_linestyle() == "--"
    assert display.true_lines_["x0"].get_color() == display.lines_["x0"].get_color()


def test_parameter_path_display_true_values_by_name(article_model):
    display = ParameterPathDisplay.from_estimator(
        article_model, true_values={"intercept": 12.0}
    )
    assert list(display.true_lines_) == ["intercept"]
    with pytest.raises(ValueError, match="unknown parameter"):
        ParameterPathDisplay.from_estimator(article_model, true_values={"d": 1.0})
    with pytest.raises(ValueError, match="one per parameter"):
        ParameterPathDisplay.from_estimator(article_model, true_values=[10, 5])


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_parameter_path_legend_reads_in_order(article_model):
    display = ParameterPathDisplay.from_estimator(
        article_model, true_values=[10, 5, 12]
    )
    expected = ["a", "b", "c", "true a", "true b", "true c"]
    assert legend_texts(display.ax_) == expected
    assert display.ax_.get_legend()._ncols == 1
    # A legend rebuilt from the axes (ax.legend(ncols=2)) lists them the same way.
    assert display.ax_.get_legend_handles_labels()[1] == expected
    # The dashed reference lines lie under the paths that end on them.
    for name, true_line in display.true_lines_.items():
        assert true_line.get_zorder() < display.lines_[name].get_zorder()


def test_parameter_path_article_names_for_one_feature(article_model):
    display = ParameterPathDisplay.from_estimator(
        article_model, true_values={"a": 10.0, "c": 12.0}
    )
    assert list(display.true_lines_) == ["x0^2", "intercept"]
    np.testing.assert_array_equal(display.true_lines_["x0^2"].get_ydata(), [10, 10])
    assert legend_texts(display.ax_) == ["a", "b", "c", "true a", "true c"]


def test_parameter_path_term_names_for_two_features():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"u": rng.normal(size=100), "v": rng.normal(size=100)})
    y = frame.u**2 + 2 * frame.v + 1
    model = QuadraticGDRegressor(max_iter=5, tol=None, record_path=True).fit(frame, y)
    display = ParameterPathDisplay.from_estimator(
        model, true_values={"u^2": 1.0, "intercept": 1.0}
    )
    assert legend_texts(display.ax_) == [
        "u^2",
        "v^2",
        "u",
        "v",
        "intercept",
        "true u^2",
        "true intercept",
    ]


def test_parameter_path_requires_record_path(data):
    model = QuadraticGDRegressor().fit(*data)
    with pytest.raises(ValueError, match="record_path=True"):
        ParameterPathDisplay.from_estimator(model)


def test_parameter_path_multi_output():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 1))
    Y = np.c_[x[:, 0] ** 2, 3 * x[:, 0] - 1]
    model = QuadraticGDRegressor(max_iter=20, tol=None, record_path=True).fit(x, Y)
    display = ParameterPathDisplay.from_estimator(model, target=1)
    np.testing.assert_array_equal(
        display.lines_["intercept"].get_ydata(), model.intercept_path_[:, 1]
    )
    with pytest.raises(ValueError, match="target"):
        ParameterPathDisplay.from_estimator(model, target=2)


@pytest.fixture(scope="module")
def racers(data):
    """The article's descent by plain gradient descent and by Nesterov's."""
    X, y = data
    models = {}
    for solver in ("gd", "nesterov"):
        model = QuadraticGDRegressor(
            solver=solver,
            learning_rate=0.02,
            momentum=0.8,
            max_iter=EPOCHS,
            tol=None,
            standardize=False,
            record_path=True,
        )
        models[solver] = model.fit(X, y, coef_init=INIT[0], intercept_init=INIT[1])
    return models


def test_parameter_paths_of_several_models_on_one_axes(racers):
    ax = plt.figure().add_subplot()
    displays = {
        name: ParameterPathDisplay.from_estimator(
            model, params=["a"], true_values={"a": 10}, name=name, ax=ax
        )
        for name, model in racers.items()
    }
    assert legend_texts(ax) == ["a (gd)", "a (nesterov)", "true a"]
    lines = [displays[name].lines_["x0^2"] for name in racers]
    assert lines[0].get_color() != lines[1].get_color()
    for line, model in zip(lines, racers.values()):
        np.testing.assert_array_equal(line.get_ydata(), model.coef_path_[:, 0])
    # The true value is drawn once, in grey, whichever model came first.
    assert len(displays["gd"].true_lines_) == 1 and not displays["nesterov"].true_lines_


def test_parameter_path_subset_keeps_the_article_names(article_model):
    display = ParameterPathDisplay.from_estimator(article_model, params=["c", "a"])
    assert list(display.lines_) == ["intercept", "x0^2"]
    assert legend_texts(display.ax_) == ["c", "a"]
    with pytest.raises(ValueError, match="unknown parameter 'd'"):
        ParameterPathDisplay.from_estimator(article_model, params=["d"])


# -- LossSurfaceDisplay ----------------------------------------------------------


@pytest.mark.parametrize(
    "params, axes", [(("a", "b"), (0, 1)), (("x0", "intercept"), (1, 2))]
)
def test_loss_surface_equals_direct_mse(data, article_model, params, axes):
    X, y = data
    display = LossSurfaceDisplay.from_estimator(
        article_model, X, y, params=params, n_grid=25
    )
    fitted = np.r_[article_model.coef_, article_model.intercept_]
    grid = [fitted[0], fitted[1], fitted[2]]
    GX, GY = np.meshgrid(display.grid_x, display.grid_y)
    grid[axes[0]], grid[axes[1]] = GX, GY
    expected = mse(*grid, X[:, 0], y)
    assert display.loss.shape == (25, 25)
    np.testing.assert_allclose(display.loss, expected, rtol=1e-9)
    # The path drawn is the recorded one, in the two chosen coordinates.
    both = np.c_[article_model.coef_path_, article_model.intercept_path_]
    np.testing.assert_array_equal(display.path_line_.get_xdata(), both[:, axes[0]])
    np.testing.assert_array_equal(display.path_line_.get_ydata(), both[:, axes[1]])
    # The grid spans the whole path and the fitted values.
    for grid_values, k in ((display.grid_x, axes[0]), (display.grid_y, axes[1])):
        assert grid_values[0] < both[:, k].min() and grid_values[-1] > both[:, k].max()
    np.testing.assert_array_equal(display.fitted_marker_.get_xdata(), [fitted[axes[0]]])


def test_loss_surface_3d_path_lies_on_the_surface(data, article_model):
    X, y = data
    display = LossSurfaceDisplay.from_estimator(
        article_model, X, y, params=("a", "b"), kind="surface", n_grid=10
    )
    assert display.ax_.name == "3d"
    xs, ys, zs = display.path_line_.get_data_3d()
    np.testing.assert_array_equal(xs, article_model.coef_path_[:, 0])
    np.testing.assert_allclose(
        zs, mse(xs, ys, article_model.intercept_, X[:, 0], y), rtol=1e-9
    )


def test_loss_surface_exact_data_near_minimum():
    # On exact data the minimum loss is 0: the quadratic must not cancel to a
    # negative or noisy value around it.
    X, y = make_quadratic(500, random_state=2)
    model = QuadraticGDRegressor(tol=None, max_iter=300).fit(X, y)
    display = LossSurfaceDisplay.from_estimator(
        model,
        X,
        y,
        params=("b", "c"),
        ranges=((4.999, 5.001), (11.999, 12.001)),
        n_grid=5,
    )
    GX, GY = np.meshgrid(display.grid_x, display.grid_y)
    expected = mse(model.coef_[0], GX, GY, X[:, 0], y)
    np.testing.assert_allclose(display.loss, expected, rtol=1e-6, atol=1e-20)
    assert display.path_line_ is None


@pytest.mark.parametrize(
    "params, labels",
    [
        (None, ("a", "b")),
        (("b", "c"), ("b", "c")),
        (("x0", "intercept"), ("b", "c")),
        (("intercept", "x0^2"), ("c", "a")),
    ],
)
def test_loss_surface_article_names_for_one_feature(
    data, article_model, params, labels
):
    X, y = data
    display = LossSurfaceDisplay.from_estimator(
        article_model, X, y, params=params, n_grid=3
    )
    assert (display.ax_.get_xlabel(), display.ax_.get_ylabel()) == labels


def test_loss_surface_term_names_for_two_features():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"u": rng.normal(size=100), "v": rng.normal(size=100)})
    y = frame.u**2 + 2 * frame.v + 1
    model = QuadraticGDRegressor().fit(frame, y)
    display = LossSurfaceDisplay.from_estimator(
        model, frame, y, params=("v", "intercept"), n_grid=3
    )
    assert display.ax_.get_xlabel() == "coefficient of v"
    assert display.ax_.get_ylabel() == "intercept"
    display = LossSurfaceDisplay.from_estimator(model, frame, y, n_grid=3)
    assert display.ax_.get_xlabel() == "coefficient of u^2"
    assert display.ax_.get_ylabel() == "coefficient of u"


def test_loss_surface_bad_arguments(data, article_model):
    X, y = data
    with pytest.raises(ValueError, match="unknown parameter 'd'"):
        LossSurfaceDisplay.from_estimator(article_model, X, y, params=("a", "d"))
    with pytest.raises(ValueError, match="two different"):
        LossSurfaceDisplay.from_estimator(article_model, X, y, params=("a", "x0^2"))
    with pytest.raises(ValueError, match="kind"):
        LossSurfaceDisplay.from_estimator(article_model, X, y, kind="wireframe")
    with pytest.raises(ValueError, match="3-D axes"):
        LossSurfaceDisplay.from_estimator(
            article_model, X, y, kind="surface", ax=plt.figure().add_subplot()
        )


def test_loss_surface_of_several_models(data, racers):
    X, y = data
    display = LossSurfaceDisplay.from_estimators(racers, X, y, params=("b", "c"))
    assert list(display.path_lines_) == ["gd", "nesterov"]
    assert display.path_line_ is None
    assert legend_texts(display.ax_) == ["gd", "nesterov", "fitted"]
    colors = {line.get_color() for line in display.path_lines_.values()}
    assert len(colors) == 2
    for name, model in racers.items():
        line = display.path_lines_[name]
        np.testing.assert_array_equal(line.get_xdata(), model.coef_path_[:, 1])
        np.testing.assert_array_equal(line.get_ydata(), model.intercept_path_)
    # The surface is the first model's, over a range that spans every path.
    first = racers["gd"]
    GX, GY = np.meshgrid(display.grid_x, display.grid_y)
    expected = mse(first.coef_[0], GX, GY, X[:, 0], y)
    np.testing.assert_allclose(display.loss, expected, rtol=1e-9)
    for model in racers.values():
        assert display.grid_x[0] < model.coef_path_[:, 1].min()
        assert display.grid_y[-1] > model.intercept_path_.max()


def test_loss_surface_of_several_models_checks_them(data, racers):
    X, y = data
    with pytest.raises(ValueError, match="dict of fitted estimators"):
        LossSurfaceDisplay.from_estimators(list(racers.values()), X, y)
    two = QuadraticGDRegressor(record_path=True).fit(np.c_[X, X**3], y)
    with pytest.raises(ValueError, match="same features"):
        LossSurfaceDisplay.from_estimators({**racers, "other": two}, X, y)


# -- optional matplotlib, docstrings ---------------------------------------------


def test_import_does_not_need_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    importlib.reload(plotting)  # would fail on a top-level matplotlib import


@pytest.mark.parametrize(
    "draw",
    [
        lambda model, X, y: FitDisplay.from_estimator(model, X, y),
        lambda model, X, y: LossCurveDisplay.from_estimator(model),
        lambda model, X, y: ParameterPathDisplay.from_estimator(model),
        lambda model, X, y: LossSurfaceDisplay.from_estimator(model, X, y),
        lambda model, X, y: LossCurveDisplay(loss_curve=[1.0, 0.5]).plot(),
    ],
)
def test_missing_matplotlib_error(monkeypatch, data, article_model, draw):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'sklearn-quadneuron\[plot\]'"):
        draw(article_model, *data)


def test_fit_display_draws_the_vertex_and_its_interval():
    # The vertex on the curve (the other feature at its mean in X), and the
    # bar spanning turning_points' interval, checked against the curve
    # computed here with numpy.
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.uniform(0, 8, 120), rng.normal(size=120)])
    y = 3 * (X[:, 0] - 4) ** 2 + 2 * X[:, 1] + rng.normal(0, 4, 120)
    model = QuadraticGDRegressor(solver="newton-cholesky").fit(X, y)
    display = FitDisplay.from_estimator(model, X, y, show_turning_point=True)
    row = model.turning_points().loc["x0"]
    x, y_at, lower, upper = display.turning_point
    assert (x, lower, upper) == (row["x"], row["ci_lower"], row["ci_upper"])
    a, b = model.coef_[0], model.coef_[2]
    others = model.coef_[1] * X[:, 1].mean() ** 2 + model.coef_[3] * X[:, 1].mean()
    np.testing.assert_allclose(y_at, a * x**2 + b * x + others + model.intercept_)
    line, caps, (bar,) = display.turning_point_
    np.testing.assert_allclose(line.get_xydata(), [[x, y_at]])
    np.testing.assert_allclose(bar.get_segments()[0][:, 0], [lower, upper])
    assert FitDisplay.from_estimator(model, X, y).turning_point_ is None
