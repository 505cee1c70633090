"""Shared pytest configuration for the v8ctx test suite.

Makes the ``tests`` directory importable, so test modules can ``from _subprocess import run_python``
whatever pytest's import mode or the directory pytest was started from.

Arms a last-resort watchdog per test: pytest-timeout's thread method needs the GIL to report and
exit, so a hang in native code that holds the GIL would stall the run for good. faulthandler's
watchdog is a C thread that needs no GIL: past ``HANG_SECONDS`` it prints every thread's Python
stack and ends the process, failing the run instead of stalling it.
"""

import faulthandler
import os
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

# Longer than pytest-timeout's backstop (pyproject.toml), which reports first when it can.
HANG_SECONDS = 360


@pytest.fixture(autouse=True)
def _hang_watchdog():
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
