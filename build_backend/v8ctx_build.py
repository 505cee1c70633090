"""The build backend `pip install .` uses: maturin's, after finding V8 for the v8 crate.

The v8 crate links a prebuilt V8 that its build script downloads from github.com, after minutes
of compiling everything else. Two cases need help before that starts:

- offline, with the prebuilt copy this project keeps beside it (``../shared/v8``): the
  environment variables ``../shared/v8/env.sh`` sets are set here, so ``pip install .`` works as
  written;
- offline without one: the build stops at once, saying what to set, instead of failing minutes
  later with the v8 crate's advice to build V8 from source.

With internet, or with ``RUSTY_V8_ARCHIVE`` already set, this changes nothing.
"""

import os
import socket

import maturin
from maturin import (  # noqa: F401  (the hooks pip calls, as maturin defines them)
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
    prepare_metadata_for_build_editable,
    prepare_metadata_for_build_wheel,
)

_PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SHARED_V8 = os.path.join(os.path.dirname(_PROJECT), "shared", "v8")
_TARGET = "simdutf_release_x86_64-unknown-linux-gnu"


def _find_v8():
    if os.environ.get("RUSTY_V8_ARCHIVE") or os.environ.get("RUSTY_V8_MIRROR"):
        return
    archive = os.path.join(_SHARED_V8, f"librusty_v8_{_TARGET}.a.gz")
    binding = os.path.join(_SHARED_V8, f"src_binding_{_TARGET}.rs")
    if os.path.isfile(archive) and os.path.isfile(binding):
        os.environ["RUSTY_V8_ARCHIVE"] = archive
        os.environ["RUSTY_V8_SRC_BINDING_PATH"] = binding
        return
    try:
        socket.create_connection(("github.com", 443), timeout=10).close()
    except OSError as err:
        raise RuntimeError(
            "v8ctx links V8 through the v8 crate, whose build script downloads a prebuilt V8 "
            f"from github.com, which this machine cannot reach ({err}). Set RUSTY_V8_ARCHIVE "
            "(and RUSTY_V8_SRC_BINDING_PATH) to a downloaded librusty_v8 archive and its binding "
            "for v8 150.4.0, or RUSTY_V8_MIRROR to a mirror of its releases, or put the prebuilt "
            f"copy in {_SHARED_V8}; README.md, Building, says more."
        ) from None


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _find_v8()
    return maturin.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _find_v8()
    return maturin.build_editable(wheel_directory, config_settings, metadata_directory)
