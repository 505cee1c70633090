"""What crosses between a process-isolated Pool and its worker processes: pickles.

The worker converts values to and from JavaScript exactly as an in-process Context does; the
pipe carries the Python side of them. A worker runs JavaScript nobody vetted, so what it sends is
unpickled with only the classes a conversion or a v8ctx error produces: a worker that was taken
over can send wrong data, never code to run in the parent.
"""

import builtins
import io
import pickle

import v8ctx

_DATA_CLASSES = {
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "bytearray"),
    ("datetime", "datetime"),
    ("datetime", "timezone"),
    ("datetime", "timedelta"),
}


def dumps(value):
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data):
    """For what the parent sends a worker: trusted."""
    return pickle.loads(data)


class _FromWorker(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _DATA_CLASSES:
            return super().find_class(module, name)
        source = {"v8ctx": v8ctx, "builtins": builtins}.get(module)
        found = getattr(source, name, None) if source is not None else None
        if isinstance(found, type) and issubclass(found, BaseException):
            return found
        raise pickle.UnpicklingError(
            f"a worker process sent {module}.{name}, which no conversion produces"
        )


def loads_from_worker(data):
    """For what a worker sends the parent: data and exceptions only."""
    return _FromWorker(io.BytesIO(data)).load()
