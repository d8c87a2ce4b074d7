# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""The documentation runs as written.

Every code block and command of ``README.md``, ``docs/index.rst``,
``docs/quickstart.rst``, ``docs/user_guide.rst``, ``docs/troubleshooting.rst``
and ``docs/scaling.rst`` runs here, page by page, in the order of the page, in a
folder of its own that starts empty: a page creates the files it uses, or takes
bundled data (scikit-learn's data sets, ``sklearn_quadneuron.datasets``).

- Python blocks (``.. code-block:: python``, ```` ```python ````) run in one
  namespace per page; blocks of ``>>>`` prompts (``pycon``) run as doctests,
  so the outputs they show are the outputs they print.
- The commands of ``.. command-output::`` run and must exit with the statuses
  the directive names (the build shows what they print); a console block
  (``.. code-block:: console``) must show commands alone, never output typed by
  hand, and its commands run too.
- In the README's shell blocks, the set-up commands (``python3 -m venv``,
  ``.venv/bin/pip install``) do not run: CI runs them (``.ci/run``); the rest
  runs with this Python's scripts in place of ``.venv/bin/``.
- A block that must not run says why, in a comment just before it:
  ``.. skip-run: <reason>`` in reStructuredText,
  ``<!-- skip-run: <reason> -->`` in Markdown.
- No page shows an error or a warning typed by hand: a doctest raises it, or
  catches it and prints its message.

The documentation build runs the blocks of the quickstart, the troubleshooting
page and the scaling page as well (``docs/_ext/docs_run.py``), which show what
they print; the tests need no build.
"""

import contextlib
import importlib.util
import io
import os
import re
import shlex
import sys
import textwrap
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [
    "README.md",
    "docs/index.rst",
    "docs/quickstart.rst",
    "docs/user_guide.rst",
    "docs/troubleshooting.rst",
    "docs/scaling.rst",
]


def _load(name):
    path = ROOT / "docs" / "_ext" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs_session = _load("docs_session")

# Blocks that are not code: messages, outputs, file contents.
NOT_CODE = {"text", "none", "toml", "ini", "rst", "json"}
# Imports that a block may lack where an optional dependency is missing.
OPTIONAL = {"sklearn.callback", "dask", "distributed", "matplotlib", "numba"}
SETUP = re.compile(r"^(python3? -m venv |\.venv/bin/pip install )")


@dataclass
class Block:
    """A block of a page: what it is, where, and what it holds."""

    page: str
    line: int
    kind: str
    text: str
    skip: str | None = None
    options: dict = field(default_factory=dict)

    def where(self):
        return f"{self.page}:{self.line}"


# -- Reading the pages -----------------------------------------------------------------

DIRECTIVE = re.compile(
    r"^(?P<indent> *)\.\. (?P<name>code-block|code|sourcecode|command-output|"
    r"run-python)::\s*(?P<argument>\S*)\s*$"
)
SKIP_RST = re.compile(r"^ *\.\. skip-run:(?P<reason>.*)$")
LITERAL = re.compile(r"(?<!:)::\s*$")


def rst_blocks(page):
    """The code blocks of a reStructuredText page, and their skip reasons."""
    lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
    blocks = []
    skip = None
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = SKIP_RST.match(line)
        if marker:
            # The reason runs on over the comment's indented lines.
            reason = [marker["reason"].strip()]
            i += 1
            while i < len(lines) and lines[i].startswith("   ") and lines[i].strip():
                reason.append(lines[i].strip())
                i += 1
            skip = " ".join(reason).strip()
            continue
        match = DIRECTIVE.match(line)
        if match:
            indent = len(match["indent"])
            options = {}
            i += 1
            while i < len(lines) and re.match(
                rf"^ {{{indent + 1},}}:[\w-]+:", lines[i]
            ):
                name, _, value = lines[i].strip()[1:].partition(":")
                options[name] = value.strip()
                i += 1
            body = []
            while i < len(lines) and (
                not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent
            ):
                body.append(lines[i])
                i += 1
            kind = match["argument"] or match["name"]
            if match["name"] in ("command-output", "run-python"):
                kind = match["name"]
            text = textwrap.dedent("\n".join(body)).strip("\n")
            blocks.append(Block(page, i - len(body), kind, text, skip, options))
            skip = None
            continue
        if LITERAL.search(line) and not line.lstrip().startswith(".. "):
            blocks.append(Block(page, i + 1, "literal", line))
        if line.strip() and not line.startswith(" "):
            # A marker applies to the next block only, with nothing between.
            skip = None if not line.lstrip().startswith(".. ") else skip
        i += 1
    return blocks


FENCE = re.compile(r"^```(?P<kind>[\w-]*)\s*$")
SKIP_MD = re.compile(r"^<!--\s*skip-run:(?P<reason>.*?)-->\s*$")


def markdown_blocks(page):
    """The fenced blocks of a Markdown page, and their skip reasons."""
    lines = (ROOT / page).read_text(encoding="utf-8").splitlines()
    blocks = []
    skip = None
    i = 0
    while i < len(lines):
        marker = SKIP_MD.match(lines[i])
        match = FENCE.match(lines[i])
        if marker:
            skip = marker["reason"].strip()
        elif match:
            start = i + 1
            i += 1
            while not lines[i].startswith("```"):
                i += 1
            text = "\n".join(lines[start:i])
            blocks.append(Block(page, start, match["kind"] or "text", text, skip))
            skip = None
        elif lines[i].strip():
            skip = None
        i += 1
    return blocks


def page_blocks(page):
    return markdown_blocks(page) if page.endswith(".md") else rst_blocks(page)


# -- Running them ----------------------------------------------------------------------


def readme_command(part):
    """A command of the README, with this Python's scripts for ``.venv/bin/``."""
    scripts = shlex.quote(str(Path(sys.executable).parent))
    return re.sub(r"(^|(?<=\s))\.venv/bin/", f"{scripts}/", part)


def commands_of(block):
    """The commands a block runs, with the statuses they must exit with."""
    if block.kind in ("bash", "sh", "shell"):
        commands = []
        for line in block.text.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            for part in line.split(" && "):
                if not SETUP.match(part.strip()):
                    commands.append((readme_command(part.strip()), 0))
        return commands
    commands = docs_session.parse_commands(
        line.split("  #")[0].rstrip() if line.startswith("$ ") else line
        for line in block.text.splitlines()
    )
    codes = [
        int(c) for c in block.options.get("returncode", "0").replace(",", " ").split()
    ]
    if len(codes) == 1:
        codes = codes * len(commands)
    return list(zip(commands, codes, strict=True))


def run_block(block, session):
    """Run one block in the page's session; fail with what went wrong."""
    if block.kind in ("python", "pycon", "run-python"):
        try:
            failure = docs_session.run_python(
                block.text, session.namespace, session.folder, block.where()
            )
        except ModuleNotFoundError as error:
            if error.name in OPTIONAL or any(
                (error.name or "").startswith(name + ".") for name in OPTIONAL
            ):
                pytest.skip(f"{block.where()} needs {error.name}")
            raise
        assert failure is None, (
            f"{block.where()} does not print what it shows:\n{failure}"
        )
        return
    for command, expected in commands_of(block):
        session.status, output = run_command(command, session)
        assert session.status == expected, (
            f"{block.where()}: {command!r} exited with status {session.status}, "
            f"expected {expected}; it printed:\n{output}"
        )


# A plain call of the command line: no shell syntax, this Python's entry point.
SCRIPTS = re.escape(shlex.quote(str(Path(sys.executable).parent)) + "/")
ENTRY = re.compile(rf"^(?:{SCRIPTS})?(?:quadneuron|python3? -m sklearn_quadneuron)\b")
SHELL_SYNTAX = re.compile(r"[|<>;&$`'\"\\*?(){}~]")


def run_command(command, session):
    """Run a command of a page: (its status, what it printed).

    A plain call of the command line runs its entry point in this process, in
    the page's folder: a child process would spend a second and a half
    importing scikit-learn for each command. What only a process shows (exit
    statuses, pipes, Ctrl-C, imports) is tested in ``test_cli_process.py``.
    Anything else runs in bash.
    """
    entry = ENTRY.match(command)
    if entry is None or SHELL_SYNTAX.search(command):
        return docs_session.run_command(command, session.folder, session.status)
    from sklearn_quadneuron.__main__ import main

    output = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    previous = os.getcwd()
    os.chdir(session.folder)
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            status = main(command[entry.end() :].split())
    finally:
        os.chdir(previous)
    output.flush()
    return status, output.buffer.getvalue().decode("utf-8")


RUN = {"python", "pycon", "run-python", "console", "command-output", "bash", "sh"}


@pytest.mark.parametrize("page", PAGES)
def test_the_page_runs_as_written(page):
    session = docs_session.Session()
    try:
        for block in page_blocks(page):
            if block.skip is not None or block.kind not in RUN:
                continue
            run_block(block, session)
    finally:
        session.close()


# -- What the pages may hold -----------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_every_block_says_what_it_is(page):
    blocks = page_blocks(page)
    assert blocks
    for block in blocks:
        assert block.kind != "literal", (
            f"{block.where()}: a literal block (::) of unknown kind: use "
            "code-block python, console or text"
        )
        assert block.kind in RUN | NOT_CODE, f"{block.where()}: {block.kind!r}"


@pytest.mark.parametrize("page", PAGES)
def test_blocks_that_do_not_run_say_why(page):
    for block in page_blocks(page):
        if block.skip is not None:
            assert len(block.skip) > 20, f"{block.where()}: skip-run needs a reason"


@pytest.mark.parametrize("page", PAGES)
def test_console_blocks_show_no_output_typed_by_hand(page):
    """What a command prints is shown by ``command-output``, which runs it."""
    for block in page_blocks(page):
        if block.kind != "console":
            continue
        for line in block.text.splitlines():
            assert not line.strip() or line.startswith("$ "), (
                f"{block.where()}: {line!r} is output typed by hand; show it "
                "with .. command-output::, which runs the command at build time"
            )


def test_pages_that_use_the_command_line_run_it_at_build_time():
    """The quickstart's and troubleshooting's transcripts come from the build."""
    for page in ["docs/quickstart.rst", "docs/troubleshooting.rst"]:
        kinds = {block.kind for block in rst_blocks(page)}
        assert "command-output" in kinds, page
    conf = (ROOT / "docs" / "conf.py").read_text()
    assert '"docs_run"' in conf


# Pages that show what the package prints: every block runs at build time.
BUILD_RUN = ["docs/troubleshooting.rst", "docs/scaling.rst"]
# The first line of a traceback, or of an exception or warning as Python prints it.
MESSAGE = re.compile(
    r"^\s*(Traceback \(most recent call last\):|([\w.]+\.)?\w*(Error|Warning)\b)",
    re.MULTILINE,
)


@pytest.mark.parametrize("page", BUILD_RUN)
def test_pages_that_show_what_the_package_prints_run_every_block_at_build_time(page):
    for block in rst_blocks(page):
        assert block.kind in ("run-python", "command-output") or block.skip, (
            f"{block.where()}: a {block.kind} block, typed by hand: show it with "
            ".. run-python:: or .. command-output::, which run at build time, or "
            "say why it cannot run in a '.. skip-run: <reason>' comment before it"
        )


def test_troubleshooting_messages_are_raised_or_caught_at_build_time():
    """Each error is raised by a doctest, each warning caught and printed."""
    blocks = rst_blocks("docs/troubleshooting.rst")
    raised = [b for b in blocks if "Traceback (most recent call last):" in b.text]
    caught = [b for b in blocks if "catch_warnings(record=True)" in b.text]
    assert len(raised) >= 15, [b.where() for b in raised]
    assert len(caught) >= 5, [b.where() for b in caught]
    for block in raised + caught:
        assert block.kind == "run-python" or block.skip, block.where()
        assert block.text.startswith(">>> "), f"{block.where()}: not a doctest"


@pytest.mark.parametrize(
    "page",
    ["README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.rst"))],
)
def test_no_page_shows_a_message_typed_by_hand(page):
    """A message in a text block goes stale: a doctest shows the real one."""
    for block in page_blocks(page):
        if block.kind in NOT_CODE and block.skip is None:
            assert not MESSAGE.search(block.text), (
                f"{block.where()}: an error or a warning typed by hand; show it "
                "with a doctest that raises it (Traceback ...) or catches it"
            )


# -- The README and CI -----------------------------------------------------------------


def readme_section(title):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    return [b for b in markdown_blocks("README.md") if b.text in section]


def ci_lines():
    return [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]


@pytest.mark.parametrize("title", ["Run the tests", "Build the documentation"])
def test_ci_runs_the_readme_commands_as_written(title):
    """``.ci/run`` installs the project as the README says and runs its command."""
    (block,) = readme_section(title)
    assert block.skip is not None
    (command,) = block.text.splitlines()
    lines = ci_lines()
    for part in command.split(" && "):
        assert part in lines, f"{part!r} of the README is not a line of .ci/run"


def test_the_readme_demo_command_sets_up_as_ci_does_and_runs():
    (block,) = readme_section("Run the demo")
    assert block.skip is None
    (command,) = block.text.splitlines()
    parts = command.split(" && ")
    assert parts[0] == "python3 -m venv .venv"
    assert parts[0] in ci_lines()
    assert parts[1] == ".venv/bin/pip install ."
    assert parts[2] == ".venv/bin/python -m sklearn_quadneuron demo"


def test_the_extras_the_pages_name_exist():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    named = set()
    for page in [*PAGES, "docs/troubleshooting.rst", "docs/scaling.rst"]:
        text = (ROOT / page).read_text(encoding="utf-8")
        for names in re.findall(r"(?:\.|sklearn-quadneuron)\[([\w,]+)\]", text):
            named |= set(names.split(","))
    assert named
    assert named <= set(extras), named - set(extras)


# -- The reader of the pages -----------------------------------------------------------


def test_rst_blocks_read_directives_options_and_skip_reasons(tmp_path, monkeypatch):
    page = tmp_path / "page.rst"
    page.write_text(
        "Title\n=====\n\n"
        ".. skip-run: installing reaches the package index, which the tests\n"
        "   do not have.\n\n"
        ".. code-block:: console\n\n   $ pip install .\n\n"
        "Text::\n\n   literal\n\n"
        ".. command-output::\n   :returncode: 2, 0\n\n"
        "   $ false-command\n   $ echo $?\n\n"
        ".. run-python::\n\n   >>> 1 + 1\n   2\n\nAfter.\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    install, literal, output, python = rst_blocks("page.rst")
    assert install.kind == "console"
    assert install.skip == (
        "installing reaches the package index, which the tests do not have."
    )
    assert install.text == "$ pip install ."
    assert literal.kind == "literal"
    assert output.kind == "command-output"
    assert output.skip is None
    assert output.options == {"returncode": "2, 0"}
    assert commands_of(output) == [("false-command", 2), ("echo $?", 0)]
    assert python.kind == "run-python"
    assert python.text == ">>> 1 + 1\n2"


def test_markdown_blocks_and_readme_commands(tmp_path, monkeypatch):
    page = tmp_path / "README.md"
    page.write_text(
        "# X\n\n<!-- skip-run: CI runs it, in .ci/run -->\n"
        "```bash\npython3 -m venv .venv && .venv/bin/python -m pytest\n```\n\n"
        '```bash\n.venv/bin/pip install ".[plot]"\n'
        ".venv/bin/quadneuron fit a.csv --target y\n```\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    skipped, run = markdown_blocks("README.md")
    assert skipped.skip == "CI runs it, in .ci/run"
    assert run.skip is None
    scripts = shlex.quote(str(Path(sys.executable).parent))
    assert commands_of(run) == [(f"{scripts}/quadneuron fit a.csv --target y", 0)]


def test_a_doctest_that_prints_something_else_fails(tmp_path):
    session = docs_session.Session()
    try:
        failure = docs_session.run_python(
            ">>> x = 2\n>>> x + 1\n4\n", session.namespace, session.folder, "b"
        )
        assert "Expected:\n    4\nGot:\n    3" in failure
        assert session.namespace["x"] == 2
    finally:
        session.close()


def test_a_doctest_shows_an_exception_as_a_traceback():
    """The message may be wrapped and cut with ``...``; another one fails."""
    block = (
        ">>> from sklearn_quadneuron import QuadraticGDRegressor\n"
        ">>> QuadraticGDRegressor().fit([[1.0], [2.0]], [1.0, {}])\n"
        "Traceback (most recent call last):\n"
        "...\n"
        "ValueError: Input y contains\n"
        "{} or a value too large for ...\n"
    )
    session = docs_session.Session()
    try:
        run = docs_session.run_python
        nan, inf = "float('nan')", "float('inf')"
        assert run(block.format(inf, "infinity"), {}, session.folder, "b") is None
        failure = run(block.format(nan, "infinity"), {}, session.folder, "b")
        assert "Input y contains NaN." in failure
    finally:
        session.close()


def test_commands_share_the_folder_and_the_last_status():
    session = docs_session.Session()
    try:
        run = docs_session.run_command
        assert run("echo hi > f.txt; exit 3", session.folder) == (3, "")
        assert run("echo $?", session.folder, previous_status=3) == (0, "3\n")
        assert run("cat f.txt", session.folder) == (0, "hi\n")
    finally:
        session.close()


def test_blocks_print_with_numpy_defaults_whatever_ran_before():
    """The gallery runs in the build's process: its settings must not leak."""
    import numpy as np

    session = docs_session.Session()
    try:
        with np.printoptions(precision=12):
            failure = docs_session.run_python(
                ">>> import numpy as np\n>>> np.array([1 / 3])\narray([0.33333333])\n",
                session.namespace,
                session.folder,
                "b",
            )
            assert np.get_printoptions()["precision"] == 12
        assert failure is None
    finally:
        session.close()
