"""Shared pytest configuration for the v8ctx test suite.

Makes the ``tests`` directory importable, so test modules can ``from _subprocess import run_python``
whatever pytest's import mode or the directory pytest was started from.
"""

import os
import sys

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)
