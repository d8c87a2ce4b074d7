"""Record fixed-epoch fits, to prove that a refactoring changes no number.

Run from the repository root, on the code whose numbers are the reference:

    python tests/data/make_baseline.py

It writes ``tests/data/baseline_fits.npz``: the data of every case and the
``coef_``, ``intercept_``, ``loss_curve_`` (and ``validation_loss_curve_``) the
estimator gave (of the second fit for a ``"warm"`` case, fitted twice with
``warm_start=True``). ``tests/test_baseline.py`` refits every case and compares.
"""

import json
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline_cases import CASES  # noqa: E402

from sklearn_quadneuron import QuadraticGDRegressor  # noqa: E402


def main():
    rng = np.random.default_rng(20261129)
    arrays = {}
    for i, case in enumerate(CASES):
        n, p, k = case["n"], case["p"], case["k"]
        X = rng.normal(size=(n, p)) * case.get("scale", 1.0) + case.get("offset", 0.0)
        coef = rng.normal(size=(2 * p, k))
        Y = (np.hstack([X**2, X]) @ coef) + 3.0 + rng.normal(size=(n, k))
        y = Y[:, 0] if k == 1 else Y
        w = rng.uniform(0, 2, size=n) if case.get("weighted") else None
        if w is not None and case.get("zeros"):
            w[: n // 10] = 0.0
        model = QuadraticGDRegressor(**case["params"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if case.get("chunks"):
                for rows in np.array_split(np.arange(n), case["chunks"]):
                    model.partial_fit(X[rows], y[rows], None if w is None else w[rows])
            else:
                # "warm": fit twice (warm_start=True), record the second fit.
                for _ in range(2 if case.get("warm") else 1):
                    model.fit(X, y, sample_weight=w, **case.get("init", {}))
        arrays[f"{i}_X"] = X
        arrays[f"{i}_y"] = y
        if w is not None:
            arrays[f"{i}_w"] = w
        arrays[f"{i}_coef"] = np.asarray(model.coef_)
        arrays[f"{i}_intercept"] = np.asarray(model.intercept_)
        arrays[f"{i}_loss"] = np.asarray(model.loss_curve_)
        arrays[f"{i}_val_loss"] = np.asarray(model.validation_loss_curve_)
    arrays["cases"] = np.asarray(json.dumps(CASES))
    out = Path(__file__).with_name("baseline_fits.npz")
    np.savez_compressed(out, **arrays)
    print(f"wrote {len(CASES)} cases to {out}")


if __name__ == "__main__":
    main()
