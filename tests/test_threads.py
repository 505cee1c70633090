"""Thread rules of v8ctx.Context.

The rules under test:

* A Context belongs to the thread that created it. Any number of Contexts can be alive on one thread,
  used alternately, and closed or garbage-collected in any order.
* ``close()`` and ``closed`` work from any thread (a foreign-thread close marks the Context closed and
  defers disposal to the owner). Every other method from another thread raises ``v8ctx.WrongThreadError``,
  naming the owner and the calling thread and pointing at ``threading.local`` and ``v8ctx.Pool``; the
  Context keeps working on its owner.
* The last reference dropped on another thread: the runtime is disposed on the owner at its next v8ctx
  call, or when the owner exits. A thread exiting with live Contexts disposes them; afterwards every
  method raises ``v8ctx.ContextClosedError`` saying the owner thread exited, and ``closed`` is True.
* The GIL is released while JavaScript runs: shown by what happens (Python runs meanwhile, two
  threads are inside JavaScript together), never by comparing run times, which is bench/'s job.
* After ``os.fork()`` the child cannot use V8 (inherited or new Context) once V8 was started in the
  parent: RuntimeError mentioning "fork" and "spawn".

Every test runs its script in a fresh interpreter (``run_python``) so that a V8 abort or a deadlock
fails that test only. Each script asserts its results itself and prints "OK" as its last line.
"""

import pytest

from _subprocess import run_python


def assert_ok(stdout: str) -> None:
    lines = stdout.strip().splitlines()
    assert lines and lines[-1] == "OK", f"script did not finish with OK; stdout:\n{stdout}"


# --------------------------------------------------------------------------------------------------
# many threads, each with its own Contexts


def test_a_library_compiled_on_many_threads_at_once_behaves_the_same_on_each():
    """Compiled code is shared by the whole process (src/code_cache.rs): 8 threads compiling the same
    library in fresh Contexts, over and over, race to make and use its code cache."""
    out = run_python(
        """
        from concurrent.futures import ThreadPoolExecutor
        import v8ctx

        source = "\\n".join(
            [f"function f{i}(x) {{ return 'f{i}:' + (x + {i}) }}" for i in range(60)]
            + ["function all(x) { var out = []; for (var i = 0; i < 60; i++) out.push(globalThis['f' + i](x)); return out }"]
        )
        expected = [f"f{i}:{5 + i}" for i in range(60)]

        def task(n):
            with v8ctx.Context() as ctx:
                ctx.compile(source)
                assert ctx.call("all", [5]) == expected
                ctx.compile(source + "\\nvar variant = %d" % (n % 3))
                assert ctx.evaluate("variant") == n % 3
            return n

        with ThreadPoolExecutor(8) as pool:
            assert sorted(pool.map(task, range(200))) == list(range(200))
        print("OK")
        """,
        timeout=120,
    )
    assert_ok(out)


@pytest.mark.timeout(360)  # above its run_python budget, which then fails this test alone
def test_thread_local_contexts_in_a_thread_pool_serve_10000_calls():
    out = run_python(
        """
        import threading
        from collections import defaultdict
        from concurrent.futures import ThreadPoolExecutor
        import v8ctx

        local = threading.local()
        created = []
        created_lock = threading.Lock()

        def context_for_this_thread():
            ctx = getattr(local, "ctx", None)
            if ctx is None:
                ctx = v8ctx.Context()
                ctx.compile("var calls = 0; function work(a, b) { calls++; return [a * 3 + b, calls] }")
                local.ctx = ctx
                with created_lock:
                    created.append(threading.get_ident())
            return ctx

        def task(i):
            result, calls = context_for_this_thread().call("work", [i, 7])
            return i, result, calls, threading.get_ident()

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(task, range(10_000)))

        assert len(results) == 10_000
        calls_by_thread = defaultdict(list)
        for i, result, calls, ident in results:
            assert result == i * 3 + 7, (i, result)
            calls_by_thread[ident].append(calls)
        # Each thread used one Context of its own: its call counter went 1, 2, 3, ... without gaps.
        for ident, counts in calls_by_thread.items():
            assert sorted(counts) == list(range(1, len(counts) + 1)), ident
        assert 1 <= len(created) <= 8, created
        assert len(set(created)) == len(created), "a thread created two Contexts"
        assert set(calls_by_thread) == set(created)
        print("OK")
        """,
        timeout=300,
    )
    assert_ok(out)


@pytest.mark.timeout(660)  # above its run_python budget, which then fails this test alone
def test_threads_create_and_discard_contexts_in_a_loop():
    out = run_python(
        """
        import threading, traceback
        import v8ctx

        thread_failures = []
        def record_failure(args):
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            thread_failures.append(f"{args.thread.name}: {args.exc_value!r}")
        threading.excepthook = record_failure

        finished = []

        def worker(t):
            for i in range(200):
                c = v8ctx.Context()  # the previous one is dropped by this rebinding, no del
                assert c.evaluate(f"{i}+1") == i + 1
            for i in range(200):
                with v8ctx.Context() as c:
                    c.compile(f"var t = {t}; var i = {i}")
                    assert c.evaluate("t * 1000 + i") == t * 1000 + i
                assert c.closed is True
            finished.append(t)

        threads = [threading.Thread(target=worker, args=(t,), name=f"worker-{t}") for t in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()

        assert not thread_failures, thread_failures
        assert sorted(finished) == [0, 1, 2, 3]
        print("OK")
        """,
        timeout=600,
    )
    assert_ok(out)


@pytest.mark.timeout(660)  # above its run_python budget, which then fails this test alone
def test_10000_contexts_created_and_dropped_on_one_thread():
    # Stress test, meant for CI: nothing may accumulate per Context.
    out = run_python(
        """
        import os
        import v8ctx

        PAGE = os.sysconf("SC_PAGE_SIZE")
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * PAGE

        baseline = None
        for i in range(10_000):
            c = v8ctx.Context()
            assert c.evaluate('1') == 1
            if i == 500:
                baseline = rss()
        growth = rss() - baseline
        print(f"RSS growth over 9,500 Contexts: {growth / 2**20:.1f} MiB")
        assert growth < 512 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB"
        print("OK")
        """,
        timeout=600,
    )
    assert_ok(out)


# --------------------------------------------------------------------------------------------------
# many Contexts alive on one thread, any order


@pytest.mark.parametrize("count", [2, 50])
@pytest.mark.timeout(360)  # above its run_python budget, which then fails this test alone
def test_many_contexts_alive_on_one_thread_used_and_dropped_in_random_order(count):
    script = """
        import gc, random
        import v8ctx

        COUNT = __COUNT__
        ROUNDS = 3000
        rng = random.Random(20240 + COUNT)

        contexts = {}
        hits = {}
        next_id = 0

        def make_context():
            global next_id
            k = next_id
            next_id += 1
            c = v8ctx.Context()
            c.compile(f"var id = {k}; var hits = 0; function touch(x) {{ hits++; return id * 100000 + x }}")
            contexts[k] = c
            hits[k] = 0

        def use_randomly(rounds):
            keys = sorted(contexts)
            for _ in range(rounds):
                k = rng.choice(keys)
                x = rng.randrange(100000)
                assert contexts[k].call("touch", [x]) == k * 100000 + x, k
                hits[k] += 1

        def check_all():
            for k in sorted(contexts):
                assert contexts[k].evaluate("id") == k
                assert contexts[k].evaluate("hits") == hits[k], k

        def drop(k):
            c = contexts.pop(k)
            if rng.random() < 0.5:
                c.close()
                assert c.closed is True
                del c
            else:
                del c  # the last reference
                gc.collect()

        for _ in range(COUNT):
            make_context()
        use_randomly(ROUNDS)
        check_all()

        # drop half in random order, create some more, then drop everything in random order
        order = sorted(contexts)
        rng.shuffle(order)
        for k in order[: COUNT // 2]:
            drop(k)
            use_randomly(20)
            check_all()
        for _ in range(max(1, COUNT // 4)):
            make_context()
        use_randomly(ROUNDS // 2)
        check_all()
        order = sorted(contexts)
        rng.shuffle(order)
        for k in order:
            drop(k)
            if contexts:
                use_randomly(20)
                check_all()
        assert not contexts

        fresh = v8ctx.Context()
        assert fresh.evaluate("typeof id") == "undefined"
        assert fresh.evaluate("6 * 7") == 42
        print("OK")
        """
    out = run_python(script.replace("__COUNT__", str(count)), timeout=300)
    assert_ok(out)


@pytest.mark.parametrize("how", ["del", "close"])
def test_contexts_released_first_in_first_out(how):
    script = """
        import gc
        import v8ctx

        HOW = "__HOW__"

        def release(ctx):
            if HOW == "close":
                ctx.close()

        a = v8ctx.Context(); a.compile("var name = 'a'")
        b = v8ctx.Context(); b.compile("var name = 'b'")
        c = v8ctx.Context(); c.compile("var name = 'c'")
        assert [a.evaluate("name"), b.evaluate("name"), c.evaluate("name")] == ["a", "b", "c"]

        release(a); del a
        assert b.evaluate("name") == "b" and c.evaluate("name") == "c"
        release(b); del b
        assert c.evaluate("name") == "c"
        release(c); del c
        gc.collect()

        d = v8ctx.Context()
        assert d.evaluate("typeof name") == "undefined"
        assert d.evaluate("1 + 2") == 3
        print("OK")
        """
    out = run_python(script.replace("__HOW__", how))
    assert_ok(out)


# --------------------------------------------------------------------------------------------------
# the owner thread rule


@pytest.mark.parametrize("method", ["compile", "call", "evaluate", "eval", "gc", "heap_stats", "__enter__"])
def test_method_from_wrong_thread_raises_wrong_thread_error(method):
    script = """
        import threading
        import v8ctx

        METHOD = "__METHOD__"
        ctx = v8ctx.Context()
        ctx.compile("function f() { return 1 }")

        attempts = {
            "compile": lambda c: c.compile("var fromIntruder = 1"),
            "call": lambda c: c.call("f"),
            "evaluate": lambda c: c.evaluate("var fromIntruder = 1; 2"),
            "eval": lambda c: c.eval("var fromIntruder = 1", return_value=True),
            "gc": lambda c: c.gc(),
            "heap_stats": lambda c: c.heap_stats(),
            "__enter__": lambda c: c.__enter__(),
        }
        outcome = {}

        def intruder():
            try:
                attempts[METHOD](ctx)
            except v8ctx.WrongThreadError as e:
                outcome["error"] = e
            except BaseException as e:
                outcome["unexpected"] = repr(e)
            else:
                outcome["unexpected"] = "no exception"
            outcome["closed_seen"] = ctx.closed  # closed is readable from any thread

        t = threading.Thread(target=intruder, name="intruder-thread")
        t.start()
        t.join()

        assert "error" in outcome, outcome
        err = outcome["error"]
        assert isinstance(err, RuntimeError)
        message = str(err)
        for needle in ("MainThread", "intruder-thread", "threading.local", "v8ctx.Pool"):
            assert needle in message, f"{needle!r} not in {message!r}"
        assert outcome["closed_seen"] is False

        # the owner is unaffected, and nothing ran on the intruder's behalf
        assert ctx.closed is False
        assert ctx.evaluate("1 + 2") == 3
        assert ctx.call("f") == 1
        assert ctx.evaluate("typeof fromIntruder") == "undefined"
        print("OK")
        """
    out = run_python(script.replace("__METHOD__", method))
    assert_ok(out)


def test_wrong_thread_error_names_a_non_main_owner_thread():
    out = run_python(
        """
        import threading, traceback
        import v8ctx

        thread_failures = []
        def record_failure(args):
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            thread_failures.append(f"{args.thread.name}: {args.exc_value!r}")
        threading.excepthook = record_failure

        box = []
        created = threading.Event()
        main_tried = threading.Event()
        owner_result = []

        def owner():
            ctx = v8ctx.Context()
            ctx.compile("var who = 'owner'")
            box.append(ctx)
            created.set()
            assert main_tried.wait(60)
            owner_result.append(ctx.evaluate("who"))  # still usable by its owner
            ctx.close()

        t = threading.Thread(target=owner, name="owner-thread")
        t.start()
        assert created.wait(60)
        try:
            box[0].evaluate("who")
        except v8ctx.WrongThreadError as e:
            message = str(e)
        else:
            raise AssertionError("evaluate from the main thread did not raise")
        finally:
            main_tried.set()
        t.join()

        for needle in ("owner-thread", "MainThread", "threading.local", "v8ctx.Pool"):
            assert needle in message, f"{needle!r} not in {message!r}"
        assert not thread_failures, thread_failures
        assert owner_result == ["owner"]
        assert box[0].closed is True
        print("OK")
        """
    )
    assert_ok(out)


def test_close_from_another_thread_is_honoured():
    out = run_python(
        """
        import threading, traceback
        import v8ctx

        thread_failures = []
        def record_failure(args):
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            thread_failures.append(f"{args.thread.name}: {args.exc_value!r}")
        threading.excepthook = record_failure

        ctx = v8ctx.Context()
        ctx.compile("function f() { return 1 }")
        assert ctx.call("f") == 1
        seen = {}

        def closer():
            seen["before"] = ctx.closed
            assert ctx.close() is None
            seen["after"] = ctx.closed
            ctx.close()  # idempotent from a foreign thread too
            seen["after_twice"] = ctx.closed

        t = threading.Thread(target=closer, name="closer-thread")
        t.start()
        t.join()

        assert not thread_failures, thread_failures
        assert seen == {"before": False, "after": True, "after_twice": True}, seen
        assert ctx.closed is True
        try:
            ctx.call("f")
        except v8ctx.ContextClosedError:
            pass
        else:
            raise AssertionError("call after a foreign close did not raise ContextClosedError")
        ctx.close()  # the owner may close it again
        assert ctx.closed is True

        fresh = v8ctx.Context()
        assert fresh.evaluate("2 + 2") == 4
        print("OK")
        """
    )
    assert_ok(out)


# --------------------------------------------------------------------------------------------------
# the last reference dropped on another thread


def test_last_reference_dropped_on_another_thread():
    out = run_python(
        """
        import gc, threading, traceback
        import v8ctx

        thread_failures = []
        def record_failure(args):
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            thread_failures.append(f"{args.thread.name}: {args.exc_value!r}")
        threading.excepthook = record_failure

        def make():
            c = v8ctx.Context()
            c.compile("var payload = new Array(1e5).fill(1)")
            assert c.evaluate("payload.length") == 100000
            return c

        box = [make()]  # the only reference

        def dropper():
            c = box.pop()
            assert c.closed is False
            del c
            gc.collect()

        t = threading.Thread(target=dropper, name="dropper-thread")
        t.start()
        t.join()
        assert not thread_failures, thread_failures
        assert box == []

        gc.collect()
        other = v8ctx.Context()  # the owner's next v8ctx call
        assert other.evaluate("40 + 2") == 42
        other.compile("function g(x) { return x * 2 }")
        assert other.call("g", [21]) == 42
        print("OK")
        """
    )
    assert_ok(out)


@pytest.mark.timeout(660)  # above its run_python budget, which then fails this test alone
def test_foreign_drops_do_not_leak_while_the_owner_keeps_using_v8ctx():
    out = run_python(
        """
        import gc, os, threading, traceback
        import v8ctx

        thread_failures = []
        def record_failure(args):
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            thread_failures.append(f"{args.thread.name}: {args.exc_value!r}")
        threading.excepthook = record_failure

        PAGE = os.sysconf("SC_PAGE_SIZE")
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * PAGE

        def make(i):
            c = v8ctx.Context()
            c.compile(f"var payload = new Array(1e5).fill({i})")
            return c

        def drop_in_thread(box):
            c = box.pop()
            del c
            gc.collect()

        owner_ctx = v8ctx.Context()
        owner_ctx.compile("function inc(x) { return x + 1 }")

        baseline = None
        for i in range(2000):
            box = [make(i)]
            t = threading.Thread(target=drop_in_thread, args=(box,))
            t.start()
            t.join()
            assert box == []
            assert owner_ctx.call("inc", [i]) == i + 1  # the owner keeps making v8ctx calls
            if i == 100:
                baseline = rss()
        gc.collect()
        owner_ctx.gc()
        assert not thread_failures, thread_failures

        growth = rss() - baseline
        print(f"RSS growth over 1,900 foreign drops: {growth / 2**20:.1f} MiB")
        assert growth < 300 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB"
        print("OK")
        """,
        timeout=600,
    )
    assert_ok(out)


@pytest.mark.timeout(660)  # above its run_python budget, which then fails this test alone
def test_foreign_drop_is_disposed_when_the_owner_thread_exits():
    # The owner makes no further v8ctx call after the foreign drop: disposal must happen at its exit.
    out = run_python(
        """
        import gc, os, threading, traceback
        import v8ctx

        thread_failures = []
        def record_failure(args):
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            thread_failures.append(f"{args.thread.name}: {args.exc_value!r}")
        threading.excepthook = record_failure

        PAGE = os.sysconf("SC_PAGE_SIZE")
        def rss():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * PAGE

        def owner(k):
            ctx = v8ctx.Context()
            ctx.compile(f"var payload = new Array(1e6).fill({k})")
            assert ctx.evaluate("payload.length") == 1000000
            box = [ctx]
            del ctx

            def dropper():
                c = box.pop()
                del c
                gc.collect()

            d = threading.Thread(target=dropper, name=f"dropper-{k}")
            d.start()
            d.join()
            assert box == []
            # return without touching v8ctx again

        baseline = None
        for k in range(500):
            t = threading.Thread(target=owner, args=(k,), name=f"owner-{k}")
            t.start()
            t.join()
            if k == 50:
                baseline = rss()
        gc.collect()
        assert not thread_failures, thread_failures

        growth = rss() - baseline
        print(f"RSS growth over 450 owner exits: {growth / 2**20:.1f} MiB")
        assert growth < 300 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB"

        main_ctx = v8ctx.Context()
        assert main_ctx.evaluate("'main still works'") == "main still works"
        print("OK")
        """,
        timeout=600,
    )
    assert_ok(out)


# --------------------------------------------------------------------------------------------------
# owner thread exit


def test_thread_exit_disposes_its_live_contexts():
    out = run_python(
        """
        import gc, threading, traceback
        import v8ctx

        thread_failures = []
        def record_failure(args):
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            thread_failures.append(f"{args.thread.name}: {args.exc_value!r}")
        threading.excepthook = record_failure

        survivors = []

        def short_lived():
            for k in range(3):
                c = v8ctx.Context()
                c.compile(f"var k = {k}; function f() {{ return k }}")
                assert c.call("f") == k
                survivors.append(c)

        t = threading.Thread(target=short_lived, name="short-lived-thread")
        t.start()
        t.join()
        assert not thread_failures, thread_failures
        assert len(survivors) == 3

        attempts = {
            "evaluate": lambda c: c.evaluate("k"),
            "compile": lambda c: c.compile("var later = 1"),
            "call": lambda c: c.call("f"),
            "eval": lambda c: c.eval("k", return_value=True),
            "gc": lambda c: c.gc(),
            "heap_stats": lambda c: c.heap_stats(),
            "__enter__": lambda c: c.__enter__(),
        }
        for c in survivors:
            assert c.closed is True
            for name, attempt in attempts.items():
                try:
                    attempt(c)
                except v8ctx.ContextClosedError as e:
                    assert "exited" in str(e), (name, str(e))
                else:
                    raise AssertionError(f"{name} on a Context of an exited thread did not raise")
            c.close()  # still harmless
            assert c.closed is True
        del c

        survivors.clear()  # dropping them on the main thread is harmless too
        gc.collect()
        fresh = v8ctx.Context()
        assert fresh.evaluate("typeof k") == "undefined"
        assert fresh.evaluate("3 * 3") == 9
        print("OK")
        """
    )
    assert_ok(out)


def test_interpreter_exit_with_live_contexts_is_clean():
    out = run_python(
        """
        import threading
        import v8ctx

        kept = [v8ctx.Context() for _ in range(5)]
        for i, c in enumerate(kept):
            c.compile(f"var i = {i}")
        cycle = {"ctx": v8ctx.Context()}
        cycle["self"] = cycle  # only reachable through a reference cycle

        from_thread = []
        t = threading.Thread(target=lambda: from_thread.append(v8ctx.Context()), name="exited-owner")
        t.start()
        t.join()

        foreign = v8ctx.Context()
        closer = threading.Thread(target=foreign.close, name="closer")
        closer.start()
        closer.join()

        module_level = v8ctx.Context()
        assert module_level.evaluate("'bye'") == "bye"
        print("OK")
        # the interpreter now exits with all of these alive: exit status must be 0
        """
    )
    assert_ok(out)


# --------------------------------------------------------------------------------------------------
# the GIL


def test_python_threads_keep_running_while_javascript_runs():
    # By what happens, not how long it took: JavaScript on another thread spins for three stretches
    # of 0.5 s of wall time, calling console.log before and after each. The console callback runs on
    # the JavaScript thread and notes how many rounds the main thread's Python loop has made so
    # far. The main thread must make progress during every stretch: with the GIL held while
    # JavaScript runs, its count could not move between two messages.
    out = run_python(
        """
        import threading, traceback
        import v8ctx

        thread_failures = []
        def record_failure(args):
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            thread_failures.append(f"{args.thread.name}: {args.exc_value!r}")
        threading.excepthook = record_failure

        SPIN = (
            "function spin(stretches, ms) {"
            "  console.log('start');"
            "  for (let k = 0; k < stretches; k++) {"
            "    const end = Date.now() + ms; let s = 0;"
            "    while (Date.now() < end) s = (s + 1) % 1000003;"
            "    console.log('stretch ' + k);"
            "  }"
            "  return stretches }"
        )
        rounds = [0]
        seen = []  # the main thread's round count at each console message
        finished = threading.Event()

        def run_js():
            ctx = v8ctx.Context(console=lambda level, message: seen.append((message, rounds[0])))
            ctx.compile(SPIN)
            try:
                assert ctx.call("spin", [3, 500]) == 3
            finally:
                ctx.close()
                finished.set()

        t = threading.Thread(target=run_js, name="js-thread")
        t.start()
        while not finished.is_set():
            rounds[0] += 1
        t.join()

        print("rounds seen at each message:", seen, "in all:", rounds[0])
        assert not thread_failures, thread_failures
        assert [m for m, _ in seen] == ["start", "stretch 0", "stretch 1", "stretch 2"], seen
        counts = [n for _, n in seen]
        stalled = [f"{seen[i][0]} -> {seen[i + 1][0]}" for i in range(3) if counts[i + 1] <= counts[i]]
        assert not stalled, f"the main thread made no progress while JavaScript ran ({stalled}): {seen}"
        print("OK")
        """,
    )
    assert_ok(out)


def test_two_threads_run_javascript_in_parallel():
    # By what happens, not how long it took (a ratio of run times fails on a loaded machine): two
    # threads, each with its own Context, first meet inside JavaScript (each one's console.log waits
    # for the other's), then spin for a second of wall time and report when their spins started and
    # ended (Date.now(), one clock). JavaScript running on both threads at once meets and overlaps.
    # With the GIL held while JavaScript runs, the second thread could not return from the meeting
    # into JavaScript until the first had finished its spin: the spins would not overlap. Calls
    # serialized any other way could not even meet (the wait gives up after 30 s).
    out = run_python(
        """
        import threading, traceback
        import v8ctx

        thread_failures = []
        def record_failure(args):
            traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
            thread_failures.append(f"{args.thread.name}: {args.exc_value!r}")
        threading.excepthook = record_failure

        SPIN = (
            "function meetThenSpin(tag, ms) {"
            "  console.log(tag);"
            "  const start = Date.now(); let s = 0;"
            "  while (Date.now() < start + ms) s = (s + 1) % 1000003;"
            "  return [start, Date.now()] }"
        )
        meeting = threading.Barrier(2, timeout=30)
        met = []

        def console(level, message):
            try:
                meeting.wait()
                met.append(message)
            except threading.BrokenBarrierError:
                met.append("alone: " + message)

        spins = {}

        def worker(tag):
            ctx = v8ctx.Context(console=console)
            ctx.compile(SPIN)
            spins[tag] = ctx.call("meetThenSpin", [tag, 1000])
            ctx.close()

        threads = [threading.Thread(target=worker, args=(tag,), name=f"spin-{tag}") for tag in ("a", "b")]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        print("met:", met, "spins:", spins)
        assert not thread_failures, thread_failures
        assert sorted(met) == ["a", "b"], f"the two threads were never inside JavaScript at the same time: {met}"
        (start_a, end_a), (start_b, end_b) = spins["a"], spins["b"]
        assert start_a < end_b and start_b < end_a, f"the two spins did not overlap: {spins}"
        print("OK")
        """,
    )
    assert_ok(out)


# --------------------------------------------------------------------------------------------------
# fork


def test_fork_child_cannot_use_v8_and_exits_cleanly():
    out = run_python(
        """
        import os, sys
        import v8ctx

        ctx = v8ctx.Context()
        ctx.compile("function sq(x) { return x * x }")
        assert ctx.call("sq", [7]) == 49
        sys.stdout.flush()
        sys.stderr.flush()

        def expect_fork_error(label, action):
            try:
                action()
            except RuntimeError as e:
                message = str(e)
                if "fork" in message and "spawn" in message:
                    return True
                os.write(2, f"child: {label}: message lacks 'fork'/'spawn': {message!r}\\n".encode())
            except BaseException as e:
                os.write(2, f"child: {label}: raised {e!r}, not RuntimeError\\n".encode())
            else:
                os.write(2, f"child: {label}: did not raise\\n".encode())
            return False

        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                inherited = expect_fork_error("inherited Context", lambda: ctx.call("sq", [3]))
                inherited_eval = expect_fork_error("inherited Context evaluate", lambda: ctx.evaluate("1"))
                new = expect_fork_error("new Context", lambda: v8ctx.Context())
                if inherited and inherited_eval and new:
                    status = 0
            finally:
                os._exit(status)

        _, wait_status = os.waitpid(pid, 0)
        assert os.WIFEXITED(wait_status), f"child did not exit normally: wait status {wait_status}"
        assert os.WEXITSTATUS(wait_status) == 0, f"child reported failure: exit code {os.WEXITSTATUS(wait_status)}"

        # the parent is unaffected
        assert ctx.call("sq", [8]) == 64
        other = v8ctx.Context()
        assert other.evaluate("1 + 1") == 2
        print("OK")
        """
    )
    assert_ok(out)
