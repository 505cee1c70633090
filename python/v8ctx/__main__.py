"""``python -m v8ctx``: the command line (``v8ctx._cli``)."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
