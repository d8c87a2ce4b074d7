# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Time the command line: its start, and fit on a CSV file larger than a chunk.

Start: ``quadneuron --version``, ``--help``, ``fit --help``, ``predict
--help`` and ``demo --help``, each a child process ``python -m
sklearn_quadneuron ...``, against ``python -c pass`` run beside them in the
same rounds. A time is the median wall time of a command's runs; a ratio is the
median of the per-round ratios to ``python -c pass``.

Fit: ``quadneuron fit FILE --target y`` on a CSV file of ``make_quadratic``
rows (4e6 rows, 153 MB), which it reads a chunk at a time, against
``pandas.read_csv`` of the same file in this process; the same command on a
file of 1e5 rows, whose time is that of its imports and fixed costs (numba's
kernels loaded; its parse is 1/40 of the file's), each round timing them in
turn; then the command's own function run in this process, where its imports
and kernels are loaded once, in rounds of its own beside ``pandas.read_csv``
(what the command takes beyond its fixed costs, without their noise of a few
tenths of a second from one run to the next).
The peak resident memory of each child (``VmHWM`` of ``/proc/self/status`` as
it exits: ``ru_maxrss`` would count the parent's
memory, which a child shares until it runs the new program), on the file and
on the file twice over (its rows, then its rows again), shows whether memory
grows with the file.

Run ``python benchmarks/bench_cli.py`` (about five minutes; writes
``benchmarks/results/cli.md`` and ``cli.rst``) or ``--quick`` (a small file,
prints only: a smoke test, the targets are not checked).
"""

import contextlib
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _common import (
    REPOSITORY,
    Report,
    benchmark_parser,
    conclude,
    fmt_ratio,
    fmt_seconds,
    interleaved,
)

from sklearn_quadneuron._cli.main import main as command_line
from sklearn_quadneuron._cli.tables import CHUNK_VALUES, RANGE_BYTES
from sklearn_quadneuron.datasets import make_quadratic

START_COMMANDS = {
    "--version": ["--version"],
    "--help": ["--help"],
    "fit --help": ["fit", "--help"],
    "predict --help": ["predict", "--help"],
    "demo --help": ["demo", "--help"],
}
BASELINE = "python -c pass"
# Each command starts within this many seconds of wall time (median).
START_TARGET = 0.3
# The fit may take its imports and fixed costs (its time on 1e5 rows) plus
# this many times one pandas.read_csv of the file.
READ_TARGET = 1.5
# Memory bounded whatever the size: the peak on the file twice over may exceed
# that on the file by this many MiB at most (a chunk is 16 MiB of float64).
MEMORY_GROWTH_TARGET = 32


def child_env():
    """The environment of the children: this checkout's package first."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPOSITORY), *filter(None, [env.get("PYTHONPATH")])]
    )
    return env


ENV = child_env()


def run_child(argv):
    """Run a child process to its end; what it wrote on stderr."""
    result = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed: {result.stderr}")
    return result.stderr.decode()


def quadneuron(*args):
    return [sys.executable, "-m", "sklearn_quadneuron", *map(str, args)]


# python -m sklearn_quadneuron, which says its peak resident memory as it exits.
WITH_PEAK = """
import atexit, runpy, sys

def peak():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print("peak-kib", line.split()[1], file=sys.__stderr__)

atexit.register(peak)
sys.argv[0] = "quadneuron"
runpy.run_module("sklearn_quadneuron", run_name="__main__", alter_sys=True)
"""


def peak_of(*args):
    """Run the command line; its peak resident memory in MiB."""
    error = run_child([sys.executable, "-c", WITH_PEAK, *map(str, args)])
    return int(error.split("peak-kib")[-1].split()[0]) / 1024


def start(report, args):
    funcs = {BASELINE: lambda: run_child([sys.executable, "-c", "pass"])}
    for name, argv in START_COMMANDS.items():
        funcs[name] = lambda argv=argv: run_child(quadneuron(*argv))
    rounds = interleaved(funcs, rounds=args.rounds, pause=0.05)
    report.section("Start")
    report.paragraph(
        f"Each command a child process `python -m sklearn_quadneuron ...`, "
        f"run in turn with `{BASELINE}` in {rounds.rounds} rounds: the median "
        "wall time, the fastest, and the median of the per-round ratios to "
        f"`{BASELINE}`."
    )
    rows, checks = [], []
    for name in funcs:
        wall = rounds.wall[name]
        ratio = rounds.ratio(name, BASELINE)
        rows.append(
            [
                f"`{name}`" if name == BASELINE else f"`quadneuron {name}`",
                fmt_seconds(float(np.median(wall))),
                fmt_seconds(float(wall.min())),
                fmt_ratio(ratio),
            ]
        )
        if name != BASELINE:
            median = float(np.median(wall))
            checks.append(
                (
                    median <= START_TARGET,
                    f"`quadneuron {name}` starts within {START_TARGET} s",
                    f"{fmt_seconds(median)} ({fmt_ratio(ratio)} `{BASELINE}`)",
                )
            )
    report.table(["command", "median", "fastest", f"ratio to {BASELINE}"], rows)
    return checks


def write_csv(path, n_rows):
    X, y = make_quadratic(n_rows, noise=1.0, random_state=0)
    pd.DataFrame({"x": X[:, 0], "y": y}).to_csv(path, index=False)


def fit(report, args, directory):
    n_rows = 100_000 if args.quick else args.rows
    big, double, small = (
        directory / f"{name}.csv" for name in ("big", "double", "small")
    )
    write_csv(big, n_rows)
    text = big.read_bytes()
    double.write_bytes(text + text[text.index(b"\n") + 1 :])
    del text
    small_rows = n_rows // 40
    write_csv(small, small_rows)
    megabytes = big.stat().st_size / 2**20
    peaks = {}

    def command(path, key):
        def run():
            peaks.setdefault(key, []).append(peak_of("fit", path, "--target", "y"))

        return run

    def read():
        pd.read_csv(big)

    # The rows of the command's chunks on a file of two columns.
    chunk_rows = CHUNK_VALUES // 2

    def read_chunks():
        for _ in pd.read_csv(big, chunksize=chunk_rows):
            pass

    def in_process():
        with contextlib.redirect_stdout(io.StringIO()):
            assert command_line(["fit", str(big), "--target", "y"]) == 0

    in_process()  # its imports and kernels loaded
    rounds = interleaved(
        {
            "fit": command(big, "fit"),
            "read_csv": read,
            "read_csv in chunks": read_chunks,
            "fit small": command(small, "small"),
        },
        rounds=2 if args.quick else args.fit_rounds,
        warmup=False,
    )
    for _ in range(2 if args.quick else 3):
        command(double, "double")()
    fit_time = rounds.median("fit")
    read_time = rounds.median("read_csv")
    chunked = rounds.ratio("read_csv in chunks", "read_csv")
    fixed = rounds.median("fit small")
    # Per round: the fit's time beyond its fixed costs, in reads of the file.
    beyond = np.median(
        (rounds.wall["fit"] - rounds.wall["fit small"]) / rounds.wall["read_csv"]
    )
    # The command in this process, in rounds of its own: a second each.
    own_rounds = interleaved(
        {"fit in this process": in_process, "read_csv": read},
        rounds=2 if args.quick else 3 * args.fit_rounds,
        warmup=False,
    )
    own = own_rounds.ratio("fit in this process", "read_csv")
    peak = {key: float(np.median(values)) for key, values in peaks.items()}
    report.section("Fit of a file larger than a chunk")
    report.paragraph(
        f"`quadneuron fit FILE --target y` on {n_rows:,} rows of "
        f"`make_quadratic(noise=1.0)`, columns x and y ({megabytes:.0f} MiB), "
        f"in {rounds.rounds} rounds, each timing in turn the command, "
        "`pandas.read_csv` of the file in this process, and the command on "
        f"{small_rows:,} rows (its imports and fixed costs), pandas' read of "
        f"the file in chunks of {chunk_rows:,} rows ({fmt_ratio(chunked)} the "
        "whole file's read, which pandas parses on two threads); then, in "
        f"{own_rounds.rounds} rounds of their own, the command run in this "
        "process and `pandas.read_csv` (its imports loaded once: what it takes "
        f"beyond them, {fmt_ratio(own)} the whole read; the difference of the "
        f"two commands' times, {fmt_ratio(beyond)}, carries the noise of their "
        f"fixed costs). The command parses a file of {2 * RANGE_BYTES >> 20} MiB "
        f"or more in ranges of {RANGE_BYTES >> 20} MiB of its bytes on two "
        "threads, and one it reads from standard input or compressed in pandas' "
        "chunks. Peak memory: the median `VmHWM` of the command's processes as "
        "they exit."
    )
    report.table(
        ["run", "median wall", "peak memory"],
        [
            [f"fit, {n_rows:,} rows", fmt_seconds(fit_time), f"{peak['fit']:.0f} MiB"],
            [f"fit, {2 * n_rows:,} rows", "", f"{peak['double']:.0f} MiB"],
            [
                f"fit, {small_rows:,} rows",
                fmt_seconds(fixed),
                f"{peak['small']:.0f} MiB",
            ],
            [
                f"`pandas.read_csv`, {n_rows:,} rows, beside the commands",
                fmt_seconds(read_time),
                "",
            ],
            [
                f"`pandas.read_csv(chunksize={chunk_rows:,})`, {n_rows:,} rows",
                fmt_seconds(rounds.median("read_csv in chunks")),
                "",
            ],
            [
                f"the command in this process, {n_rows:,} rows",
                fmt_seconds(own_rounds.median("fit in this process")),
                "",
            ],
            [
                f"`pandas.read_csv`, {n_rows:,} rows, in the same rounds",
                fmt_seconds(own_rounds.median("read_csv")),
                "",
            ],
        ],
    )
    growth = peak["double"] - peak["fit"]
    return [
        (
            own <= READ_TARGET,
            f"fit takes at most its fixed costs plus {READ_TARGET}x "
            "`pandas.read_csv` of the file",
            f"{fmt_ratio(own)} read_csv in this process (median of the rounds); "
            f"{fmt_ratio(beyond)} from the commands' times",
        ),
        (
            growth <= MEMORY_GROWTH_TARGET,
            f"peak memory on the file twice over exceeds that on the file by at "
            f"most {MEMORY_GROWTH_TARGET} MiB",
            f"{growth:+.0f} MiB ({peak['fit']:.0f} to {peak['double']:.0f} MiB)",
        ),
    ]


def main(argv=None):
    parser = benchmark_parser(__doc__, "100,000 rows, few rounds; writes nothing")
    parser.add_argument("--rows", type=int, default=4_000_000, help="rows of the file")
    parser.add_argument("--rounds", type=int, default=21, help="rounds of starts")
    parser.add_argument("--fit-rounds", type=int, default=5, help="rounds of fits")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds = 3
    report = Report("Benchmark: the command line", "python benchmarks/bench_cli.py")
    checks = start(report, args)
    with tempfile.TemporaryDirectory() as directory:
        checks += fit(report, args, Path(directory))
    return conclude(report, "cli", checks, args)


if __name__ == "__main__":
    sys.exit(main())
