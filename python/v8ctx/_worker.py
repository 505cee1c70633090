"""The entry point of a process-isolated Pool's worker: `python -m v8ctx._worker`.

The parent starts it with its pipes in place; see `src/pool/process_child.rs`.
"""

from ._v8ctx import _serve_process_worker

if __name__ == "__main__":
    _serve_process_worker()
