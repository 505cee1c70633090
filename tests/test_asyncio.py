"""Contexts driven from asyncio: ``call_async`` and ``evaluate_async`` (src/awaiting.rs,
python/v8ctx/_awaiting.py), and async Python functions called from JavaScript.

The operation runs on the event loop's thread in steps; while its Promise waits on timers or on
async Python functions, other tasks run. Cancelling the awaiting task ends the operation (its
timers and the coroutines it started go with it) and leaves the Context usable.
"""

import asyncio
import threading

import pytest

import v8ctx


def run(coroutine_function):
    """Runs ``coroutine_function(ctx)`` on a fresh event loop with a fresh Context."""

    async def main():
        with v8ctx.Context() as ctx:
            return await coroutine_function(ctx)

    return asyncio.run(main())


def test_evaluate_async_returns_a_plain_value():
    assert run(lambda ctx: ctx.evaluate_async("6 * 7")) == 42


def test_evaluate_async_awaits_a_timer_driven_promise():
    assert run(lambda ctx: ctx.evaluate_async("new Promise(r => setTimeout(() => r('later'), 20))")) == "later"


def test_call_async_calls_a_global_function_with_arguments():
    async def scenario(ctx):
        ctx.compile("async function greet(name) { await new Promise(r => setTimeout(r, 5)); return 'hi ' + name }")
        return await ctx.call_async("greet", ["ada"])

    assert run(scenario) == "hi ada"


def test_other_tasks_run_while_javascript_waits_for_a_timer():
    async def scenario(ctx):
        progress = []

        async def other_task():
            while True:
                progress.append(1)
                await asyncio.sleep(0.005)

        task = asyncio.create_task(other_task())
        await asyncio.sleep(0)
        before = len(progress)
        await ctx.evaluate_async("new Promise(r => setTimeout(r, 200))")
        task.cancel()
        return len(progress) - before

    assert run(scenario) > 1


def test_an_async_python_function_is_awaited_by_javascript():
    async def scenario(ctx):
        async def fetch(x):
            await asyncio.sleep(0.01)
            return {"value": x * 2}

        ctx.expose("fetch", fetch)
        return await ctx.evaluate_async("(async () => (await fetch(1)).value + (await fetch(20)).value)()")

    assert run(scenario) == 42


def test_async_python_functions_may_finish_in_any_order():
    async def scenario(ctx):
        finished = []

        async def job(name, delay):
            await asyncio.sleep(delay)
            finished.append(name)
            return name

        ctx.expose("job", job)
        results = await ctx.evaluate_async("Promise.all([job('slow', 0.06), job('fast', 0.01), job('mid', 0.03)])")
        return results, finished

    results, finished = run(scenario)
    assert results == ["slow", "fast", "mid"]
    assert finished == ["fast", "mid", "slow"]


def test_an_async_python_exception_is_the_original_object_when_javascript_does_not_catch_it():
    raised = ValueError("async failure")

    async def scenario(ctx):
        async def fail():
            raise raised

        ctx.expose("fail", fail)
        with pytest.raises(ValueError) as info:
            await ctx.evaluate_async("(async () => { await fail() })()")
        caught = await ctx.evaluate_async("fail().catch(e => [e.name, e.message])")
        return info.value, caught

    original, caught = run(scenario)
    assert original is raised
    assert caught == ["ValueError", "async failure"]


def test_an_async_python_function_from_a_synchronous_call_says_to_use_the_async_api():
    with v8ctx.Context() as ctx:
        async def fetch():
            return 1

        ctx.expose("fetch", fetch)
        name, message = ctx.evaluate("try { fetch() } catch (e) { [e.name, e.message] }")
        assert name == "TypeError" and "ctx.call_async" in message


def test_cancelling_the_awaiting_task_ends_the_operation_and_its_timers():
    async def scenario(ctx):
        task = asyncio.create_task(
            ctx.evaluate_async("new Promise(r => setTimeout(() => { globalThis.fired = true; r() }, 100))")
        )
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await ctx.evaluate_async("new Promise(r => setTimeout(r, 200))")
        return ctx.evaluate("typeof fired"), ctx.evaluate("1 + 1")

    assert run(scenario) == ("undefined", 2)


def test_cancelling_the_awaiting_task_cancels_the_python_coroutines_it_started():
    async def scenario(ctx):
        cancelled = asyncio.Event()

        async def forever():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        ctx.expose("forever", forever)
        task = asyncio.create_task(ctx.evaluate_async("forever()"))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.wait_for(cancelled.wait(), 5)
        return ctx.evaluate("'usable'")

    assert run(scenario) == "usable"


def test_a_timeout_covers_the_time_spent_waiting():
    async def scenario(ctx):
        with pytest.raises(v8ctx.JSTimeoutError):
            await ctx.evaluate_async("new Promise(r => setTimeout(r, 5000))", timeout=0.1)

        async def slow():
            await asyncio.sleep(5)

        ctx.expose("slow", slow)
        with pytest.raises(v8ctx.JSTimeoutError):
            await ctx.evaluate_async("slow()", timeout=0.1)
        return ctx.evaluate("1 + 1")

    assert run(scenario) == 2


def test_a_promise_that_can_never_settle_raises_at_once():
    with pytest.raises(v8ctx.PromiseNeverSettlesError):
        run(lambda ctx: ctx.evaluate_async("new Promise(() => {})"))


def test_two_awaited_operations_on_one_context_run_side_by_side():
    async def scenario(ctx):
        return await asyncio.gather(
            ctx.evaluate_async("new Promise(r => setTimeout(() => r('a'), 30))"),
            ctx.evaluate_async("new Promise(r => setTimeout(() => r('b'), 10))"),
        )

    assert run(scenario) == ["a", "b"]


def test_a_javascript_error_raises_jserror():
    async def scenario(ctx):
        with pytest.raises(v8ctx.JSError) as info:
            await ctx.evaluate_async("Promise.reject(new RangeError('no'))")
        return info.value.name

    assert run(scenario) == "RangeError"


def test_awaiting_on_another_thread_raises_wrong_thread_error():
    ctx = v8ctx.Context()
    errors = []

    def other_thread():
        try:
            asyncio.run(ctx.evaluate_async("1"))
        except v8ctx.WrongThreadError as e:
            errors.append(e)

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    ctx.close()
    assert len(errors) == 1


def test_a_step_that_fails_closes_the_coroutines_it_started():
    async def scenario(ctx):
        ran = []

        async def record(x):
            ran.append(x)

        ctx.expose("record", record)
        with pytest.raises(v8ctx.JSError):
            await ctx.evaluate_async("record(1); throw new Error('after the call')")
        # A later operation's driver must not pick up the failed step's coroutine.
        await ctx.evaluate_async("new Promise(r => setTimeout(r, 20))")
        return ran

    assert run(scenario) == []


def test_two_awaited_operations_where_one_fails_leave_the_other_able_to_await_python():
    async def scenario(ctx):
        async def later(x):
            await asyncio.sleep(0.02)
            return x

        ctx.expose("later", later)
        slow = asyncio.create_task(ctx.evaluate_async("new Promise(r => setTimeout(r, 30)).then(() => later('still async'))"))
        with pytest.raises(v8ctx.JSError):
            await ctx.evaluate_async("new Promise((_, no) => setTimeout(() => no(new Error('x')), 5))")
        return await slow

    assert run(scenario) == "still async"


@pytest.mark.timeout(60)
@pytest.mark.parametrize("error", [GeneratorExit("closed"), asyncio.CancelledError("gave up")], ids=lambda e: type(e).__name__)
def test_a_base_exception_an_async_python_function_raises_reaches_the_caller(error):
    # As from a synchronous call. It escaped asyncio's done callback, and the operation hung.
    async def fails():
        raise error

    async def main(ctx):
        ctx.expose("fails", fails)
        return await asyncio.wait_for(ctx.evaluate_async("fails().then(() => 'ok', e => 'caught ' + e.name)"), 20)

    with pytest.raises(type(error)) as raised:
        run(main)
    assert raised.value is error
