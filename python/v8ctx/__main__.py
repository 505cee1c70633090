"""``python -m v8ctx``: the command line (``v8ctx._cli``)."""

import sys

from ._cli import main

sys.exit(main())
