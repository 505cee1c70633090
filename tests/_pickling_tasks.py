"""Task functions for test_pickling.py's multiprocessing children (importable from them)."""

import hashlib
import hmac
import os
import pathlib

SIGNER = (pathlib.Path(__file__).parent.parent / "examples" / "hmac_sha256.js").read_text()
KEY = b"v8ctx-example-key"


def expected(record):
    return hmac.new(KEY, f"{record['id']}:{record['amount']}".encode(), hashlib.sha256).hexdigest()


def records(start, count):
    return [{"id": i, "amount": f"{i % 97}.{i % 100:02d}"} for i in range(start, start + count)]


def sign_with(pool, batch):
    """Signs `batch` with the pool it was given (pickled into this process)."""
    return os.getpid(), repr(pool), pool.call("signAll", [batch])


def sign_with_shared(batch):
    """Signs `batch` with this process's shared pool, created here."""
    import v8ctx

    pool = v8ctx.shared_pool(SIGNER, workers=1)
    return os.getpid(), repr(pool), pool.call("signAll", [batch])
