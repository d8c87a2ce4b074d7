# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Small wrong changes to the numerical code, each of which some test must catch.

Run from the repository root (a few minutes; not part of the suite):

    python tests/mutate.py            # every mutant
    python tests/mutate.py 3 7        # mutants 3 and 7 only

Each mutant replaces one exact snippet of a module (a sign, a constant 1000
times off, a dropped scale or condition factor, a cut-off removed), runs the
numerical tests with ``-x`` on the package of this checkout, and restores the
module. A mutant the tests do not kill is either a real gap in the suite or
code no test can tell from its mutant; one whose tests cannot run at all
(pytest exits with neither 0 nor 1) is reported as BROKEN, not as killed. The
score per module is printed at the end.
"""

import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sklearn_quadneuron"
TESTS = [
    "tests/test_accuracy.py",
    "tests/test_statistics.py",
    "tests/test_rounding.py",
    "tests/test_newton.py",
    "tests/test_objectives.py",
    "tests/test_convergence.py",
    "tests/test_baseline.py",
    "tests/test_tridiagonal.py",
    "tests/test_optimizers.py",
    "tests/test_zero_weights.py",
    "tests/test_partial_fit.py",
    "tests/test_summary.py",
    "tests/test_properties.py",
    "tests/test_regressor.py",
    "tests/test_features.py",
    "tests/test_multi_output.py",
]

# (module, the exact text, its wrong replacement, what the change means)
MUTANTS = [
    (
        "_linalg.py",
        "            error = c * kappa * (size + rho)",
        "            error = c * (size + rho)",
        "the Gram's rounding bound without its condition factor",
    ),
    (
        "_linalg.py",
        "            error = c * (size + kappa * rho)",
        "            error = c * (size + rho)",
        "Householder's rounding bound without its condition factor",
    ),
    (
        "_linalg.py",
        "    scaled = np.asfortranarray(R / norms)",
        "    scaled = np.asfortranarray(R)",
        "the condition estimate without the columns' scaling",
    ),
    (
        "_linalg.py",
        "    c = q * _EPS",
        "    c = q * _EPS * 1e-3",
        "a rounding bound 1000 times too small",
    ),
    (
        "_statistics/_moments.py",
        "        rows = np.vstack([np.sqrt(share) * delta[None, :], other.factor])",
        "        rows = np.vstack([share * delta[None, :], other.factor])",
        "a merge without the square root of the means' weight",
    ),
    (
        "_statistics/_moments.py",
        "        cross = 2.0 * a * b  # the entry of u**2's row in u's column",
        "        cross = a * b",
        "a change of reference with the wrong cross term",
    ),
    (
        "_statistics/_moments.py",
        "            R, z, rho, self.from_gram, self.n_samples, scales, self.rows_too",
        "            R, z, rho, self.from_gram, self.n_samples, scales, False",
        "statistics merged from a Gram and from rows bounded as a Gram alone",
    ),
    (
        "_statistics/__init__.py",
        "_WHITENED_CONDITION = 1e3",
        "_WHITENED_CONDITION = 1e12",
        "CholeskyQR2 kept on whitened rows far from orthogonal",
    ),
    (
        "_statistics/__init__.py",
        "_FIRST_CONDITION = 1e7",
        "_FIRST_CONDITION = 1e15",
        "CholeskyQR2 tried on designs beyond its reach",
    ),
    (
        "_statistics/__init__.py",
        "    mean = first.mean + R[0, 1:] / R[0, 0]",
        "    mean = first.mean",
        "the second pass without its correction of the mean",
    ),
    (
        "_statistics/_compiled.py",
        "            q2 = (b2 - R[1, 2] * q1) * d2",
        "            q2 = b2 * d2",
        "the compiled whitening without an off-diagonal",
    ),
    (
        "_statistics/__init__.py",
        "    return bool(np.any(floor > _SHARE_OF_TOL * need))",
        "    return bool(np.any(floor > 1e3 * need))",
        "no second pass until the rounding is 1000 times what tol allows",
    ),
    (
        "_solvers/_base.py",
        "_STORED_SHARE = 0.1",
        "_STORED_SHARE = 1e3",
        "the rounding of the stored model let through 1000 times tol",
    ),
    (
        "_solvers/_base.py",
        "            delta = descent.bound_from_standard(0.5 * _EPS * moves)",
        "            delta = descent.bound_from_standard(0.5e-6 * _EPS * moves)",
        "the stored model's rounding a millionth of what it is",
    ),
    (
        "_solvers/_base.py",
        "    if np.any(resolvable & (rounding > 2.0 * tol * minimum)):",
        "    if np.any(resolvable & (rounding > 2000.0 * tol * minimum)):",
        "the statistics' rounding let through 1000 times tol",
    ),
    (
        "_solvers/_base.py",
        "    allowed = np.maximum(tol * minimum, allowance)",
        "    allowed = np.maximum(1000 * tol * minimum, allowance)",
        "each target certified at 1000 times tol",
    ),
    (
        "_solvers/_base.py",
        "            certified = np.flatnonzero(gap[:keep] <= target[:keep])",
        "            certified = np.flatnonzero(gap[:keep] <= 1000 * target[:keep])",
        "the descent's certificate 1000 times looser",
    ),
    (
        "_solvers/_newton.py",
        "        certified = gap <= max((self.tol or 0.0) * optimum, resolution)",
        "        certified = gap <= max(1000 * (self.tol or 0.0) * optimum, "
        "resolution)",
        "Newton's certificate 1000 times looser",
    ),
    (
        "_solvers/_gd.py",
        "            result.best_iter = result.n_iter - 1",
        "            pass",
        "the model after the certified one returned",
    ),
    (
        "_objective.py",
        "            g = np.asarray(gradient) * 0.5",
        "            g = np.asarray(gradient) * 0.05",
        "the gap from the gradient 100 times too small",
    ),
    (
        "_basis.py",
        "            d, skew, A, B, C0 = (np.abs(a) for a in (d, skew, A, B, C0))",
        "            pass",
        "the absolute map without its absolute values",
    ),
    (
        "_basis.py",
        "            B = (beta - alpha / tau * self.skew[:, None]) / sd * ys",
        "            B = beta / sd * ys",
        "the centered form without the square's linear part",
    ),
    (
        "_linalg.py",
        "        self.definite = self.lam_max > 0 and lam_min > EIGEN_CUTOFF * "
        "self.lam_max",
        "        self.definite = self.lam_max > 0 and lam_min > 0",
        "the tridiagonal form's definiteness without its cut-off",
    ),
]


def run(index, module, old, new):
    """Run the tests on one mutant: its verdict, seconds, and the first failure.

    pytest exits with 1 when a test fails (the mutant is killed) and with 0
    when all pass; any other status means the tests could not run (a mutant
    that breaks the import is not a kill).
    """
    path = PACKAGE / module
    text = path.read_text()
    if text.count(old) != 1:
        raise SystemExit(
            f"mutant {index}: the snippet is not once in {module}: {old!r}"
        )
    mutated = text.replace(old, new)
    try:
        compile(mutated, str(path), "exec")
    except SyntaxError as error:
        raise SystemExit(
            f"mutant {index}: {module} no longer compiles: {error}"
        ) from None
    # The package of this checkout, whatever else is installed.
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    path.write_text(mutated)
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", *TESTS],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        seconds = time.perf_counter() - started
    finally:
        path.write_text(text)
    verdict = {0: "SURVIVED", 1: "killed"}.get(done.returncode, "BROKEN")
    failures = [
        line.split(" - ")[0].split()[1]
        for line in done.stdout.splitlines()
        if line.startswith(("FAILED ", "ERROR "))
    ]
    return verdict, seconds, failures[0] if failures else ""


def main(argv):
    chosen = [int(a) for a in argv] or range(len(MUTANTS))
    scores = defaultdict(lambda: [0, 0])
    for i in chosen:
        module, old, new, meaning = MUTANTS[i]
        verdict, seconds, failure = run(i, module, old, new)
        scores[module][0] += verdict == "killed"
        scores[module][1] += 1
        print(f"{i:2d} {verdict:8s} {seconds:5.0f} s  {module}: {meaning}", flush=True)
        if failure:
            print(f"{'':19s}by {failure}", flush=True)
    print()
    for module, (killed, total) in sorted(scores.items()):
        print(f"{module}: {killed}/{total} killed")
    return 0 if all(k == t for k, t in scores.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
