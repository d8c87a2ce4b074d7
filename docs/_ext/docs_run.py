# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""Run a page's commands and code at build time, and show what they print.

A page that shows the command line at work shows what it really prints, from
files that the page itself creates, so that the page stays true whatever the
command line comes to print. Two directives:

``.. command-output::``
    Runs each ``$ command`` of its content with the shell and shows a console
    block: each command, then what it printed on stdout and stderr, in the
    order a terminal shows them. ``$?`` is the status of the command before,
    as in one shell session. A status other than 0 fails the build, unless
    ``:returncode:`` lists the status of each command (``:returncode: 2, 0``).
    ``:no-output:`` shows the commands alone (they still run).

``.. run-python::``
    Shows its content as a Python block and runs it. Content written as an
    interactive session (``>>>`` prompts) is run as a doctest: an output that
    differs from the one written fails the build (``...`` stands for any text,
    and runs of white space compare equal). An exception is shown as Python
    prints it, ``Traceback (most recent call last):``, then ``...``, then the
    exception's qualified name and message, which must be the one raised; the
    block shows as a ``pycon`` session, whose highlighting knows tracebacks.

The directives of a page run in the order of the page, in one scratch folder
that the page's first directive creates and the end of the page's reading
removes (the page creates the files it uses), and its Python blocks share one
namespace; such a page is read again at every build. Commands find ``python``
and the package's command line (``quadneuron``) of the Python that runs the
build. ``docs_session.py`` runs the blocks, here and in
``tests/test_docs_run.py``, which runs the same pages without a build.
"""

import subprocess
from pathlib import Path

from docs_session import TIMEOUT, Session, parse_commands, run_command, run_python
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

SESSION = "docs_run_session"


def _session(env):
    # What a page prints depends on the package, not only on the page: read it
    # again at every build.
    env.note_reread()
    session = env.temp_data.get(SESSION)
    if session is None:
        session = env.temp_data[SESSION] = Session()
    return session


def _close_session(app, doctree):
    session = app.env.temp_data.pop(SESSION, None)
    if session is not None:
        session.close()


def _returncodes(argument):
    return [int(code) for code in argument.replace(",", " ").split()]


class CommandOutput(SphinxDirective):
    """Run shell commands; show them with what they print."""

    has_content = True
    option_spec = {"returncode": _returncodes, "no-output": directives.flag}

    def run(self):
        try:
            commands = parse_commands(self.content)
        except ValueError as error:
            raise self.error(str(error)) from None
        expected = self.options.get("returncode", [0])
        if len(expected) == 1:
            expected = expected * len(commands)
        if len(expected) != len(commands):
            raise self.error(
                f":returncode: lists {len(expected)} statuses for "
                f"{len(commands)} commands"
            )
        session = _session(self.env)
        shown = []
        for command, status in zip(commands, expected, strict=True):
            try:
                session.status, output = run_command(
                    command, session.folder, session.status
                )
            except subprocess.TimeoutExpired:
                raise self.error(f"{command!r} ran for more than {TIMEOUT} s") from None
            if session.status != status:
                raise self.error(
                    f"{command!r} exited with status {session.status}, expected "
                    f"{status}; it printed:\n{output}"
                )
            shown.append(f"$ {command}")
            if "no-output" not in self.options and output.strip():
                shown.append(output.rstrip())
        text = "\n".join(shown)
        block = nodes.literal_block(text, text)
        block["language"] = "console"
        self.set_source_info(block)
        return [block]


class RunPython(SphinxDirective):
    """Run a Python block (a doctest if it has prompts); show it."""

    has_content = True

    def run(self):
        code = "\n".join(self.content)
        session = _session(self.env)
        source, line = self.get_source_info()
        name = f"{Path(source).name}:{line}"
        try:
            failure = run_python(code, session.namespace, session.folder, name)
        except Exception as error:
            raise self.error(
                f"the block raised {type(error).__name__}: {error}"
            ) from None
        if failure is not None:
            raise self.error(f"the block does not print what it shows:\n{failure}")
        block = nodes.literal_block(code, code)
        block["language"] = "pycon" if code.lstrip().startswith(">>>") else "python"
        self.set_source_info(block)
        return [block]


def setup(app):
    app.add_directive("command-output", CommandOutput)
    app.add_directive("run-python", RunPython)
    app.connect("doctree-read", _close_session)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
