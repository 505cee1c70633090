"""A child forked with v8ctx objects alive exits cleanly, whatever it inherited.

V8 does not survive fork(): the child's inherited Pools, Contexts and Scripts refuse to run and
say so, and at exit nothing waits for the parent's worker threads or a lock one of them held.
Each case forks inside a fresh interpreter, and the parent's waitpid has a deadline.
"""

import pytest

from _subprocess import run_python

SETUP = """
import os, sys, threading, time, v8ctx
pool = v8ctx.Pool("function spin(ms) { const e = Date.now() + ms; while (Date.now() < e) {} return 1 }", workers=2)
ctx = v8ctx.Context()
ctx.compile("var x = 1")
script = ctx.load("const y = 2")
"""

WAIT_FOR_CHILD = """
deadline = time.monotonic() + 30
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    if time.monotonic() > deadline:
        os.kill(pid, 9)
        print("child hung")
        sys.exit(1)
    time.sleep(0.05)
print("child exit", os.waitstatus_to_exitcode(status))
"""


@pytest.mark.parametrize("in_flight", [False, True], ids=["idle", "calls-in-flight"])
@pytest.mark.parametrize("child_does", ["exit", "close", "del", "use"])
def test_forked_child_exits_cleanly(in_flight, child_does):
    child = {
        "exit": "pass",
        "close": "pool.close(); ctx.close()",
        "del": "del pool, ctx, script",
        "use": (
            "for call in (lambda: pool.call('spin', [1]), lambda: ctx.evaluate('1'), lambda: script.evaluate('y')):\n"
            "        try:\n"
            "            call()\n"
            "        except RuntimeError as error:\n"
            "            print('refused:', 'fork' in str(error), flush=True)"
        ),
    }[child_does]
    out = run_python(
        SETUP
        + (
            "callers = [threading.Thread(target=pool.call, args=('spin', [300])) for _ in range(3)]\n"
            "for caller in callers: caller.start()\n"
            "time.sleep(0.05)\n"
            if in_flight
            else ""
        )
        + f"""
pid = os.fork()
if pid == 0:
    {child}
    sys.exit(0)
"""
        + WAIT_FOR_CHILD
        + ("for caller in callers: caller.join()\n" if in_flight else "")
        + "print('parent still works', pool.call('spin', [1]), ctx.evaluate('x'), script.evaluate('y'))\n",
        timeout=120,
    )
    lines = out.strip().splitlines()
    if child_does == "use":
        assert lines[:3] == ["refused: True"] * 3
    assert lines[-2:] == ["child exit 0", "parent still works 1 1 2"]
