# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Small wrong changes to the numerical code, each of which some test must catch.

Run from the repository root (a few minutes; not part of the suite):

    python tests/mutate.py            # every mutant
    python tests/mutate.py 3 7        # mutants 3 and 7 only

Each mutant replaces one exact snippet of a module (a sign, a constant 1000
times off, a dropped scale or condition factor, a cut-off removed, a block's
bound off by one, a weight of 0 no longer skipped, a merge that drops one
side), runs the numerical tests with ``-x`` on the package of this checkout,
and restores the module. A mutant the tests do not kill is either a real gap
in the suite or code no test can tell from its mutant; one whose tests cannot
run at all (pytest exits with neither 0 nor 1) is reported as BROKEN, not as
killed. The score per module is printed at the end.
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
    "tests/test_update_rules.py",
    "tests/test_mini_batches.py",
    "tests/test_solvers.py",
    "tests/test_engines.py",
    "tests/test_dask.py",
    "tests/test_dask_blocks.py",
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
        '        R = np.divide(R, norms, order="F")',
        "        R = np.asfortranarray(R)",
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
        "    return bool((floor > _SHARE_OF_TOL * need).any())",
        "    return bool((floor > 1e3 * need).any())",
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
        "        if (resolvable & (rounding > 2.0 * tol * minimum)).any():",
        "        if (resolvable & (rounding > 2000.0 * tol * minimum)).any():",
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
        "(gap[:keep] <= target[:keep]) | (curve[:keep]",
        "(gap[:keep] <= 1000 * target[:keep]) | (curve[:keep]",
        "the descent's certificate 1000 times looser",
    ),
    (
        "_solvers/_newton.py",
        "self.tol is not None or gap <= resolution or",
        "self.tol is not None or True or",
        "Newton's certificate without tol: the gap not looked at",
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
    # -- Dask: the blocks' splits, the tree of merges, the tally --------------
    (
        "_dask.py",
        "        rng = np.random.default_rng([seed, block_id[0]])",
        "        rng = np.random.default_rng(seed)",
        "every block's held-out rows drawn by the same generator",
    ),
    (
        "_dask.py",
        "        mask[rng.permutation(n_rows)[: round(fraction * n_rows)]] = True",
        "        mask[rng.permutation(n_rows)[: int(fraction * n_rows)]] = True",
        "a block's number of held-out rows rounded down",
    ),
    (
        "_dask.py",
        "            combine(parts[i : i + _SPLIT_EVERY])",
        "            combine(parts[i : i + _SPLIT_EVERY - 1])",
        "each task of the tree drops the last of its summaries",
    ),
    (
        "_dask.py",
        "        held_out = merge_rebased([h for _, _, h in parts], reference)",
        "        held_out = merge_rebased([h for _, _, h in parts[:1]], reference)",
        "a merge that keeps the held-out rows of its first part only",
    ),
    (
        "_dask.py",
        "        tally = (carry.sum(), da.log(da.where(carry, w, 1.0)).sum())",
        "        tally = (w.size, da.log(da.where(carry, w, 1.0)).sum())",
        "the rows of weight 0 counted as observations",
    ),
    (
        "_dask.py",
        "        X, Y, weights[0] if weights else None, estimator, "
        "check_finite=bool(weights)",
        "        X, Y, weights[0] if weights else None, estimator, check_finite=False",
        "NaN in a weighted block's rows of weight 0 let through",
    ),
    # -- the objective that reads the data ------------------------------------
    (
        "_data_objective.py",
        "        if sample_weight is not None and not sample_weight.all():",
        "        if False:",
        "rows of weight 0 no longer left out of the passes",
    ),
    (
        "_data_objective.py",
        "            stop = min(start + self.rows, n)",
        "            stop = min(start + self.rows - 1, n)",
        "each chunk of a pass one row short",
    ),
    (
        "_data_objective.py",
        "            wr, weight = r * w[:, None], w.sum()",
        "            wr, weight = r, w.sum()",
        "a batch's gradient without its sample weights",
    ),
    (
        "_data_objective.py",
        "                wr = wr * ~held[:, None]",
        "                pass",
        "held-out rows in the training gradient",
    ),
    (
        "_data_objective.py",
        "                self.penalty.hessian_diagonal()[:, None] * V",
        "                0.0 * V",
        "the Hessian's products without the penalty's curvature",
    ),
    (
        "_data_objective.py",
        "        curved = values[values > EIGEN_CUTOFF * ritz]",
        "        curved = values",
        "the smallest Ritz value taken without the rounding cut-off",
    ),
    (
        "_data_objective.py",
        "        return float(0.25 * squares / lam_min)",
        "        return float(0.25e-3 * squares / lam_min)",
        "the gap's bound beyond 96 parameters 1000 times too small",
    ),
    (
        "_data_objective.py",
        "        return ritz + residual, max(float(values[0]), 0.0)",
        "        return ritz, max(float(values[0]), 0.0)",
        "the largest eigenvalue's bound without the Ritz residual",
    ),
    # -- the update rules, their tuned constants, mini-batches -----------------
    (
        "_solvers/_descent.py",
        "            return theta + (self.momentum * self.velocity - step)",
        "            return theta + (self.velocity - step)",
        "Nesterov's look-ahead without the momentum",
    ),
    (
        "_solvers/_descent.py",
        "            * math.sqrt(1.0 - self.beta_2**self.t)",
        "            * (1.0 - self.beta_2**self.t)",
        "Adam's bias correction without its square root",
    ),
    (
        "_solvers/_descent.py",
        "        return theta - (rate / self.unit) * self.m / "
        "(np.sqrt(self.v) + self.epsilon)",
        "        return theta - rate * self.m / (np.sqrt(self.v) + self.epsilon)",
        "Adam's step taken in the parameters' units, not in y's",
    ),
    (
        "_solvers/_descent.py",
        "                theta, self.gradient(theta, order[start : start + size])",
        "                theta, self.gradient(theta, order[start + 1 : start + size])",
        "each batch without its first sample",
    ),
    (
        "_solvers/_descent.py",
        "    return b / (2.0 * (beta + (b - 1.0) * lam_max))",
        "    return b / (2.0 * (beta + b * lam_max))",
        "the batch step with b for b - 1",
    ),
    (
        "_solvers/_descent.py",
        "    return (1.0 - momentum) * step",
        "    return step",
        "mini-batch momentum without the 1 - momentum of its step",
    ),
    (
        "_solvers/_descent.py",
        "        return limit / (1.0 + 2.0 * (momentum or 0.0))",
        "        return limit / (1.0 + (momentum or 0.0))",
        "Nesterov's stable range with the heavy ball's denominator",
    ),
    (
        "_solvers/_descent.py",
        "            spread = math.sqrt(objective.loss_scale) or 1.0",
        "            spread = objective.loss_scale or 1.0",
        "Adam's rate in units of the targets' variance",
    ),
    # -- the pass over in-memory data ------------------------------------------
    (
        "_statistics/_pass.py",
        "        V[p:m, w == 0] = 0.0",
        "        pass",
        "one block's rows of weight 0 no longer cleared",
    ),
    (
        "_statistics/_pass.py",
        "        totals = run_lanes(run, [starts[:half], starts[half:]])",
        "        totals = run_lanes(run, [starts[:half], starts[half + 1 :]])",
        "the second lane skips its first block",
    ),
    (
        "_statistics/_pass.py",
        "        X = X[sample_weight > 0]",
        "        pass",
        "the square's shift taken over rows of weight 0 too",
    ),
    (
        "_statistics/_pass.py",
        "        mean[: shift.shape[0]] += shift",
        "        mean[: shift.shape[0]] -= shift",
        "the square's shift given back with the wrong sign",
    ),
    (
        "_statistics/_pass.py",
        "    return bool(np.isfinite(head).all() and head[p:m].max() <= reach * reach)",
        "    return bool(np.isfinite(head).all())",
        "the reach check without its cut-off",
    ),
    (
        "_statistics/_pass.py",
        "    squares = np.maximum(gram.diagonal(), 0.0) + weight * mean**2",
        "    squares = np.maximum(gram.diagonal(), 0.0)",
        "the Gram's rounding relative to the centered norms",
    ),
    (
        "_statistics/_pass.py",
        "cross = self.cross + other.cross + delta[:p] * delta[p : 2 * p] * factor",
        "cross = self.cross + other.cross",
        "per-feature moments merged without the means' cross term",
    ),
    # -- the kernels of the pass -------------------------------------------------
    (
        "_statistics/_kernels.py",
        "        C += other",
        "        C = C + other",
        "the second lane's sums dropped (a new array, not added in place)",
    ),
    (
        "_statistics/_kernels.py",
        "    first.counts = [a + b for a, b in zip(first.counts, later.counts)]",
        "    first.counts = list(first.counts)",
        "the second lane's rows not counted",
    ),
    (
        "_statistics/_kernels.py",
        "        self.shift = self.square_shift * self.unit[:p]",
        "        self.shift = self.square_shift",
        "the square's shift given back in the block's units, not in u's",
    ),
    (
        "_statistics/_kernels.py",
        "            C[m, m] += w.sum()",
        "            C[m, m] += n",
        "the matrix-vector products' total weight a count of rows",
    ),
    (
        "_statistics/_kernels.py",
        "            V[p : self.m, w == 0] = 0.0",
        "            pass",
        "the matrix-vector kernel's rows of weight 0 no longer cleared",
    ),
    (
        "_statistics/_kernels.py",
        "                V[:m] *= root",
        "                V[:m] *= w",
        "numpy's Gram kernel weighting both sides by w, not sqrt(w)",
    ),
    (
        "_statistics/_kernels.py",
        "        x, y, root = x[carry], y[carry], root[carry]",
        "        pass",
        "the second pass's rows of weight 0 no longer left out",
    ),
    # -- the statistics: merges, references, the tally --------------------------
    (
        "_statistics/_moments.py",
        "    mean = mean_a + delta * (weight_b / weight)",
        "    mean = mean_a + delta * (weight_a / weight)",
        "Chan's update of the mean weighting the wrong side",
    ),
    (
        "_statistics/_moments.py",
        "            A, sample_weight = A[carry], sample_weight[carry]",
        "            pass",
        "rows of weight 0 in the range of the reference",
    ),
    (
        "_statistics/_moments.py",
        "            mapped[:p] += np.abs(cross) * norms[p : 2 * p]",
        "            pass",
        "the rebased Gram's rounding without the square's linear part",
    ),
    (
        "_statistics/_moments.py",
        "            self.log_weight + other.log_weight,",
        "            self.log_weight,",
        "a merged tally that drops the other side's log weights",
    ),
    # -- the basis: the direct engine's moments, aliasing, the maps --------------
    (
        "_basis.py",
        "            - 4 * m1 * moments.cross",
        "            + 4 * m1 * moments.cross",
        "the per-feature square's variance with its cross term's sign flipped",
    ),
    (
        "_basis.py",
        "-2.0 * m1 / v1, m1**2 / v1 - 1.0",
        "-2.0 * m1 / v1, m1**2 / v1",
        "the standardized square without its -1",
    ),
    (
        "_basis.py",
        "        order = [c for j in range(p) for c in (p + j, j) "
        "if active[c] and norms[c] > 0]",
        "        order = [c for j in range(p) for c in (j, p + j) "
        "if active[c] and norms[c] > 0]",
        "aliasing tried on each square before its feature",
    ),
    (
        "_basis.py",
        "            beta = (2.0 * A * d + B) * sd + A * (sd * sd) * skew",
        "            beta = (2.0 * A * d + B) * sd",
        "the map to the basis without the square's skew",
    ),
    (
        "_basis.py",
        "            b = B - 2.0 * A * mu",
        "            b = B + 2.0 * A * mu",
        "the data units' linear coefficient with the wrong sign",
    ),
    (
        "_statistics/_kernels.py",
        "        R = append_rows(R, B)",
        "        R = R + 0.0 * B.sum()",
        "the far rows read apart never folded back in",
    ),
    (
        "_statistics/__init__.py",
        "np.all(floor <= _ROWS_SHARE * rows)",
        "np.all(floor <= 1e12 * _ROWS_SHARE * rows)",
        "a factor with far rows apart kept however far its rounding",
    ),
    (
        "_statistics/_kernels.py",
        "        spread = np.where(spread > 0, spread / np.sqrt(first.weight), np.inf)",
        "        spread = np.where(spread > 0, spread / first.weight, np.inf)",
        "far rows measured against the spread times the square root of the weight",
    ),
    (
        "_statistics/_kernels.py",
        "    q_, n_ = _ints(q, n)\n    _SYRK(",
        "    q_, n_ = _ints(q, n // 2 + 1)\n    _SYRK(",
        "BLAS's product of a block summing half its rows",
    ),
    (
        "_statistics/_kernels.py",
        '_TRSM(b"R", b"U", b"N", b"N"',
        '_TRSM(b"R", b"U", b"T", b"N"',
        "rows whitened by the transposed first factor",
    ),
    (
        "_linalg.py",
        "np.where(lam > q * _EPS * lam[-1], lam, 0.0)",
        "np.maximum(lam, 0.0)",
        "a singular Gram's eigenvalues within rounding of 0 kept",
    ),
    (
        "_statistics/_compiled.py",
        "for r in range(1, n):\n        for j in range(p):\n            v = A[r, j]",
        "for r in range(2, n):\n        for j in range(p):\n            v = A[r, j]",
        "the column extent skipping the second row",
    ),
    (
        "_statistics/_moments.py",
        "for j in range(gram.shape[0] - 1):  # the lower",
        "for j in range(0):  # the lower",
        "the kept Gram mapped from its upper triangle and the garbage below it",
    ),
    (
        "_statistics/_moments.py",
        "            M[:p] += cross[:, None] * M[p : 2 * p]",
        "            M[:p] += cross[:, None] * M[p : 2 * p] * 0.5",
        "the kept Gram mapped with half of each square's cross term",
    ),
    (
        "_statistics/_compiled.py",
        "(value if value > hi else hi)",
        "(value if value < hi else hi)",
        "the extent taken as the rows are formed keeping the least as the most",
    ),
    (
        "_statistics/_kernels.py",
        "np.minimum(lo, later.extent[0], out=lo)",
        "np.maximum(lo, later.extent[0], out=lo)",
        "two lanes' extents joined by the greater of their minima",
    ),
    (
        "_statistics/_pass.py",
        'options["extent"] = extent and sample_weight is None',
        'options["extent"] = extent',
        "a weighted pass's extent, its sums unweighted, taken as the extent",
    ),
    (
        "_dask.py",
        "sums[2] / n",
        "sums[2] / (n - 1)",
        "a block's mean, from the sums of its rows, over one row too few",
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
