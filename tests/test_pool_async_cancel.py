"""A cancelled call_async future gives up its job: dropped if queued, terminated if running.

Each case runs in a fresh interpreter: a cancelled job that kept its worker would hang the next
call forever.
"""

from _subprocess import run_python

CODE = "function spin() { if (typeof started === 'function') started(); while (true) {} } function quick(x) { return x + 1 }"


def test_cancelled_running_and_queued_calls_free_the_workers():
    out = run_python(
        f"""
        import asyncio, itertools, v8ctx
        started = itertools.count(1)
        entered = []
        pool = v8ctx.Pool({CODE!r}, workers=2, globals={{"started": lambda: entered.append(next(started))}})
        async def main():
            running = [asyncio.ensure_future(pool.call_async("spin")) for _ in range(2)]
            queued = asyncio.ensure_future(pool.evaluate_async("spin()"))
            # Cancelled only once both spins are inside JavaScript, and the third still queued.
            while len(entered) < 2 or pool.stats()["queued"] != 1:
                await asyncio.sleep(0.01)
            for future in running + [queued]:
                future.cancel()
            print(await asyncio.wait_for(pool.call_async("quick", [1]), 30))
            # quick() ran on the first worker its spin's end freed; the other spin may still be
            # ending, and is counted once it has.
            for _ in range(1000):
                if pool.stats()["calls"] == 3:
                    break
                await asyncio.sleep(0.01)
            print(pool.stats()["calls"], len(entered))
        asyncio.run(main())
        pool.close()
        """,
        timeout=60,
    )
    # The two running spins were terminated, the queued one never ran, and quick() ran.
    assert out.split() == ["2", "3", "2"]


def test_a_cancelled_future_leaves_the_other_calls_alone():
    out = run_python(
        f"""
        import asyncio, v8ctx
        pool = v8ctx.Pool({CODE!r}, workers=1)
        async def main():
            doomed = asyncio.ensure_future(pool.call_async("spin"))
            kept = [asyncio.ensure_future(pool.call_async("quick", [i])) for i in range(5)]
            await asyncio.sleep(0.2)
            doomed.cancel()
            print(await asyncio.wait_for(asyncio.gather(*kept), 30))
        asyncio.run(main())
        pool.close()
        """,
        timeout=60,
    )
    assert out.strip() == "[1, 2, 3, 4, 5]"


def test_results_for_a_closed_event_loop_are_dropped_quietly():
    out = run_python(
        f"""
        import asyncio, sys, time, v8ctx
        reported = []
        sys.unraisablehook = lambda args: reported.append(args.exc_value)
        pool = v8ctx.Pool("function slow() {{ const end = Date.now() + 200; while (Date.now() < end) {{}} return 1 }}", workers=2)
        async def main():
            for _ in range(4):
                asyncio.ensure_future(pool.call_async("slow"))  # never awaited
        asyncio.run(main())
        time.sleep(1)
        pool.close()
        print(len(reported))
        """,
        timeout=60,
    )
    assert out.strip() == "0"
