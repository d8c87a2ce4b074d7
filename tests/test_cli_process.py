# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The command line as a user meets it: a process, its output, its exit status.

What depends on the process runs ``python -m sklearn_quadneuron`` in a child
process, so that what is checked is what a shell sees: the exit status, stderr
without a traceback, warnings as Python would print them but for the command's
own rendering, pipes closed by the reader, Ctrl-C, what is imported. What does
not (options that reach the model, files, the words of a usage error) runs the
same entry point in this process (:func:`in_process`): a child costs a second
and a half of imports each time.
"""

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, Ridge

from sklearn_quadneuron import QuadraticGDRegressor, __version__
from sklearn_quadneuron.__main__ import main

COMMAND = [sys.executable, "-m", "sklearn_quadneuron"]
FEATURES = ["temperature", "humidity"]


def quadneuron(*args, python_options=()):
    """Run the command line in a child process."""
    return subprocess.run(
        [sys.executable, *python_options, "-m", "sklearn_quadneuron", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def in_process(*args):
    """Run the command line's entry point in this process, as a child would."""
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8") for _ in "12")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main([str(arg) for arg in args])
    texts = []
    for stream in (out, err):
        stream.flush()
        texts.append(stream.buffer.getvalue().decode("utf-8"))
    return subprocess.CompletedProcess(args, status, *texts)


def run_all(cases):
    """Run many command lines at once: most of each one's time is Python starting."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = pool.map(lambda args: quadneuron(*args), cases.values())
        return dict(zip(cases, results))


def assert_one_line(stderr, prefix):
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(prefix), stderr
    return lines[0]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """The training frame, and CSV files of it with and without an index."""
    directory = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    temperature = rng.uniform(-3, 5, size=400)
    humidity = rng.uniform(10, 20, size=400)
    target = (
        1.5 * temperature**2 - 4 * temperature + 0.2 * humidity**2 - humidity + 7
    ) + rng.normal(scale=0.5, size=400)
    frame = pd.DataFrame(
        {"temperature": temperature, "humidity": humidity, "yield": target}
    )
    files = {"frame": frame, "dir": directory}
    files["plain"] = directory / "plain.csv"
    frame.to_csv(files["plain"], index=False)
    # pandas' default writes the index as a first column without a name.
    files["indexed"] = directory / "indexed.csv"
    frame.to_csv(files["indexed"])
    files["named"] = directory / "named.csv"
    frame.rename_axis("id").to_csv(files["named"])
    files["shuffled"] = directory / "shuffled.csv"
    frame.sample(frac=1, random_state=0).to_csv(files["shuffled"])
    return files


def oracle_model(frame, **params):
    """The model fitted in this process, on the frame's own columns."""
    return QuadraticGDRegressor(**params).fit(frame[FEATURES], frame["yield"])


# -- version and help --------------------------------------------------------------


def test_version():
    result = quadneuron("--version")
    assert result.returncode == 0
    assert result.stdout == f"quadneuron {__version__}\n"
    assert result.stderr == ""


def help_entries(text):
    """Each option of a --help text, with its help joined on one line."""
    options = text.split("\noptions:\n", 1)[1]
    entries = re.split(r"\n(?=  -)", options.strip("\n"))
    return {
        re.match(r"\s*(-[-\w]*)", entry)[1]: " ".join(entry.split())
        for entry in entries
    }


ESTIMATOR_DEFAULTS = QuadraticGDRegressor().get_params()

HELP = {
    "demo": {
        "--epochs": "(default: 50)",
        "--learning-rate": "(default: 0.1)",
        "--seed": "(default: 0)",
        "--plot-dir": "(default: no figures)",
        "--solver": "(default: gd)",
        "--animate": "(default: no animation)",
    },
    "fit": {
        "--target": "(required)",
        "--features": "(default: every other numeric column)",
        "--index-col": "(default: none;",
        "--batch-size": "(default: none, the full batch)",
        "--random-state": "(default: none, a different order every run)",
        **{
            f"--{name.replace('_', '-')}": f"(default: {ESTIMATOR_DEFAULTS[name]})"
            for name in [
                "solver",
                "momentum",
                "learning_rate",
                "max_iter",
                "tol",
                "alpha",
                "standardize",
                "precompute",
                "verbose",
            ]
        },
        "--summary": "default: not printed)",
        "--save": "(default: not saved)",
    },
    "predict": {
        "--index-col": "(default: none;",
        "--output": "(default: standard output)",
    },
}


@pytest.mark.parametrize("command", list(HELP))
def test_help_shows_every_option_with_its_default(command):
    result = quadneuron(command, "--help")
    assert result.returncode == 0, result.stderr
    entries = help_entries(result.stdout)
    assert entries.pop("-h").startswith("-h, --help")
    # Every option is listed, and the fit options' defaults are the estimator's.
    assert set(entries) == set(HELP[command])
    for option, default in HELP[command].items():
        assert default in entries[option], entries[option]
    if command in ("fit", "predict"):
        # Where models are saved or loaded, the help says what a model file is.
        text = " ".join(result.stdout.split())
        assert "is a pickle: loading it can run any code" in text
        assert "only model files from a trusted source" in text


# -- closed pipes ----------------------------------------------------------------


def read_one_line_and_close(*args):
    process = subprocess.Popen(
        [*COMMAND, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = process.stdout.readline()
    process.stdout.close()
    status = process.wait(timeout=300)
    stderr = process.stderr.read()
    process.stderr.close()
    return first, status, stderr


def test_predict_into_a_closed_pipe_exits_141_quietly(data):
    model = data["dir"] / "pipe.joblib"
    joblib.dump(oracle_model(data["frame"]), model)
    big = data["dir"] / "big.csv"
    rng = np.random.default_rng(1)
    pd.DataFrame({"temperature": rng.uniform(-3, 5, 100_000), "humidity": 15.0}).to_csv(
        big, index=False
    )
    # 100,000 predictions are far more than a pipe holds: the writer is still
    # writing when the reader goes, whatever the timing.
    first, status, stderr = read_one_line_and_close("predict", model, big)
    assert first == "prediction\n"
    assert status == 141
    assert stderr == ""


def test_demo_into_a_closed_pipe_is_quiet():
    first, status, stderr = read_one_line_and_close("demo")
    assert first.startswith("Fitting y = a*x^2 + b*x + c")
    # The demo's few lines may all be in the pipe before the reader goes (0).
    assert status in (0, 141)
    assert stderr == ""


# -- fit's options reach the estimator -------------------------------------------


def fit_saved(data, *options, file="plain"):
    model_path = data["dir"] / "model.joblib"
    result = in_process(
        "fit", data[file], "--target", "yield", *options, "--save", model_path
    )
    assert result.returncode == 0, result.stderr
    # Where the model went is a message on stderr, after those of the fit.
    saved = f"model saved to {model_path}\n"
    assert result.stderr.endswith(saved), result.stderr
    result.stderr = result.stderr.removesuffix(saved)
    return result, joblib.load(model_path)


def test_fit_solver_options_reach_the_model(data):
    options = ["--solver", "nesterov", "--momentum", "0.5", "--batch-size", "16"]
    options += ["--random-state", "3", "--learning-rate", "0.01", "--tol", "none"]
    result, model = fit_saved(data, *options, "--max-iter", "20")
    expected = dict(
        ESTIMATOR_DEFAULTS,
        solver="nesterov",
        momentum=0.5,
        batch_size=16,
        random_state=3,
        learning_rate=0.01,
        tol=None,
        max_iter=20,
    )
    assert model.get_params() == expected
    assert model.solver_ == "nesterov" and model.momentum_ == 0.5
    frame = data["frame"]
    again = QuadraticGDRegressor(**expected).fit(frame[FEATURES], frame["yield"])
    assert model.loss_curve_ == again.loss_curve_


def expanded(frame):
    X = frame[FEATURES].to_numpy()
    return np.column_stack([X**2, X])


def test_fit_tol_none_and_precompute_reach_the_model(data):
    options = ["--tol", "none", "--max-iter", "2000", "--precompute", "false"]
    result, model = fit_saved(data, *options, "--standardize")
    expected = dict(ESTIMATOR_DEFAULTS, tol=None, max_iter=2000, precompute=False)
    assert model.get_params() == expected
    assert model.n_iter_ == 2000 and model.precompute_ is False
    assert "epochs: 2000 (stopped: max_iter)" in result.stdout
    # tol=None never warns.
    assert result.stderr == ""
    frame = data["frame"]
    oracle = LinearRegression().fit(expanded(frame), frame["yield"])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-8)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, rtol=1e-8)


def test_fit_alpha_without_standardizing_is_ridge(data):
    # One feature: the raw [x^2, x] of both are too badly conditioned for
    # gradient descent to reach Ridge's solution in a test's time.
    options = ["--alpha", "0.5", "--no-standardize", "--tol", "none"]
    _, model = fit_saved(
        data, *options, "--max-iter", "20000", "--features", "temperature"
    )
    assert model.get_params() == dict(
        ESTIMATOR_DEFAULTS, alpha=0.5, standardize=False, tol=None, max_iter=20000
    )
    # The penalty alpha * ||coef||^2 on the mean squared error of the raw
    # [x^2, x] is Ridge's on the sum of squares, with alpha scaled by n.
    frame = data["frame"]
    x = frame["temperature"].to_numpy()
    oracle = Ridge(alpha=0.5 * len(x)).fit(np.column_stack([x**2, x]), frame["yield"])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-6)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, rtol=1e-6)
    # The penalty did its work: the coefficients shrank from least squares'.
    assert np.linalg.norm(model.coef_) < np.linalg.norm(
        np.polyfit(x, frame["yield"], 2)[:2]
    )


def test_fit_learning_rate_and_verbose(data):
    options = ["--learning-rate", "0.01", "--verbose", "100", "--tol", "none"]
    result, model = fit_saved(data, *options, "--max-iter", "300")
    assert model.get_params() == dict(
        ESTIMATOR_DEFAULTS, learning_rate=0.01, verbose=100, tol=None, max_iter=300
    )
    assert model.learning_rate_ == 0.01
    # The progress of the descent is on stderr; stdout holds the result alone.
    assert "Epoch" not in result.stdout
    printed = re.findall(r"^Epoch (\d+), loss = (\S+)$", result.stderr, flags=re.M)
    assert [int(epoch) for epoch, _ in printed] == [1, 100, 200, 300]
    # The loss before the first update, from zero parameters, is mean(y^2).
    y = data["frame"]["yield"].to_numpy()
    np.testing.assert_allclose(float(printed[0][1]), np.mean(y**2), rtol=1e-8)
    np.testing.assert_allclose(
        [float(loss) for _, loss in printed],
        np.array(model.loss_curve_)[[0, 99, 199, 299]],
        rtol=1e-7,
    )


# -- the index written by DataFrame.to_csv ---------------------------------------


def test_fit_drops_the_written_index_with_a_note(data):
    result, model = fit_saved(data, file="indexed")
    note = assert_one_line(result.stderr, "quadneuron: note: ")
    assert str(data["indexed"]) in note and "0..399" in note
    assert "--index-col" in note
    assert list(model.feature_names_in_) == FEATURES
    oracle = oracle_model(data["frame"])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-12)
    np.testing.assert_allclose(model.intercept_, oracle.intercept_, rtol=1e-12)


def test_fit_drops_a_shuffled_index_too(data):
    result, model = fit_saved(data, file="shuffled")
    note = assert_one_line(result.stderr, "quadneuron: note: ")
    assert "distinct integers" in note
    assert list(model.feature_names_in_) == FEATURES
    oracle = oracle_model(data["frame"])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-9)


def test_predict_drops_the_written_index_as_fit_does(data):
    model_path = data["dir"] / "indexed.joblib"
    model = oracle_model(data["frame"])
    joblib.dump(model, model_path)
    result = in_process("predict", model_path, data["indexed"])
    assert result.returncode == 0, result.stderr
    assert_one_line(result.stderr, "quadneuron: note: ")
    lines = result.stdout.splitlines()
    assert lines[0] == "prediction"
    np.testing.assert_allclose(
        np.array(lines[1:], dtype=float), model.predict(data["frame"][FEATURES])
    )


def test_index_col_names_the_index(data):
    result, model = fit_saved(data, "--index-col", "id", file="named")
    assert result.stderr == ""
    assert list(model.feature_names_in_) == FEATURES
    oracle = oracle_model(data["frame"])
    np.testing.assert_allclose(model.coef_, oracle.coef_, rtol=1e-12)

    model_path = data["dir"] / "named.joblib"
    joblib.dump(model, model_path)
    result = in_process("predict", model_path, data["named"], "--index-col", "id")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    # The row labels go out with the predictions they label.
    assert lines[0] == "id,prediction"
    labels, predictions = np.array([line.split(",") for line in lines[1:]]).T
    np.testing.assert_array_equal(labels.astype(int), np.arange(400))
    np.testing.assert_allclose(
        predictions.astype(float), oracle.predict(data["frame"][FEATURES])
    )


def test_index_col_keeps_the_first_column_from_being_guessed(data):
    # Naming the unnamed column as the index: no guess, so no note.
    result, model = fit_saved(data, "--index-col", "Unnamed: 0", file="indexed")
    assert result.stderr == ""
    assert list(model.feature_names_in_) == FEATURES


# -- exit statuses and one-line messages -----------------------------------------

USAGE_ERRORS = {
    "unknown command": (["bogus"], "invalid choice: 'bogus'"),
    "not an integer": (
        ["demo", "--epochs", "abc"],
        "argument --epochs: expected an integer, got 'abc'",
    ),
    "demo solver": (
        ["demo", "--solver", "sgd"],
        "argument --solver: must be one of 'adam', 'gd', 'momentum', 'nesterov', "
        "'newton-cholesky', got 'sgd'",
    ),
    "demo learning rate": (
        ["demo", "--learning-rate", "-1"],
        "argument --learning-rate: must be a float in the range (0.0, inf) or 'auto'",
    ),
    "alpha": (
        ["fit", "{plain}", "--target", "yield", "--alpha", "-1"],
        "argument --alpha: must be a float in the range [0.0, inf), got -1.0",
    ),
    "tol form": (
        ["fit", "{plain}", "--target", "yield", "--tol", "abc"],
        "argument --tol: expected a number or 'none', got 'abc'",
    ),
    "tol range": (
        ["fit", "{plain}", "--target", "yield", "--tol", "-1"],
        "argument --tol: must be a float in the range [0.0, inf) or 'none'",
    ),
    "precompute": (
        ["fit", "{plain}", "--target", "yield", "--precompute", "fast"],
        "argument --precompute: expected 'auto', 'true' or 'false', got 'fast'",
    ),
    "solver": (
        ["fit", "{plain}", "--target", "yield", "--solver", "fast"],
        "argument --solver: must be one of 'adam', 'gd', 'momentum', 'nesterov', "
        "'newton-cholesky', got 'fast'",
    ),
    "momentum": (
        ["fit", "{plain}", "--target", "yield", "--momentum", "1"],
        "argument --momentum: must be a float in the range [0.0, 1.0) or 'auto', "
        "got 1.0",
    ),
    "batch size form": (
        ["fit", "{plain}", "--target", "yield", "--batch-size", "0"],
        "argument --batch-size: expected an integer >= 1 or 'none', got '0'",
    ),
    "batch size with precompute": (
        ["fit", "{plain}", "--target", "yield", "--batch-size", "8"]
        + ["--precompute", "true"],
        "arguments --batch-size and --precompute: batch_size=8 reads",
    ),
    "max iter": (
        ["fit", "{plain}", "--target", "yield", "--max-iter", "0"],
        "argument --max-iter: must be an int in the range [1, inf), got 0",
    ),
    "verbose": (
        ["fit", "{plain}", "--target", "yield", "--verbose", "-1"],
        "argument --verbose: must be an int in the range [0, inf), got -1",
    ),
    "missing file": (["fit", "{dir}/nope.csv", "--target", "y"], "no such file"),
    "unknown index column": (
        ["fit", "{plain}", "--target", "yield", "--index-col", "id"],
        "no column 'id' for --index-col",
    ),
    "index as target": (
        ["fit", "{named}", "--target", "id", "--index-col", "id"],
        "column 'id' is the index (--index-col)",
    ),
    "not a model": (["predict", "{plain}", "{plain}"], "not a model saved by"),
}


# One of each kind runs in a child process: the parser's, the estimator's
# parameters', a file's.
IN_A_CHILD = ["unknown command", "alpha", "not a model"]


@pytest.fixture(scope="module")
def usage_errors(data):
    return run_all(
        {
            case: [arg.format(**data) for arg in USAGE_ERRORS[case][0]]
            for case in IN_A_CHILD
        }
    )


@pytest.mark.parametrize("case", list(USAGE_ERRORS))
def test_usage_errors_exit_2_with_one_line(usage_errors, data, case):
    if case in IN_A_CHILD:
        result = usage_errors[case]
    else:
        result = in_process(*(arg.format(**data) for arg in USAGE_ERRORS[case][0]))
    assert result.returncode == 2
    line = assert_one_line(result.stderr, "quadneuron")
    assert re.match(r"quadneuron( \w+)?: error: ", line), line
    assert USAGE_ERRORS[case][1] in line
    # Never the name of a function of the code.
    assert not re.search(r"\b_\w+|invalid \w+ value", line), line


# The fit never converges in 2 tiny steps: a ConvergenceWarning.
NOT_CONVERGING = ["--max-iter", "2", "--learning-rate", "1e-6"]


def test_convergence_warning_is_one_line(data):
    result = quadneuron("fit", data["plain"], "--target", "yield", *NOT_CONVERGING)
    assert result.returncode == 0
    line = assert_one_line(result.stderr, "quadneuron: warning: ")
    assert "did not converge (max_iter=2 epochs ran)" in line
    assert "epochs: 2 (stopped: max_iter)" in result.stdout


def test_convergence_warning_as_an_error_exits_1(data):
    # python -W turns the warning into an error: the fit failed, status 1.
    result = quadneuron(
        "fit",
        data["plain"],
        "--target",
        "yield",
        *NOT_CONVERGING,
        python_options=["-W", "error:QuadraticGDRegressor did not converge"],
    )
    assert result.returncode == 1
    line = assert_one_line(result.stderr, "quadneuron: error: ")
    assert line.startswith("quadneuron: error: ConvergenceWarning: ")
    assert result.stdout == ""


def run_with_method_replaced(method, body, argv):
    """Run the command line with a method of QuadraticGDRegressor replaced."""
    script = "\n".join(
        [
            "import sys, warnings",
            "import numpy as np",
            "from sklearn_quadneuron import QuadraticGDRegressor",
            "from sklearn_quadneuron.__main__ import main",
            f"original = QuadraticGDRegressor.{method}",
            f"def {method}(self, X, *args):",
            *(f"    {line}" for line in body),
            f"QuadraticGDRegressor.{method} = {method}",
            f"sys.exit(main({[str(arg) for arg in argv]!r}))",
        ]
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )


def run_with_fit_replaced(body, argv):
    return run_with_method_replaced("fit", body, argv)


def test_unexpected_exception_exits_1_with_its_type(data):
    argv = ["fit", data["plain"], "--target", "yield"]
    result = run_with_fit_replaced(["raise RuntimeError('the\\nbug')"], argv)
    assert result.returncode == 1
    line = assert_one_line(result.stderr, "quadneuron: error: ")
    assert line == "quadneuron: error: RuntimeError: the bug"


def test_ctrl_c_exits_130_with_one_line(data):
    argv = ["fit", data["plain"], "--target", "yield"]
    result = run_with_fit_replaced(["raise KeyboardInterrupt"], argv)
    assert result.returncode == 130
    assert result.stderr == "quadneuron: interrupted\n"


def test_numpy_runtime_warning_is_one_line(data):
    body = ["np.log(np.array([-1.0]))", "return original(self, X, *args)"]
    result = run_with_fit_replaced(body, ["fit", data["plain"], "--target", "yield"])
    assert result.returncode == 0, result.stderr
    line = assert_one_line(result.stderr, "quadneuron: warning: ")
    assert line == "quadneuron: warning: invalid value encountered in log"


def test_model_from_another_version_is_a_usage_error(data):
    # A pickle holds the private state of the version that saved it: a model
    # whose state this version does not know fails as a bad input file.
    model_path = data["dir"] / "other_version.joblib"
    joblib.dump(oracle_model(data["frame"]), model_path)
    body = ["raise AttributeError(\"no attribute '_state'\")"]
    result = run_with_method_replaced(
        "predict", body, ["predict", model_path, data["plain"]]
    )
    assert result.returncode == 2
    line = assert_one_line(result.stderr, "quadneuron: error: ")
    assert "cannot use the model" in line and "fit it again" in line


# -- pipes ----------------------------------------------------------------------


def test_fit_and_predict_pipe(data):
    # fit reads stdin and writes the model to stdout; predict reads the model
    # from stdin. The report goes to stderr, out of the model's way.
    with open(data["plain"], "rb") as csv:
        fit = subprocess.run(
            [*COMMAND, "fit", "-", "--target", "yield", "--save", "-"],
            stdin=csv,
            capture_output=True,
            timeout=300,
        )
    assert fit.returncode == 0, fit.stderr
    report = fit.stderr.decode()
    oracle = oracle_model(data["frame"])
    assert report.splitlines()[0] == "yield = " + oracle.equation().removeprefix("y = ")
    predict = subprocess.run(
        [*COMMAND, "predict", "-", data["plain"]],
        input=fit.stdout,
        capture_output=True,
        timeout=300,
    )
    assert predict.returncode == 0, predict.stderr
    lines = predict.stdout.decode().splitlines()
    assert lines[0] == "prediction"
    np.testing.assert_allclose(
        np.array(lines[1:], dtype=float),
        oracle.predict(data["frame"][FEATURES]),
        rtol=1e-12,
    )


def test_predict_reads_stdin_and_writes_dash_to_stdout(data):
    model_path = data["dir"] / "stdin.joblib"
    model = oracle_model(data["frame"])
    joblib.dump(model, model_path)
    with open(data["plain"], "rb") as csv:
        result = subprocess.run(
            [*COMMAND, "predict", str(model_path), "-", "--output", "-"],
            stdin=csv,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "prediction"
    np.testing.assert_allclose(
        np.array(lines[1:], dtype=float), model.predict(data["frame"][FEATURES])
    )


def waits_for_stdin(*args):
    """Run with a stdin left open and never written: reading it would hang."""
    process = subprocess.Popen(
        [*COMMAND, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        status = process.wait(timeout=120)
    finally:
        process.kill()
        out, err = process.communicate()
        process.stdin.close()
    return status, out, err


@pytest.mark.parametrize(
    "args, what",
    [
        (["fit", "-", "--target", "y", "--save", "{dir}/none/m.joblib"], "model"),
        (["predict", "{model}", "-", "--output", "{dir}/none/p.csv"], "predictions"),
        (["fit", "-", "--target", "y", "--save", "{dir}"], "model"),
    ],
)
def test_an_unwritable_output_fails_before_the_input_is_read(data, args, what):
    model_path = data["dir"] / "stdin.joblib"
    joblib.dump(oracle_model(data["frame"]), model_path)
    args = [arg.format(dir=data["dir"], model=model_path) for arg in args]
    status, out, err = waits_for_stdin(*args)
    assert status == 2 and out == ""
    line = assert_one_line(err, "quadneuron: error: ")
    assert f"cannot write the {what} (" in line


# -- starting fast ----------------------------------------------------------------

HEAVY = ("numpy", "pandas", "scipy", "sklearn", "matplotlib", "joblib", "numba")
QUICK_COMMANDS = [["--version"], ["--help"], ["fit", "--help"]]
QUICK_COMMANDS += [["predict", "--help"], ["demo", "--help"]]

# The command line in a child process whose package module is a bare one, as a
# package whose __init__ imports nothing would be: what the command line itself
# imports for a command, apart from the package's __init__.
BARE_PACKAGE = """
import importlib.util, re, sys, types
spec = importlib.util.find_spec("sklearn_quadneuron")
package = types.ModuleType("sklearn_quadneuron")
package.__path__ = list(spec.submodule_search_locations)
package.__version__ = re.search(
    r'__version__ = "(.+)"', open(spec.origin).read()
).group(1)
sys.modules["sklearn_quadneuron"] = package
from sklearn_quadneuron.__main__ import main
status = main(sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
print("imported:", " ".join(heavy), file=sys.stderr)
sys.exit(status)
"""


@pytest.mark.parametrize("args", QUICK_COMMANDS, ids=" ".join)
def test_version_and_help_import_nothing_heavy(args):
    script = f"HEAVY = {HEAVY!r}\n{BARE_PACKAGE}"
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(("quadneuron ", "usage: quadneuron"))
    assert result.stderr == "imported: \n"


def test_the_commands_own_imports_are_heavy_in_a_bare_package():
    # The check above sees imports: a command that works imports numpy.
    script = f"HEAVY = {HEAVY!r}\n{BARE_PACKAGE}"
    result = subprocess.run(
        [sys.executable, "-c", script, "demo", "--epochs", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    imported = result.stderr.splitlines()[-1].split()[1:]
    assert {"numpy", "sklearn"} <= set(imported)


def test_version_does_not_import_scikit_learn():
    result = quadneuron("--version", python_options=["-X", "importtime"])
    assert result.returncode == 0
    imported = re.findall(r"^import time:.*\|\s*([\w.]+)$", result.stderr, re.M)
    assert "sklearn_quadneuron" in imported
    assert "sklearn" not in imported and "pandas" not in imported


# -- Ctrl-C at any moment ------------------------------------------------------------


def interrupt_when(args, trigger, stdin=None, delay=0.0):
    """Send SIGINT once ``trigger(line)`` is true of a line of ``-X importtime``.

    Python prints a line on stderr as each import ends: the signal lands while
    the command imports what follows (or ``delay`` seconds later). Returns the
    status, stdout and stderr without the import lines.
    """
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", *COMMAND[1:], *map(str, args)],
        stdin=subprocess.PIPE if stdin is None else stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # A trigger that never comes must not leave the test waiting for ever.
    watchdog = threading.Timer(120, process.kill)
    watchdog.start()
    sent = False
    try:
        for line in process.stderr:
            if trigger(line):
                time.sleep(delay)
                process.send_signal(signal.SIGINT)
                sent = True
                break
        out, err = process.communicate(timeout=120)
    finally:
        watchdog.cancel()
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert sent, "the trigger never came"
    err = "".join(
        line for line in err.splitlines(keepends=True) if not line.startswith("import")
    )
    return process.returncode, out, err


def on(name):
    """Whether a line of ``-X importtime`` is that of the module ``name``.

    (Modules imported by ``importlib.import_module`` have no line.)
    """
    return lambda line: re.search(rf"\|\s*{re.escape(name)}$", line.rstrip())


@pytest.mark.parametrize(
    "moment, trigger, delay",
    [
        # The entry point is importing the command line.
        ("entry point", on("sklearn_quadneuron._cli.parser"), 0.0),
        # The command's module is being imported; its handler imports the rest.
        ("handler's imports", on("sklearn_quadneuron._cli.files"), 0.0),
        # Waiting for the data: standard input is open, and nothing comes.
        ("reading", on("sklearn_quadneuron._cli.tables"), 1.0),
    ],
)
def test_ctrl_c_while_starting_exits_130_with_one_line(data, moment, trigger, delay):
    directory = data["dir"] / f"interrupted {moment}"
    directory.mkdir()
    model_path = directory / "model.joblib"
    args = ["fit", "-", "--target", "yield", "--save", model_path]
    status, out, err = interrupt_when(args, trigger, delay=delay)
    assert status == 130, err
    assert err == "quadneuron: interrupted\n"
    assert out == ""
    # Neither the model nor the file it would have been written to.
    assert list(directory.iterdir()) == []


def test_ctrl_c_that_python_drops_still_ends_the_command(monkeypatch, capsys):
    # Python drops a KeyboardInterrupt raised while a callback runs (the import
    # system's, as a module lock goes): the entry point's handler has noted
    # the SIGINT all the same, and the command ends as interrupted, not with
    # the status of whatever ran on. The drop is simulated: the handler runs,
    # and its KeyboardInterrupt is swallowed as Python would.
    import sklearn_quadneuron.__main__ as entry
    import sklearn_quadneuron._cli.main as cli

    def dropped(argv):
        with contextlib.suppress(KeyboardInterrupt):
            signal.getsignal(signal.SIGINT)(signal.SIGINT, None)
        return 0

    monkeypatch.setattr(cli, "main", dropped)
    assert main(["--version"]) == 130
    assert capsys.readouterr().err == "quadneuron: interrupted\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert entry.NOTICED == [signal.SIGINT]


def test_ctrl_c_while_predictions_wait_for_input_exits_130(data):
    model_path = data["dir"] / "waiting.joblib"
    joblib.dump(oracle_model(data["frame"]), model_path)
    read, write = os.pipe()
    with open(data["plain"], "rb") as csv:
        head = b"".join(csv.readline() for _ in range(50))
    os.write(write, head)
    try:
        status, out, err = interrupt_when(
            ["predict", model_path, "-"],
            on("sklearn_quadneuron._cli.tables"),
            stdin=read,
            delay=1.0,
        )
    finally:
        os.close(read)
        os.close(write)
    assert status == 130, err
    assert err == "quadneuron: interrupted\n"


def test_demo_animation_to_stdout(tmp_path):
    pytest.importorskip("PIL.Image")
    result = subprocess.run(
        [*COMMAND, "demo", "--epochs", "3", "--animate", "-"],
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    # The GIF alone on stdout; the demo's report goes to stderr.
    assert result.stdout.startswith(b"GIF8")
    report = result.stderr.decode()
    assert report.startswith("Fitting y = a*x^2 + b*x + c")
    assert report.endswith("Animation written: <stdout> (4 frames)\n")
    from PIL import Image

    path = tmp_path / "descent.gif"
    path.write_bytes(result.stdout)
    with Image.open(path) as gif:
        assert gif.n_frames == 4
