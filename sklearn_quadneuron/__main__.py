# Authors: The sklearn-quadneuron developers
# SPDX-License-Identifier: BSD-3-Clause
"""``python -m sklearn_quadneuron``: the command line ``quadneuron``.

The entry point of the console script too (``sklearn_quadneuron.__main__:main``);
the command line itself lives in ``sklearn_quadneuron._cli``.
"""

import sys

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
