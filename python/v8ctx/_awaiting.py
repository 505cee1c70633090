"""The asyncio driver of ``Context.call_async`` and ``Context.evaluate_async`` (src/awaiting.rs).

The operation runs in steps on the event loop's thread. Between steps this coroutine sleeps until
the next JavaScript timer is due or an async Python function JavaScript called has finished, so
other tasks run meanwhile. Cancelling the awaiting task ends the operation (its timers and the
coroutines it started go with it) and leaves the Context usable.
"""

import asyncio
import functools

# How long to sleep when nothing this operation started can wake it (a Promise another
# operation's async call may settle).
_IDLE_POLL = 0.05


async def drive(operation):
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()
    tasks = set()
    # A BaseException that is no Exception (GeneratorExit, a CancelledError the coroutine raised
    # itself) ends the operation and reaches the caller, as it does from a synchronous call.
    raised = []
    ending = False

    def settle(number, task):
        tasks.discard(task)
        try:
            if task.cancelled():
                if ending:
                    operation.settle_call(number, None, None)
                else:
                    try:
                        task.result()
                    except asyncio.CancelledError as cancelled:
                        operation.settle_call(number, False, cancelled)
            elif task.exception() is not None:
                operation.settle_call(number, False, task.exception())
            else:
                operation.settle_call(number, True, task.result())
        except BaseException as error:
            raised.append(error)
        changed.set()

    try:
        while True:
            changed.clear()
            if raised:
                raise raised[0]
            done, value, wait, started = operation.step()
            if done:
                return value
            for number, coroutine in started:
                task = loop.create_task(coroutine)
                tasks.add(task)
                task.add_done_callback(functools.partial(settle, number))
            if wait is None and not tasks:
                wait = _IDLE_POLL
            if wait == 0:
                await asyncio.sleep(0)
                continue
            try:
                await asyncio.wait_for(changed.wait(), wait)
            except asyncio.TimeoutError:
                pass
    except BaseException:
        ending = True
        operation.cancel()
        for task in tasks:
            task.cancel()
        raise
