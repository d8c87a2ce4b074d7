# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Run the commands and code blocks of a page, as a reader would.

The documentation build (``docs_run.py``, its directives) and the test suite
(``tests/test_docs_run.py``) run a page's blocks with these, in the order of the
page, in one scratch folder per page and one namespace for its Python blocks.
It needs only the standard library.
"""

import contextlib
import doctest
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT = 600
DOCTEST_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# NumPy's default print options: a block prints as it would in a new
# interpreter, whatever ran before it in the same process (the gallery's
# examples, at build time; other tests, in the test suite).
NUMPY_PRINT_DEFAULTS = {
    "precision": 8,
    "threshold": 1000,
    "edgeitems": 3,
    "linewidth": 75,
    "suppress": False,
    "nanstr": "nan",
    "infstr": "inf",
    "sign": "-",
    "floatmode": "maxprec",
    "legacy": False,
}


class Session:
    """A page's scratch folder and the namespace of its Python blocks."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="quadneuron-docs-"))
        self.namespace = {"__name__": "__main__"}
        self.status = 0

    def close(self):
        shutil.rmtree(self.folder, ignore_errors=True)


def command_environment():
    """The environment of the commands: this Python's scripts first on PATH."""
    env = dict(os.environ)
    scripts = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join([scripts, env.get("PATH", "")])
    # Unbuffered: stdout and stderr interleave as they would in a terminal.
    env["PYTHONUNBUFFERED"] = "1"
    env["MPLBACKEND"] = "Agg"
    return env


def run_command(command, folder, previous_status=0, timeout=TIMEOUT):
    """Run one shell command; return (status, what it printed)."""
    script = f"(exit {int(previous_status)}); {command}"
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=folder,
        env=command_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    return result.returncode, result.stdout


def parse_commands(lines):
    """The commands of a console block's content: its lines after ``$ ``."""
    commands = []
    for line in lines:
        if line.startswith("$ "):
            commands.append(line[2:].strip())
        elif line.strip():
            raise ValueError(f"not a command (start it with '$ '): {line!r}")
    return commands


def run_python(code, namespace, folder, name):
    """Run a block in ``namespace`` with ``folder`` as working directory.

    A block of ``>>>`` prompts runs as a doctest. Returns the report of a
    failed doctest, or None.
    """
    previous = os.getcwd()
    os.chdir(folder)
    try:
        with _numpy_defaults():
            return _run(code, namespace, name)
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _numpy_defaults():
    numpy = sys.modules.get("numpy")
    if numpy is None:
        yield
        return
    with numpy.printoptions(**NUMPY_PRINT_DEFAULTS):
        yield


def _run(code, namespace, name):
    if code.lstrip().startswith(">>>"):
        test = doctest.DocTestParser().get_doctest(code, namespace, name, name, 0)
        runner = doctest.DocTestRunner(optionflags=DOCTEST_FLAGS)
        report = []
        runner.run(test, out=report.append, clear_globs=False)
        # A doctest runs in a copy of the namespace: keep what it defined.
        namespace.update(test.globs)
        return "".join(report) or None
    # What a plain block prints is not shown: keep it out of the build's log.
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, name, "exec"), namespace)
    return None
