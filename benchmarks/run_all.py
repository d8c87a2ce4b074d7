# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Run every benchmark in turn: the figures of the README and the documentation.

``python benchmarks/run_all.py`` runs ``bench_fit.py``, ``bench_wide.py``,
``bench_scaling.py``, ``bench_peers.py``, ``bench_dask.py``,
``bench_optimizers.py``, ``bench_newton.py``, ``bench_small.py``,
``bench_statistics.py`` and ``bench_cli.py`` one after the other (40 to 50
minutes on two cores), each writing its results to ``benchmarks/results/``,
and ends with the targets that failed, if any.
``--quick`` runs each script's quick mode instead: a smoke test of a few
minutes that writes nothing and checks no target. Extra arguments after ``--``
go to every script (``-- --output DIR``).
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_fit.py",
    "bench_wide.py",
    "bench_scaling.py",
    "bench_peers.py",
    "bench_dask.py",
    "bench_optimizers.py",
    "bench_newton.py",
    "bench_small.py",
    "bench_statistics.py",
    "bench_cli.py",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke-test each script")
    parser.add_argument("--only", nargs="*", default=None, help="scripts to run")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="-- args for all")
    args = parser.parse_args(argv)
    extra = [a for a in args.rest if a != "--"]
    if args.quick:
        extra.append("--quick")
    statuses = {}
    for script in args.only or SCRIPTS:
        print(f"\n=== {script} {' '.join(extra)}", flush=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / script), *extra])
        statuses[script] = (done.returncode, time.perf_counter() - start)
    print("\n=== summary")
    for script, (code, seconds) in statuses.items():
        state = "all targets passed" if code == 0 else f"exit status {code}"
        if args.quick and code == 0:
            state = "ran (quick mode: targets not checked)"
        print(f"{script}: {state} ({seconds:.0f} s)")
    return max(code for code, _ in statuses.values())


if __name__ == "__main__":
    sys.exit(main())
