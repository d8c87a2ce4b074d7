# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The command line, run in-process through main(), checked against numpy."""

import gc
import io
import re
import subprocess
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LinearRegression

from sklearn_quadneuron.__main__ import main
from sklearn_quadneuron.datasets import make_quadratic


def article_descent(n_epochs=50, learning_rate=0.1, seed=0):
    """The article's loop in plain numpy, with the exact intercept gradient.

    Returns the loss before each update and the final (a, b, c).
    """
    X, y = make_quadratic(1000, random_state=seed)
    x = X[:, 0]
    a, b, c = 15.0, -2.0, 10.0
    losses = []
    for _ in range(n_epochs):
        r = a * x**2 + b * x + c - y
        losses.append(np.mean(r**2))
        a, b, c = (
            a - learning_rate * np.mean(2 * r * x**2),
            b - learning_rate * np.mean(2 * r * x),
            c - learning_rate * np.mean(2 * r),
        )
    return np.array(losses), (a, b, c)


def run(capsys, *argv):
    status = main([str(arg) for arg in argv])
    out, err = capsys.readouterr()
    return status, out, err


def error_line(err):
    """The one error line of stderr; only notes about the input may precede it."""
    assert "Traceback" not in err
    *notes, line = err.strip().splitlines()
    assert all(note.startswith("quadneuron: note: ") for note in notes), err
    assert line.startswith("quadneuron: error: "), err
    return line


# -- demo ----------------------------------------------------------------------


def test_demo_matches_numpy_descent(capsys):
    status, out, err = run(capsys, "demo")
    assert status == 0, err
    losses, (a, b, c) = article_descent()
    printed = {
        int(epoch): float(loss)
        for epoch, loss in re.findall(r"Epoch (\d+), loss = ([\d.]+)", out)
    }
    # The loss is printed at epoch 1 and then every 5 epochs.
    assert sorted(printed) == [1, *range(5, 51, 5)]
    for epoch, loss in printed.items():
        np.testing.assert_allclose(loss, losses[epoch - 1], rtol=1e-6, atol=1e-8)
    learned = dict(re.findall(r"^([abc]) +(-?[\d.]+) +[\d.]+$", out, flags=re.M))
    # Printed with 6 decimals.
    np.testing.assert_allclose(
        [float(learned[name]) for name in "abc"], [a, b, c], atol=1e-6
    )
    assert "Figures written" not in out


def test_demo_options(capsys):
    status, out, _ = run(capsys, "demo", "--epochs", 7, "--learning-rate", 0.05)
    assert status == 0
    losses, (a, _, _) = article_descent(n_epochs=7, learning_rate=0.05)
    assert "Epoch 5," in out and "Epoch 10," not in out
    final = float(re.search(r"final loss (\S+)", out).group(1))
    np.testing.assert_allclose(final, losses[-1], rtol=1e-5)
    learned_a = float(re.search(r"^a +(-?[\d.]+)", out, flags=re.M).group(1))
    np.testing.assert_allclose(learned_a, a, atol=1e-6)


def test_demo_auto_learning_rate_matches_numpy_descent():
    # Through a real process, as a user types it.
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_quadneuron", "demo", "--learning-rate", "auto"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "learning rate auto, 50 epochs" in out
    # The oracle of 'auto': 1 / L, L = 2 * the largest eigenvalue of Z'Z / n, the
    # Lipschitz constant of the loss's gradient on the raw Z = [x^2, x, 1].
    X, _ = make_quadratic(1000, random_state=0)
    Z = np.column_stack([X[:, 0] ** 2, X[:, 0], np.ones(1000)])
    step = 0.5 / np.linalg.eigvalsh(Z.T @ Z / 1000)[-1]
    printed_step = float(re.search(r"learning rate 'auto': (\S+)", out).group(1))
    np.testing.assert_allclose(printed_step, step, rtol=1e-9)
    losses, (a, b, c) = article_descent(learning_rate=step)
    printed = {
        int(epoch): float(loss)
        for epoch, loss in re.findall(r"Epoch (\d+), loss = ([\d.]+)", out)
    }
    assert sorted(printed) == [1, *range(5, 51, 5)]
    for epoch, loss in printed.items():
        np.testing.assert_allclose(loss, losses[epoch - 1], rtol=1e-6, atol=1e-8)
    learned = dict(re.findall(r"^([abc]) +(-?[\d.]+) +[\d.]+$", out, flags=re.M))
    np.testing.assert_allclose(
        [float(learned[name]) for name in "abc"], [a, b, c], atol=1e-6
    )


def test_demo_writes_four_figures(capsys, tmp_path):
    from matplotlib.image import imread

    directory = tmp_path / "figures" / "demo"  # created, parents included
    status, out, err = run(capsys, "demo", "--epochs", 10, "--plot-dir", directory)
    assert status == 0, err
    names = ["fit.png", "loss_curve.png", "parameters.png", "loss_surface.png"]
    for name in names:
        path = directory / name
        assert path.stat().st_size > 10_000
        # Where the figures went is a message, not the demo's output.
        assert str(path) in err and str(path) not in out
        image = imread(path)
        assert image.shape[0] > 200 and image.shape[1] > 200
        # Not a blank canvas.
        assert image[..., :3].std() > 0.05
    assert sorted(p.name for p in directory.iterdir()) == sorted(names)


def test_demo_animates_the_descent(capsys, tmp_path):
    Image = pytest.importorskip("PIL.Image")
    path = tmp_path / "descent.gif"
    argv = ["--epochs", 12, "--solver", "nesterov", "--learning-rate", 0.05]
    status, out, err = run(capsys, "demo", *argv, "--animate", path)
    assert status == 0, err
    assert err == f"Animation written: {path} (13 frames)\n"
    assert "momentum 'auto': " in out
    frames = []
    with Image.open(path) as gif:
        assert gif.n_frames == 13
        # 8 frames a second, in the GIF's hundredths of a second.
        assert gif.info["duration"] == 120
        for k in range(gif.n_frames):
            gif.seek(k)
            frames.append(np.asarray(gif.convert("RGB"), dtype=int))
    # The moving parts are red (the curve, the path): they move frame to frame.
    red = [
        set(zip(*np.nonzero((f[..., 0] > 180) & (f[..., 1] < 90) & (f[..., 2] < 90))))
        for f in frames
    ]
    assert all(len(pixels) > 200 for pixels in red)
    assert all(red[k] != red[k + 1] for k in range(12))


SOLVERS = ("gd", "momentum", "nesterov", "adam", "newton-cholesky")


def test_demo_help_lists_every_solver(capsys):
    status, out, _ = run(capsys, "demo", "--help")
    assert status == 0
    assert "{" + ",".join(SOLVERS) + "}" in " ".join(out.split())


@pytest.mark.parametrize("solver", SOLVERS)
def test_demo_animates_every_solver(capsys, tmp_path, solver):
    Image = pytest.importorskip("PIL.Image")
    path = tmp_path / "descent.gif"
    argv = ["--epochs", 3, "--solver", solver, "--learning-rate", "auto"]
    status, out, err = run(capsys, "demo", *argv, "--animate", path)
    assert status == 0, err
    frames = 2 if solver == "newton-cholesky" else 4
    assert f"Animation written: {path} ({frames} frames)" in err
    if solver == "newton-cholesky":
        assert "one Newton step to the exact minimum" in out
        assert "learning rate" not in out.splitlines()[1]
    with Image.open(path) as gif:
        assert gif.n_frames == frames


def test_demo_animation_frames_are_thinned():
    from sklearn_quadneuron._cli.animation import MAX_FRAMES, frame_epochs

    np.testing.assert_array_equal(frame_epochs(50), np.arange(51))
    many = frame_epochs(5000)
    assert len(many) == MAX_FRAMES and many[0] == 0 and many[-1] == 5000
    assert np.all(np.diff(many) > 0)


def test_demo_animation_needs_a_gif(capsys, tmp_path):
    status, out, err = run(capsys, "demo", "--animate", tmp_path / "descent.png")
    assert status == 2
    assert err.strip() == (
        "quadneuron: error: --animate writes a GIF: name the file FILE.gif, got "
        f"{tmp_path / 'descent.png'}"
    )


# -- fit and predict -------------------------------------------------------------


@pytest.fixture
def csv_data(tmp_path):
    rng = np.random.default_rng(0)
    temperature = rng.uniform(-3, 5, size=400)
    humidity = rng.uniform(10, 20, size=400)
    yield_ = (
        1.5 * temperature**2 - 4 * temperature + 0.2 * humidity**2 - humidity + 7
    ) + rng.normal(scale=0.5, size=400)
    frame = pd.DataFrame(
        {
            "temperature": temperature,
            "site": rng.choice(["north", "south"], size=400),
            "humidity": humidity,
            "yield": yield_,
        }
    )
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    return path, frame


def expanded(frame, columns):
    return np.column_stack([frame[columns].to_numpy() ** 2, frame[columns].to_numpy()])


def test_fit_and_predict_one_feature(capsys, tmp_path, csv_data):
    path, frame = csv_data
    model_path = tmp_path / "model.joblib"
    status, out, err = run(
        capsys,
        "fit",
        path,
        "--target",
        "yield",
        "--features",
        "temperature",
        # The default tol=1e-6 bounds the loss within 1e-6 of its minimum;
        # predictions compared with polyfit's to 1e-5 need a tighter one.
        "--tol",
        "1e-12",
        "--save",
        model_path,
    )
    assert status == 0, err
    assert out.splitlines()[0].startswith("yield = ")
    assert "*temperature^2" in out and "*temperature " in out
    assert "humidity" not in out
    x, y = frame.temperature.to_numpy(), frame["yield"].to_numpy()
    coefficients = np.polyfit(x, y, 2)
    residual = y - np.polyval(coefficients, x)
    r2 = 1 - residual @ residual / np.sum((y - y.mean()) ** 2)
    printed_r2 = float(re.search(r"R\^2 on the training data: (\S+)", out).group(1))
    np.testing.assert_allclose(printed_r2, r2, atol=2e-6)
    assert re.search(r"epochs: \d+ \(stopped: \w+\)", out)

    new = pd.DataFrame({"temperature": np.linspace(-2, 4, 9), "other": 1.0})
    new_path = tmp_path / "new.csv"
    new.to_csv(new_path, index=False)
    status, out, err = run(capsys, "predict", model_path, new_path)
    assert status == 0, err
    predictions = pd.read_csv(io.StringIO(out))
    assert list(predictions.columns) == ["prediction"]
    np.testing.assert_allclose(
        predictions.prediction,
        np.polyval(coefficients, new.temperature),
        rtol=1e-5,
        atol=1e-4,
    )


def test_fit_default_features_and_predict_to_file(capsys, tmp_path, csv_data):
    path, frame = csv_data
    model_path = tmp_path / "model.joblib"
    status, out, err = run(
        capsys, "fit", path, "--target", "yield", "--save", model_path
    )
    assert status == 0, err
    # Every numeric column but the target; the text column "site" is left out,
    # and a note says so.
    assert "temperature^2" in out and "humidity^2" in out and "site" not in out
    note, saved = err.splitlines()
    assert note == (
        f"quadneuron: note: {path}: leaving out the column 'site': not numeric "
        "(dtype str); --features names the features"
    )
    assert saved == f"model saved to {model_path}"

    output = tmp_path / "predictions.csv"
    status, out, err = run(capsys, "predict", model_path, path, "--output", output)
    assert status == 0, err
    assert out == ""
    assert err == f"400 predictions written to {output}\n"
    columns = ["temperature", "humidity"]
    oracle = LinearRegression().fit(expanded(frame, columns), frame["yield"])
    np.testing.assert_allclose(
        pd.read_csv(output).prediction,
        oracle.predict(expanded(frame, columns)),
        rtol=1e-5,
        atol=1e-4,
    )


def test_fit_options_reach_the_model(capsys, tmp_path, csv_data):
    path, _ = csv_data
    model_path = tmp_path / "model.joblib"
    status, out, err = run(
        capsys,
        "fit",
        path,
        "--target",
        "yield",
        "--features",
        "temperature",
        "--learning-rate",
        "0.001",
        "--max-iter",
        "3",
        "--no-standardize",
        "--save",
        model_path,
    )
    assert status == 0
    assert "epochs: 3 (stopped: max_iter)" in out
    # The ConvergenceWarning is one line on stderr, not an error.
    warning, saved = err.splitlines()
    assert warning.startswith("quadneuron: warning: ")
    assert saved == f"model saved to {model_path}"
    model = joblib.load(model_path)
    assert model.learning_rate == 0.001 and model.standardize is False


# -- errors ----------------------------------------------------------------------


@pytest.fixture
def files(tmp_path, csv_data):
    path, frame = csv_data
    bad = {"train": path}
    bad["ragged"] = tmp_path / "ragged.csv"
    bad["ragged"].write_text("a,b\n1,2\n3,4,5,6\n")
    bad["empty"] = tmp_path / "empty.csv"
    bad["empty"].write_text("")
    bad["binary"] = tmp_path / "binary.csv"
    bad["binary"].write_bytes(b"\xff\xfe\x00\x81\x00\x00\xfa\n\x9c\x00")
    with_nan = frame.copy()
    with_nan.loc[3, "humidity"] = np.nan
    bad["nan"] = tmp_path / "nan.csv"
    with_nan.to_csv(bad["nan"], index=False)
    # An infinity, then a NaN: the first in the file is named.
    with_inf = frame.copy()
    with_inf.loc[6, "humidity"], with_inf.loc[9, "yield"] = -np.inf, np.nan
    bad["inf"] = tmp_path / "inf.csv"
    with_inf.to_csv(bad["inf"], index=False)
    bad["not_model"] = tmp_path / "linear.joblib"
    joblib.dump(LinearRegression(), bad["not_model"])
    bad["garbage_model"] = tmp_path / "garbage.joblib"
    bad["garbage_model"].write_text("not a pickle")
    bad["model"] = tmp_path / "model.joblib"
    assert (
        main(["fit", str(path), "--target", "yield", "--save", str(bad["model"])]) == 0
    )
    bad["missing_column"] = tmp_path / "missing.csv"
    frame.drop(columns="humidity").to_csv(bad["missing_column"], index=False)
    return bad


ERRORS = {
    "missing file": (["fit", "{tmp}/nope.csv", "--target", "y"], "no such file"),
    "ragged csv": (["fit", "{ragged}", "--target", "a"], "not a readable CSV"),
    "empty csv": (["fit", "{empty}", "--target", "a"], "empty"),
    "binary csv": (["fit", "{binary}", "--target", "a"], "CSV"),
    "unknown target": (["fit", "{train}", "--target", "nope"], "no column 'nope'"),
    "unknown feature": (
        ["fit", "{train}", "--target", "yield", "--features", "temp"],
        "no column 'temp'",
    ),
    "non-numeric": (
        ["fit", "{train}", "--target", "yield", "--features", "site"],
        "'site' is not numeric",
    ),
    "nan": (
        ["fit", "{nan}", "--target", "yield"],
        "column 'humidity' has a missing or NaN value in data row 4",
    ),
    "target as feature": (
        ["fit", "{train}", "--target", "yield", "--features", "yield"],
        "cannot also be a feature",
    ),
    "model not a regressor": (
        ["predict", "{not_model}", "{train}"],
        "LinearRegression",
    ),
    "model not a pickle": (["predict", "{garbage_model}", "{train}"], "not a model"),
    "model file missing": (["predict", "{tmp}/none.joblib", "{train}"], "no such file"),
    "predict missing column": (
        ["predict", "{model}", "{missing_column}"],
        "no column 'humidity'",
    ),
    "predict nan": (["predict", "{model}", "{nan}"], "missing or NaN"),
    "inf": (
        ["fit", "{inf}", "--target", "yield"],
        "column 'humidity' has an infinite value (-inf) in data row 7; remove the "
        "row or replace the value first",
    ),
    "predict inf": (["predict", "{model}", "{inf}"], "infinite value (-inf)"),
    "unwritable output": (
        ["predict", "{model}", "{train}", "--output", "{tmp}/no/dir/out.csv"],
        "cannot write",
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_errors_are_one_line(capsys, tmp_path, files, case):
    argv, expected = ERRORS[case]
    argv = [arg.format(tmp=tmp_path, **files) for arg in argv]
    capsys.readouterr()
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert expected in error_line(err)


def test_values_whose_sum_overflows_are_finite_values(tmp_path):
    # The check sums a chunk first: a sum past the float limit is not a value
    # past it, and NaN or infinity are then found in the values themselves.
    from sklearn_quadneuron._cli.errors import CommandError
    from sklearn_quadneuron._cli.tables import Chunk, numeric_values

    frame = pd.DataFrame({"x": [1e308, 1e308, -1.0], "y": [1e308, 2.0, 3.0]})
    block = numeric_values(Chunk(frame, 0), ["x", "y"], "f.csv")
    np.testing.assert_array_equal(block, frame.to_numpy())
    frame.loc[2, "y"] = np.inf
    with pytest.raises(CommandError, match="'y' has an infinite value .* row 3;"):
        numeric_values(Chunk(frame, 0), ["x", "y"], "f.csv")


def test_divergence_is_a_failure_of_the_work(capsys, csv_data):
    # Not an error in the input: the work itself failed, exit status 1.
    path, _ = csv_data
    argv = ["fit", path, "--target", "yield", "--learning-rate", 5, "--no-standardize"]
    status, out, err = run(capsys, *argv)
    assert status == 1
    assert "diverged" in error_line(err)


def test_argument_errors_exit_2(capsys):
    status, _, err = run(
        capsys, "fit", "data.csv", "--target", "y", "--learning-rate", "fast"
    )
    assert status == 2
    assert "quadneuron fit: error: argument --learning-rate" in err
    status, _, err = run(capsys, "demo", "--epochs", "0")
    assert status == 2 and "must be >= 1" in err


@pytest.mark.parametrize(
    "command, option",
    [("demo", "--plot-dir"), ("fit", "--target"), ("predict", "--output")],
)
def test_subcommand_help(capsys, command, option):
    status, out, _ = run(capsys, command, "--help")
    assert status == 0
    assert out.startswith(f"usage: quadneuron {command}")
    assert option in out


def test_python_m_help():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_quadneuron", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: quadneuron")
    for command in ("demo", "fit", "predict"):
        assert command in result.stdout


def test_fit_summary_is_statsmodels_ols(capsys, csv_data):
    sm = pytest.importorskip("statsmodels.api")
    path, frame = csv_data
    argv = ["fit", path, "--target", "yield", "--solver", "newton-cholesky"]
    status, out, err = run(capsys, *argv, "--summary")
    assert status == 0, err
    assert "stopped: tol" in out
    assert re.search(r"Dep. Variable:\s+yield", out)
    X = frame[["temperature", "humidity"]].to_numpy()
    design = np.column_stack([X**2, X, np.ones(len(X))])
    result = sm.OLS(frame["yield"].to_numpy(), design).fit()
    row = re.search(r"^temperature\^2 +(\S+) +(\S+) +(\S+)", out, re.MULTILINE)
    np.testing.assert_allclose(
        [float(v) for v in row.groups()],
        [result.params[0], result.bse[0], result.tvalues[0]],
        rtol=1e-3,
    )
    assert f"{result.rsquared:.3f}" in out
    # The vertex of temperature's parabola, -b / (2a), from the statistics.
    vertex = re.search(r"^  temperature: \w+ at x = (\S+) ", out, re.MULTILINE)
    np.testing.assert_allclose(
        float(vertex[1]), -result.params[2] / (2 * result.params[0]), rtol=1e-5
    )


def test_fit_summary_refusal_is_one_line(capsys, csv_data):
    path, _ = csv_data
    argv = ["fit", path, "--target", "yield", "--alpha", "0.1", "--summary"]
    status, out, err = run(capsys, *argv, "--solver", "newton-cholesky")
    assert status == 1
    line = error_line(err)
    assert line.startswith("quadneuron: error: summary() needs an unpenalised fit")


# -- reading a file a chunk at a time ------------------------------------------------

FEATURES = ["temperature", "humidity"]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 48 rows (16 values over 3 columns would be fewer: the floor)."""
    from sklearn_quadneuron import QuadraticGDRegressor
    from sklearn_quadneuron._cli import tables

    monkeypatch.setattr(tables, "CHUNK_VALUES", 16)
    monkeypatch.setattr(tables, "_FIRST_ROWS", 48)
    calls = []
    original = QuadraticGDRegressor.partial_fit

    def partial_fit(self, X, y, sample_weight=None):
        calls.append(len(y))
        return original(self, X, y, sample_weight)

    monkeypatch.setattr(QuadraticGDRegressor, "partial_fit", partial_fit)
    return calls


def printed_fit(out):
    """The equation, R^2 and epochs line that fit prints."""
    equation, r2, epochs = out.splitlines()[:3]
    return equation, float(r2.removeprefix("R^2 on the training data: ")), epochs


def r2_of(model, X, y):
    residual = y - model.predict(X)
    return 1 - residual @ residual / np.sum((y - y.mean()) ** 2)


# The options of the command line, and the same as the estimator's parameters.
STREAMED_FITS = {
    "gd": ([], {}),
    "momentum": (["--solver", "momentum"], {"solver": "momentum"}),
    "nesterov": (
        ["--solver", "nesterov", "--learning-rate", "0.05"],
        {"solver": "nesterov", "learning_rate": 0.05},
    ),
    "adam": (
        ["--solver", "adam", "--max-iter", "300", "--tol", "none"],
        {"solver": "adam", "max_iter": 300, "tol": None},
    ),
    "newton": (["--solver", "newton-cholesky"], {"solver": "newton-cholesky"}),
    "penalised": (["--alpha", "0.5"], {"alpha": 0.5}),
    "few epochs": (
        ["--max-iter", "5", "--tol", "none", "--no-standardize"],
        {"max_iter": 5, "tol": None, "standardize": False},
    ),
}


@pytest.mark.parametrize("case", list(STREAMED_FITS))
@pytest.mark.parametrize("ranges", [False, True])
def test_fit_of_chunks_is_the_fit_of_the_whole_file(
    capsys, tmp_path, csv_data, small_chunks, case, request, ranges
):
    # Read by pandas' iterator, or parsed in ranges of 512 bytes on threads
    # (then served in the same chunks of 48 rows).
    from sklearn_quadneuron import QuadraticGDRegressor

    if ranges:
        request.getfixturevalue("small_ranges")._FIRST_ROWS = 48
    path, frame = csv_data
    options, params = STREAMED_FITS[case]
    model_path = tmp_path / "model.joblib"
    argv = ["fit", path, "--target", "yield", "--features", *FEATURES, *options]
    status, out, err = run(capsys, *argv, "--save", model_path)
    assert status == 0, err
    # 400 rows in chunks of 48: 9 chunks, each given to partial_fit, the last
    # with the descent.
    assert small_chunks == [48] * 8 + [16]

    # The oracle: the same parameters, fitted in this process on the whole frame.
    X, y = frame[FEATURES], frame["yield"].to_numpy()
    oracle = QuadraticGDRegressor(**params).fit(X, y)

    equation, r2, epochs = printed_fit(out)
    assert equation == "yield = " + oracle.equation().removeprefix("y = ")
    assert epochs == f"epochs: {oracle.n_iter_} (stopped: {oracle.stop_reason_})"
    # R^2 of the model fitted, not of least squares: 6 decimals printed.
    np.testing.assert_allclose(r2, r2_of(oracle, X, y), atol=6e-7)
    model = joblib.load(model_path)
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, rtol=1e-9)
    np.testing.assert_allclose(model.loss_curve_, oracle.loss_curve_, rtol=1e-9)


@pytest.mark.parametrize(
    "columns", [["x", "y"], ["y", "x"]], ids=["target last", "target first"]
)
def test_fit_of_floats_in_ranges_reads_the_chunks_own_block(
    capsys, tmp_path, monkeypatch, small_ranges, columns
):
    # A file of floats, the target last: a chunk of several ranges is one
    # array, given to the fit as it is (read-only); the target first: copied.
    from sklearn_quadneuron import QuadraticGDRegressor

    x = np.random.default_rng(3).normal(size=600)
    y = 2 * x**2 - x + 1 + np.sin(7 * x) / 10
    frame = pd.DataFrame({"x": x, "y": y})[columns]
    path, model_path = tmp_path / "floats.csv", tmp_path / "model.joblib"
    frame.to_csv(path, index=False)
    writeable = []
    original = small_ranges.numeric_values

    def numeric_values(chunk, names, name):
        values = original(chunk, names, name)
        writeable.append(values.flags.writeable)
        return values

    monkeypatch.setattr(small_ranges, "numeric_values", numeric_values)
    argv = ["fit", path, "--target", "y", "--solver", "newton-cholesky"]
    status, _, err = run(capsys, *argv, "--save", model_path)
    assert status == 0, err
    assert len(writeable) == 600 // 60
    assert not any(writeable) if columns == ["x", "y"] else all(writeable)
    read = pd.read_csv(path)
    oracle = QuadraticGDRegressor(solver="newton-cholesky").fit(read[["x"]], read.y)
    model = joblib.load(model_path)
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, rtol=1e-9)

    # A missing target far in the file: named by its column and data row.
    frame.iloc[400, columns.index("y")] = np.nan
    frame.to_csv(path, index=False)
    status, _, err = run(capsys, "fit", path, "--target", "y")
    assert status != 0
    assert "column 'y' has a missing or NaN value in data row 401" in err


def test_rsquared_of_a_model_stopped_early_is_its_own(capsys, csv_data):
    # Two small steps from zero: far from least squares, whose R^2 is near 1.
    from sklearn_quadneuron import QuadraticGDRegressor

    path, frame = csv_data
    options = ["--max-iter", "2", "--tol", "none", "--learning-rate", "0.01"]
    argv = ["fit", path, "--target", "yield", "--features", *FEATURES, *options]
    status, out, err = run(capsys, *argv)
    assert status == 0, err
    X, y = frame[FEATURES], frame["yield"].to_numpy()
    oracle = QuadraticGDRegressor(max_iter=2, tol=None, learning_rate=0.01)
    oracle.fit(X, y)
    expected = r2_of(oracle, X, y)
    assert expected < 0.9
    np.testing.assert_allclose(printed_fit(out)[1], expected, atol=6e-7)


def test_fit_summary_of_chunks_is_statsmodels_ols(capsys, csv_data, small_chunks):
    sm = pytest.importorskip("statsmodels.api")
    path, frame = csv_data
    argv = ["fit", path, "--target", "yield", "--features", *FEATURES]
    status, out, err = run(capsys, *argv, "--summary")
    assert status == 0, err
    assert len(small_chunks) == 9
    X = frame[FEATURES].to_numpy()
    result = sm.OLS(frame["yield"].to_numpy(), np.column_stack([X**2, X, np.ones(400)]))
    result = result.fit()
    row = re.search(r"^humidity\^2 +(\S+) +(\S+) +(\S+)", out, re.MULTILINE)
    np.testing.assert_allclose(
        [float(v) for v in row.groups()],
        [result.params[1], result.bse[1], result.tvalues[1]],
        rtol=1e-3,
    )
    assert re.search(rf"R-squared:\s+{result.rsquared:.3f}", out)
    np.testing.assert_allclose(printed_fit(out)[1], result.rsquared, atol=2e-6)


def stdin_of(monkeypatch, data):
    """Standard input holding ``data`` (bytes)."""
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_fit_reads_standard_input(capsys, monkeypatch, csv_data, small_chunks):
    path, _ = csv_data
    status, from_file, err = run(capsys, "fit", path, "--target", "yield")
    assert status == 0, err
    stdin_of(monkeypatch, path.read_bytes())
    status, from_stdin, err = run(capsys, "fit", "-", "--target", "yield")
    assert status == 0, err
    assert from_stdin == from_file
    assert err.startswith("quadneuron: note: <stdin>: leaving out the column 'site'")


@pytest.mark.parametrize(
    "options, option",
    [
        (["--precompute", "false"], "--precompute false"),
        (["--batch-size", "16"], "--batch-size"),
    ],
)
def test_options_reading_every_epoch_need_a_file(
    capsys, monkeypatch, csv_data, options, option
):
    path, _ = csv_data
    stdin_of(monkeypatch, path.read_bytes())
    argv = ["fit", "-", "--target", "yield", "--features", *FEATURES, *options]
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert error_line(err) == (
        f"quadneuron: error: {option} reads the data every epoch, and standard "
        "input can be read only once: give the file's name instead of '-'"
    )


def test_a_one_step_solver_ignores_batch_size_on_standard_input(
    capsys, monkeypatch, csv_data
):
    # newton-cholesky ignores --batch-size (the estimator's rule): statistics.
    path, frame = csv_data
    stdin_of(monkeypatch, path.read_bytes())
    argv = ["fit", "-", "--target", "yield", "--features", *FEATURES]
    status, out, err = run(
        capsys, *argv, "--batch-size", "16", "--solver", "newton-cholesky"
    )
    assert status == 0, err
    oracle = LinearRegression().fit(expanded(frame, FEATURES), frame["yield"])
    np.testing.assert_allclose(
        printed_fit(out)[1],
        oracle.score(expanded(frame, FEATURES), frame["yield"]),
        atol=6e-7,
    )


def test_a_later_chunk_that_is_not_numeric_is_an_error(
    capsys, tmp_path, csv_data, small_chunks
):
    path, frame = csv_data
    bad = frame.astype({"humidity": object})
    bad.loc[300, "humidity"] = "dry"
    bad_path = tmp_path / "bad.csv"
    bad.to_csv(bad_path, index=False)
    status, out, err = run(capsys, "fit", bad_path, "--target", "yield")
    assert status == 2
    assert error_line(err) == (
        f"quadneuron: error: {bad_path}: column 'humidity' is not numeric ('dry' "
        "in data row 301); choose numeric columns"
    )


@pytest.mark.parametrize("ranges", [False, True])
def test_predict_of_chunks_is_the_models(
    capsys, tmp_path, csv_data, small_chunks, request, ranges
):
    # Read by pandas' iterator, or parsed in ranges of 512 bytes on threads.
    from sklearn_quadneuron import QuadraticGDRegressor

    if ranges:
        request.getfixturevalue("small_ranges")

    path, frame = csv_data
    model = QuadraticGDRegressor().fit(frame[FEATURES], frame["yield"])
    model_path = tmp_path / "model.joblib"
    joblib.dump(model, model_path)
    labelled = tmp_path / "labelled.csv"
    frame.rename_axis("id").set_axis(np.arange(400) * 7).rename_axis("id").to_csv(
        labelled
    )
    argv = ["predict", model_path, labelled, "--index-col", "id"]
    status, out, err = run(capsys, *argv)
    assert status == 0 and err == ""
    predictions = pd.read_csv(io.StringIO(out))
    assert list(predictions.columns) == ["id", "prediction"]
    np.testing.assert_array_equal(predictions.id, np.arange(400) * 7)
    np.testing.assert_allclose(
        predictions.prediction, model.predict(frame[FEATURES]), rtol=1e-15
    )

    # The index DataFrame.to_csv writes, recognised on the first chunk, dropped
    # from every one, and said once the file was read.
    written = tmp_path / "written.csv"
    frame.to_csv(written)
    output = tmp_path / "out.csv"
    status, out, err = run(capsys, "predict", model_path, written, "--output", output)
    assert status == 0 and out == ""
    note, done = err.splitlines()
    assert note.startswith(f"quadneuron: note: {written}: ignoring the first column")
    assert "holding 0..399" in note
    assert done == f"400 predictions written to {output}"
    np.testing.assert_allclose(
        pd.read_csv(output).prediction, model.predict(frame[FEATURES]), rtol=1e-15
    )


# -- outputs are checked before any work ------------------------------------------


@pytest.fixture
def no_work(monkeypatch):
    """Make reading a CSV file or fitting fail loudly: no work may be done."""
    from sklearn_quadneuron._cli import tables

    def refuse(*args, **kwargs):
        raise AssertionError("work was done before the output was checked")

    monkeypatch.setattr(tables, "CsvChunks", refuse)
    monkeypatch.setattr("sklearn_quadneuron.datasets.make_quadratic", refuse)


@pytest.mark.parametrize(
    "command, reason",
    [
        (["fit", "{data}", "--target", "yield", "--save", "{bad}"], "model"),
        (["predict", "{model}", "{data}", "--output", "{bad}"], "predictions"),
        (["demo", "--animate", "{bad}.gif"], "animation"),
    ],
)
@pytest.mark.parametrize("where", ["missing directory", "a directory"])
def test_outputs_are_checked_before_any_work(
    capsys, tmp_path, files, no_work, command, reason, where
):
    bad = tmp_path / "no" / "dir" / "out" if where == "missing directory" else tmp_path
    if where == "a directory" and command[0] == "demo":
        bad = tmp_path / "dir"
        (tmp_path / "dir.gif").mkdir()
    argv = [
        arg.format(data=files["train"], model=files["model"], bad=bad)
        for arg in command
    ]
    before = sorted(tmp_path.rglob("*"))
    capsys.readouterr()
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    line = error_line(err)
    strerror = (
        "No such file or directory"
        if where == "missing directory"
        else ("Is a directory")
    )
    assert line.endswith(f"cannot write the {reason} ({strerror})"), line
    assert sorted(tmp_path.rglob("*")) == before


def test_a_failed_fit_leaves_no_file(capsys, tmp_path, csv_data):
    path, _ = csv_data
    model_path = tmp_path / "model.joblib"
    argv = ["fit", path, "--target", "yield", "--learning-rate", 5]
    status, out, err = run(capsys, *argv, "--no-standardize", "--save", model_path)
    assert status == 1 and "diverged" in error_line(err)
    # Neither the model nor the file it was being written to.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.csv"]


def test_output_replaces_a_file_whole(capsys, tmp_path, files):
    output = tmp_path / "out.csv"
    output.write_text("old content\n" * 10_000)
    output.chmod(0o640)
    argv = ["predict", files["model"], files["train"], "--output", output]
    status, _, err = run(capsys, *argv)
    assert status == 0, err
    assert output.read_text().startswith("prediction\n")
    assert len(output.read_text().splitlines()) == 401
    # The file keeps its mode; no temporary file is left beside it.
    assert output.stat().st_mode & 0o777 == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_plot_dir_cannot_be_standard_output(capsys, no_work):
    status, out, err = run(capsys, "demo", "--plot-dir", "-")
    assert status == 2 and out == ""
    assert "'-' (standard output) cannot hold them" in error_line(err)


# -- a large file, parsed a range of its bytes at a time on two threads -------------


@pytest.fixture
def small_ranges(monkeypatch):
    """Ranges of 512 bytes (files of 1 KiB and more), chunks of 60 rows."""
    from sklearn_quadneuron._cli import tables

    monkeypatch.setattr(tables, "RANGE_BYTES", 512)
    monkeypatch.setattr(tables, "CHUNK_VALUES", 16)
    monkeypatch.setattr(tables, "_FIRST_ROWS", 60)
    return tables


def chunks_of(tables, path, index_col=None):
    """Every chunk CsvChunks reads of a file: (start, frame), and its reader."""
    from sklearn_quadneuron._cli.files import Input

    with tables.CsvChunks(Input(str(path), "a CSV file"), index_col) as table:
        kind = type(table._reader).__name__
        return [(chunk.start, chunk.frame) for chunk in table], kind


def expected_chunks(path, rows, index_col=None):
    """The oracle: pandas' read of the whole file, cut into chunks of ``rows``."""
    whole = pd.read_csv(path, index_col=index_col)
    return [
        (start, whole.iloc[start : start + rows])
        for start in range(0, len(whole), rows)
    ]


def test_a_large_file_is_parsed_in_ranges_as_pandas_reads_it(small_ranges, tmp_path):
    # Integers, floats, a column empty in some rows, a blank line, the index a
    # DataFrame writes: each chunk as pandas' read of the whole file has it,
    # with the row labels numbered on (what predict's output keeps).
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "a": rng.integers(0, 9, 400),
            "b": rng.normal(size=400),
            "c": rng.normal(size=400),
        }
    )
    frame.loc[[5, 250], "c"] = np.nan
    path = tmp_path / "large.csv"
    frame.to_csv(path)
    text = path.read_text().splitlines(keepends=True)
    path.write_text("".join(text[:200] + ["\n"] + text[200:]))
    got, kind = chunks_of(small_ranges, path, index_col=None)
    assert kind == "_RangeReader" and len(got) == 7
    whole = pd.read_csv(path).drop(columns="Unnamed: 0")
    for (start, chunk), (start_, expected) in zip(got, expected_chunks(path, 60)):
        assert start == start_
        pd.testing.assert_frame_equal(chunk, whole.iloc[start : start + 60])


def test_quoted_newlines_past_the_first_range_are_read_by_pandas(
    small_ranges, tmp_path
):
    # A quoted field holding a newline may straddle a cut: from the first range
    # that holds one, the rest is pandas' own iterator's, from that range's start.
    rows = [f"{i},{i * 0.5},plain" for i in range(300)]
    rows[150] = '150,75.0,"two\nlines"'
    rows[151] = '151,75.5,"a ""quoted"" word"'
    path = tmp_path / "quoted.csv"
    path.write_text("n,x,note\n" + "\n".join(rows) + "\n")
    got, kind = chunks_of(small_ranges, path)
    assert kind == "_RangeReader"
    frames = pd.concat([frame for _, frame in got])
    pd.testing.assert_frame_equal(frames, pd.read_csv(path))


@pytest.mark.parametrize("row", [3, 333])
def test_a_bad_line_far_in_a_large_file_is_named_as_pandas_names_it(
    capsys, small_ranges, tmp_path, row
):
    # In the first range (read by pandas' iterator from the start, the range
    # reader closed), or far in the file (pandas' reader of the rest).
    rows = [f"{i},{i * 0.5}" for i in range(400)]
    rows[row] = f"{row},1.0,7"
    path = tmp_path / "bad.csv"
    path.write_text("x,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(pd.errors.ParserError) as whole:
        pd.read_csv(path)
    line = re.search(r"line \d+", str(whole.value)).group()
    status, out, err = run(capsys, "fit", str(path), "--target", "y")
    assert status == 2 and line in error_line(err) and line == f"line {row + 2}"
    gc.collect()  # an unclosed file would warn here (warnings are errors)


def test_a_bad_line_that_starts_a_range_is_named_as_pandas_names_it(
    capsys, small_ranges, tmp_path
):
    # Read on its own, a range whose first row has a field too many takes it for
    # row labels; pandas' reader of the rest starts a row early, so that the
    # row is found to have a field too many, as in a read of the whole file.
    text = "x,y\n" + "".join(f"{i},{i * 0.5}\n" for i in range(400))
    # The first range: RANGE_BYTES past the header, on to a newline.
    cut = text.index("\n", len("x,y\n") + small_ranges.RANGE_BYTES) + 1
    end = text.index("\n", cut)
    path = tmp_path / "bad.csv"
    path.write_text(text[:cut] + "7,1.0,7" + text[end:])
    with pytest.raises(pd.errors.ParserError) as whole:
        pd.read_csv(path)
    line = re.search(r"line \d+", str(whole.value)).group()
    status, out, err = run(capsys, "fit", str(path), "--target", "y")
    assert status == 2 and line in error_line(err), (line, err)


def test_a_word_far_in_a_large_file_is_named_by_its_data_row(
    capsys, small_ranges, tmp_path
):
    rows = [f"{i},{i * 0.5 + 1}" for i in range(400)]
    rows[321] = "321,n/a?"
    path = tmp_path / "word.csv"
    path.write_text("x,y\n" + "\n".join(rows) + "\n")
    status, out, err = run(capsys, "fit", str(path), "--target", "y")
    assert status == 2
    assert "column 'y' is not numeric ('n/a?' in data row 322)" in error_line(err)


def test_a_header_longer_than_a_range_is_read_in_ranges(small_ranges, tmp_path):
    # A wide file's header (720 bytes) past the first range's length: the
    # first range is counted from the header's end, so that it holds rows.
    names = [f"feature_{i:03d}" for i in range(60)]
    rng = np.random.default_rng(1)
    path = tmp_path / "wide.csv"
    pd.DataFrame(rng.integers(0, 999, (200, 60)), columns=names).to_csv(
        path, index=False
    )
    got, kind = chunks_of(small_ranges, path)
    assert kind == "_RangeReader"
    pd.testing.assert_frame_equal(
        pd.concat([frame for _, frame in got]), pd.read_csv(path)
    )


@pytest.mark.parametrize("layout", ["one line", "implied index"])
def test_files_no_range_can_serve_are_read_by_pandas(small_ranges, tmp_path, layout):
    # No newline within reach of a cut (a file of long lines: patched to 2 KiB),
    # or a header one field short (the first column taken for the index): what
    # no range can read is pandas' iterator's, and the chunks are the same.
    path = tmp_path / "file.csv"
    if layout == "one line":
        small_ranges._LONGEST_LINE = 2048
        long_one = "1." + "0" * 3000  # one, written long
        lines = [f"{i},{2 * i}\n" for i in range(300)]
        lines[120] = f"120,{long_one}\n"
        path.write_text("x,y\n" + "".join(lines))
        got, kind = chunks_of(small_ranges, path)
        assert kind == "_RangeReader"
        pd.testing.assert_frame_equal(
            pd.concat([frame for _, frame in got]), pd.read_csv(path)
        )
        return
    path.write_text("x,y\n" + "".join(f"{i + 7},{i},{2 * i}\n" for i in range(300)))
    got, kind = chunks_of(small_ranges, path)
    assert kind == "TextFileReader"
    pd.testing.assert_frame_equal(
        pd.concat([frame for _, frame in got]), pd.read_csv(path)
    )


@pytest.mark.parametrize(
    "chunk_values, in_flight",
    # Rows of 14 bytes: the first range (512 bytes past the header, on to a
    # newline) holds 37 rows, 36 per 512 bytes. Chunks of 60, 200 and
    # 2000 rows: 2, 6 and 56 ranges, the last past the most (8).
    [(16, 2), (400, 6), (4000, 8)],
)
def test_ranges_in_flight_hold_about_a_chunk(
    small_ranges, tmp_path, monkeypatch, chunk_values, in_flight
):
    # Memory is bounded by about a chunk's rows ahead, whatever the file's size.
    monkeypatch.setattr(small_ranges, "CHUNK_VALUES", chunk_values)
    submitted, most = [], []
    original = small_ranges._RangeReader._ahead

    def ahead(self):
        original(self)
        most.append(len(self._pending))
        submitted.append(self._next)

    monkeypatch.setattr(small_ranges._RangeReader, "_ahead", ahead)
    path = tmp_path / "long.csv"
    path.write_text("x,y\n" + "".join(f"{i:06d},{i % 7:06d}\n" for i in range(3000)))
    got, _ = chunks_of(small_ranges, path)
    assert sum(len(frame) for _, frame in got) == 3000
    assert max(most) == in_flight and len(submitted) > 20


# Cells of the files below: numbers of every kind, missing values, quoted ones
# (a comma, a newline), words, and rows of a field too many.
_CELLS = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False).map(repr),
    st.integers(-99, 99).map(str),
    st.sampled_from(["", "nan", "NA", "inf", "-inf", "1e400", " 5 ", "abc"]),
    st.sampled_from(['"1.5"', '"a,b"', '"x\ny"', '"say ""hi"""']),
)


@settings(max_examples=150, deadline=None)
@given(
    columns=st.integers(1, 3),
    rows=st.lists(st.lists(_CELLS, min_size=1, max_size=4), min_size=1, max_size=150),
    newline=st.sampled_from(["\n", "\r\n"]),
    range_bytes=st.sampled_from([64, 200, 512]),
)
def test_ranges_read_any_file_as_pandas_reads_it_whole(
    tmp_path_factory, columns, rows, newline, range_bytes
):
    # The oracle: pandas' read of the whole file. The same values (to the last
    # bit, once made numbers: a chunk types its columns on its own rows, as
    # pandas' chunks do), or an error from both (no rows is one for the command).
    from sklearn_quadneuron._cli import tables
    from sklearn_quadneuron._cli.errors import CommandError
    from sklearn_quadneuron._cli.files import Input

    lines = [",".join(f"c{j}" for j in range(columns))]
    lines += [",".join(row[: columns + (len(row) > columns + 2)]) for row in rows]
    path = tmp_path_factory.mktemp("ranges") / "file.csv"
    path.write_bytes(newline.join(lines).encode())
    saved = tables.RANGE_BYTES, tables.CHUNK_VALUES, tables._FIRST_ROWS
    tables.RANGE_BYTES, tables.CHUNK_VALUES, tables._FIRST_ROWS = range_bytes, 8, 20
    try:
        try:
            whole = pd.read_csv(path)
        except (pd.errors.ParserError, ValueError):
            whole = None
        if whole is not None and whole.empty:
            whole = None  # the command's error: a header but no rows
        try:
            with tables.CsvChunks(Input(str(path), "a CSV file")) as table:
                chunks = [chunk.frame for chunk in table]
        except CommandError:
            chunks = None
    finally:
        tables.RANGE_BYTES, tables.CHUNK_VALUES, tables._FIRST_ROWS = saved
    assert (whole is None) == (chunks is None)
    if whole is None:
        return
    read = pd.concat(chunks)
    assert list(read.columns) == list(whole.columns) and read.shape == whole.shape

    def numbers(frame):
        return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)

    np.testing.assert_array_equal(numbers(read), numbers(whole))
