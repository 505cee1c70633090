"""A cancelled call_async future gives up its job: dropped if queued, terminated if running.

Each case runs in a fresh interpreter: a cancelled job that kept its worker would hang the next
call forever.
"""

from _subprocess import run_python

CODE = "function spin() { while (true) {} } function quick(x) { return x + 1 }"


def test_cancelled_running_and_queued_calls_free_the_workers():
    out = run_python(
        f"""
        import asyncio, v8ctx
        pool = v8ctx.Pool({CODE!r}, workers=2)
        async def main():
            running = [asyncio.ensure_future(pool.call_async("spin")) for _ in range(2)]
            queued = asyncio.ensure_future(pool.evaluate_async("spin()"))
            while pool.stats()["queued"] != 1:
                await asyncio.sleep(0.01)
            for future in running + [queued]:
                future.cancel()
            print(await asyncio.wait_for(pool.call_async("quick", [1]), 30))
            print(pool.stats()["calls"])
        asyncio.run(main())
        pool.close()
        """,
        timeout=60,
    )
    # The two running spins were terminated, the queued one never ran, and quick() ran.
    assert out.split() == ["2", "3"]


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
