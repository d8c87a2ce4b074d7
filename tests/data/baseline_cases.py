"""The fixed-epoch fits recorded by ``make_baseline.py``."""

_FIXED = {"tol": None, "max_iter": 60}

CASES = [
    {"n": 300, "p": 1, "k": 1, "params": {**_FIXED}},
    {"n": 300, "p": 1, "k": 1, "params": {**_FIXED, "learning_rate": 0.05}},
    {"n": 300, "p": 1, "k": 1, "params": {**_FIXED, "learning_rate": 0.3}},
    {
        "n": 300,
        "p": 1,
        "k": 1,
        "params": {**_FIXED, "standardize": False, "learning_rate": 0.01},
    },
    {
        "n": 300,
        "p": 1,
        "k": 1,
        "params": {**_FIXED, "standardize": False, "learning_rate": 0.05},
        "init": {"coef_init": [15.0, -2.0], "intercept_init": 10.0},
    },
    {"n": 400, "p": 3, "k": 1, "params": {**_FIXED, "alpha": 0.3}},
    {
        "n": 400,
        "p": 3,
        "k": 1,
        "params": {**_FIXED, "alpha": 0.1, "standardize": False, "learning_rate": 1e-3},
    },
    {"n": 400, "p": 3, "k": 1, "weighted": True, "params": {**_FIXED}},
    {"n": 400, "p": 2, "k": 1, "weighted": True, "zeros": True, "params": {**_FIXED}},
    {"n": 400, "p": 2, "k": 3, "params": {**_FIXED, "learning_rate": 0.2}},
    {"n": 400, "p": 2, "k": 2, "weighted": True, "params": {**_FIXED, "alpha": 0.05}},
    {"n": 300, "p": 2, "k": 1, "offset": 1e6, "scale": 3.0, "params": {**_FIXED}},
    {"n": 300, "p": 1, "k": 1, "offset": -50.0, "scale": 1e-3, "params": {**_FIXED}},
    {"n": 300, "p": 2, "k": 1, "params": {**_FIXED, "precompute": False}},
    {
        "n": 300,
        "p": 2,
        "k": 2,
        "weighted": True,
        "params": {**_FIXED, "precompute": False, "alpha": 0.2, "learning_rate": 0.1},
    },
    {
        "n": 300,
        "p": 2,
        "k": 1,
        "params": {
            **_FIXED,
            "precompute": False,
            "standardize": False,
            "learning_rate": 2e-3,
        },
    },
    {
        "n": 500,
        "p": 2,
        "k": 1,
        "params": {**_FIXED, "early_stopping": True, "random_state": 0},
    },
    {
        "n": 500,
        "p": 2,
        "k": 1,
        "weighted": True,
        "params": {
            **_FIXED,
            "early_stopping": True,
            "random_state": 1,
            "precompute": False,
        },
    },
    {"n": 500, "p": 2, "k": 1, "chunks": 4, "params": {**_FIXED}},
    {"n": 500, "p": 1, "k": 2, "chunks": 3, "weighted": True, "params": {**_FIXED}},
    {"n": 400, "p": 2, "k": 1, "params": {"tol": 1e-6, "max_iter": 500}},
    {
        "n": 400,
        "p": 2,
        "k": 1,
        "params": {"tol": 1e-4, "max_iter": 500, "precompute": False},
    },
]
