"""The process `Snapshot.create` starts to make a snapshot: `python -m v8ctx._snapshot`.

The parent writes the request to stdin; see `src/snapshot/maker.rs`.
"""

from ._v8ctx import _serve_snapshot_maker

if __name__ == "__main__":
    _serve_snapshot_maker()
