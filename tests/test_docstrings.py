"""Every public object's docstring follows numpydoc, as scikit-learn's do."""

import inspect

import numpydoc.validate as numpydoc_validation
import pytest

import sklearn_quadneuron

# Checks left out, as in scikit-learn's own docstring test: summaries may span
# lines (GL01, GL02), See Also and Examples are not required on every method
# (SA01, EX01), and "Returns self" needs no description of self's type (RT02).
IGNORED = {"GL01", "GL02", "SA01", "EX01", "RT02", "ES01", "SS05", "PR02", "GL08"}


def _classes():
    # The plotting module is imported for its names only: matplotlib is not
    # needed to read docstrings.
    from sklearn_quadneuron import plotting

    yield "sklearn_quadneuron", sklearn_quadneuron.QuadraticGDRegressor
    for name in plotting.__all__:
        yield "sklearn_quadneuron.plotting", getattr(plotting, name)


def _public_objects():
    yield "sklearn_quadneuron.DivergenceError"
    yield "sklearn_quadneuron.datasets.make_quadratic"
    for module, cls in _classes():
        yield f"{module}.{cls.__name__}"
        for name, member in inspect.getmembers(cls):
            if name.startswith("_") or not callable(member):
                continue
            if member.__qualname__.split(".")[0] != cls.__name__:
                continue  # inherited from scikit-learn: its docstrings are its own
            yield f"{module}.{cls.__name__}.{name}"


@pytest.mark.parametrize("name", list(_public_objects()))
def test_docstring(name):
    report = numpydoc_validation.validate(name)
    errors = [
        (code, message) for code, message in report["errors"] if code not in IGNORED
    ]
    assert not errors, f"{name}: {errors}"
