"""The host APIs every Context gives JavaScript (src/js/bootstrap.js and src/host.rs): console,
seeded randomness and crypto, timers, base64, TextEncoder/TextDecoder, and no Deno internals."""

import logging
import re
import sys
import time

import pytest

import v8ctx
from _console import Recorder

# Every test here runs in-process and takes well under a second; a timer that never fires would
# leave its awaiting call waiting forever: pytest-timeout then ends the run after a minute instead.
pytestmark = pytest.mark.timeout(60)

UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture
def ctx():
    context = v8ctx.Context()
    yield context
    context.close()


@pytest.fixture
def console():
    recorder = Recorder()
    context = v8ctx.Context(console=recorder)
    yield context, recorder
    context.close()


def logged(caplog):
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records if r.name == "v8ctx.console"]


# --------------------------------------------------------------------------------------------------
# console: default logger


@pytest.mark.parametrize(
    "method, level",
    [
        ("log", logging.INFO),
        ("info", logging.INFO),
        ("warn", logging.WARNING),
        ("error", logging.ERROR),
        ("debug", logging.DEBUG),
    ],
)
def test_default_console_logs_to_v8ctx_console_logger_at_matching_level(ctx, caplog, method, level):
    caplog.set_level(logging.DEBUG, logger="v8ctx.console")
    ctx.evaluate(f"console.{method}('hello from {method}')")
    assert logged(caplog) == [("v8ctx.console", level, f"hello from {method}")]


def test_default_console_respects_logger_level(ctx, caplog):
    caplog.set_level(logging.WARNING, logger="v8ctx.console")
    ctx.evaluate("console.log('quiet'); console.debug('quieter'); console.warn('loud')")
    assert [message for _, _, message in logged(caplog)] == ["loud"]


def test_default_console_formats_objects(ctx, caplog):
    caplog.set_level(logging.DEBUG, logger="v8ctx.console")
    ctx.evaluate("console.log('a', 1, {x: 1, y: [1, 2]})")
    assert [message for _, _, message in logged(caplog)] == ["a 1 { x: 1, y: [ 1, 2 ] }"]


# --------------------------------------------------------------------------------------------------
# console: a Python callable


@pytest.mark.parametrize("method", ["log", "info", "warn", "error", "debug"])
def test_console_callable_receives_level_name_and_message(console, method):
    context, recorder = console
    context.evaluate(f"console.{method}('msg', 7)")
    assert recorder.calls == [(method, "msg 7")]


def test_console_callable_receives_calls_in_order(console):
    context, recorder = console
    context.evaluate("console.log('one'); console.error('two'); console.info('three')")
    assert recorder.calls == [("log", "one"), ("error", "two"), ("info", "three")]


def test_console_callable_replaces_the_logger(console, caplog):
    context, recorder = console
    caplog.set_level(logging.DEBUG, logger="v8ctx.console")
    context.evaluate("console.log('only to the callable')")
    assert recorder.messages == ["only to the callable"]
    assert logged(caplog) == []


def test_console_formats_mixed_arguments_like_a_browser(console):
    context, recorder = console
    context.evaluate("console.log('a', 1, {x: 1, y: [1, 2]})")
    assert recorder.messages == ["a 1 { x: 1, y: [ 1, 2 ] }"]


def test_console_shows_objects_not_object_object(console):
    context, recorder = console
    context.evaluate("console.log({answer: 42})")
    assert recorder.messages == ["{ answer: 42 }"]
    assert "[object Object]" not in recorder.messages[0]


def test_console_quotes_nested_strings_but_not_top_level_strings(console):
    context, recorder = console
    context.evaluate("console.log('top', {s: 'inner', list: ['a']})")
    assert recorder.messages == ['top { s: "inner", list: [ "a" ] }']


def test_console_shows_primitives(console):
    context, recorder = console
    context.evaluate("console.log(null, undefined, true, 1.5, 10n, Symbol('s'))")
    assert recorder.messages == ["null undefined true 1.5 10n Symbol(s)"]


def test_console_shows_empty_containers(console):
    context, recorder = console
    context.evaluate("console.log([], {})")
    assert recorder.messages == ["[] {}"]


def test_console_shows_functions_and_classes(console):
    context, recorder = console
    context.evaluate("function named() {} class Thing {} console.log(named, Thing)")
    assert recorder.messages == ["[Function: named] [class: Thing]"]


def test_console_shows_class_instances_with_constructor_name(console):
    context, recorder = console
    context.evaluate("class Point { constructor() { this.x = 1; this.y = 2 } } console.log(new Point())")
    assert recorder.messages == ["Point { x: 1, y: 2 }"]


def test_console_percent_s_and_percent_d_substitution(console):
    context, recorder = console
    context.evaluate("console.log('%s is %d years', 'Bob', 42.7)")
    assert recorder.messages == ["Bob is 42 years"]


def test_console_substitution_keeps_extra_arguments(console):
    context, recorder = console
    context.evaluate("console.log('%s!', 'hi', 'extra', 3)")
    assert recorder.messages == ["hi! extra 3"]


def test_console_percent_percent_is_a_literal_percent(console):
    context, recorder = console
    context.evaluate("console.log('100%% sure %s', 'yes')")
    assert recorder.messages == ["100% sure yes"]


def test_console_shows_error_stack(console):
    context, recorder = console
    context.evaluate("function thrower() { return new Error('boom') } console.log(thrower())")
    (message,) = recorder.messages
    assert message.startswith("Error: boom\n")
    assert "at thrower" in message


def test_console_shows_map_and_set(console):
    context, recorder = console
    context.evaluate("console.log(new Map([['k', 1], [2, 'v']]), new Set([1, 'a']))")
    assert recorder.messages == ['Map(2) { "k" => 1, 2 => "v" } Set(2) { 1, "a" }']


def test_console_marks_circular_references(console):
    context, recorder = console
    context.evaluate("const o = {name: 'loop'}; o.self = o; console.log(o)")
    assert recorder.messages == ['{ name: "loop", self: [Circular] }']


def test_console_shows_typed_arrays(console):
    context, recorder = console
    context.evaluate("console.log(new Uint8Array([1, 2, 3]))")
    assert recorder.messages == ["Uint8Array(3) [ 1, 2, 3 ]"]


def test_console_callable_that_raises_does_not_fail_the_script(monkeypatch):
    reported = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: reported.append(info.exc_type))

    def broken(level, message):
        raise RuntimeError("console is broken")

    context = v8ctx.Context(console=broken)
    try:
        assert context.evaluate("console.log('x'); console.error('y'); 'still returned'") == "still returned"
        assert context.evaluate("1 + 1") == 2
    finally:
        context.close()
    assert reported and all(exc_type is RuntimeError for exc_type in reported)


def test_console_in_a_called_function_and_timer_callback(console):
    context, recorder = console
    context.compile("function greet(name) { console.log('hi', name); return name.length }")
    assert context.call("greet", ["Ann"]) == 3
    context.evaluate("new Promise(r => setTimeout(() => { console.warn('later'); r() }, 5))")
    assert recorder.calls == [("log", "hi Ann"), ("warn", "later")]


def test_unhandled_rejection_is_reported_on_console_at_error_level(console):
    context, recorder = console
    result = context.evaluate(
        "Promise.reject(new Error('nobody handles this')); new Promise(r => setTimeout(() => r('done'), 10))"
    )
    assert result == "done"
    errors = [message for level, message in recorder.calls if level == "error"]
    assert len(errors) == 1
    assert errors[0].startswith("Uncaught (in promise) Error: nobody handles this")


def test_unhandled_rejection_in_a_synchronous_call_is_reported_by_the_end_of_the_call(console):
    # No Promise is awaited here, so nothing runs the event loop; the rejection must still be
    # reported (a browser reports it once the task ends), not lost or held back indefinitely.
    context, recorder = console
    assert context.evaluate("Promise.reject(new Error('lost?')); 1") == 1
    assert [(level, message.split("\n")[0]) for level, message in recorder.calls] == [
        ("error", "Uncaught (in promise) Error: lost?")
    ]


def test_unhandled_rejection_does_not_fail_the_next_call(console):
    context, recorder = console
    context.evaluate("Promise.reject(new Error('ignored')); 1")
    assert context.evaluate("new Promise(r => setTimeout(() => r(5), 5))") == 5
    assert context.evaluate("2") == 2


def test_handled_rejection_is_not_reported(console):
    context, recorder = console
    result = context.evaluate(
        "Promise.reject(new Error('handled')).catch(() => {}); new Promise(r => setTimeout(() => r(1), 10))"
    )
    assert result == 1
    assert recorder.calls == []


# --------------------------------------------------------------------------------------------------
# Randomness


def random_sequence(context, n=100):
    return context.evaluate(f"Array.from({{length: {n}}}, () => Math.random())")


def test_same_seed_gives_same_math_random_sequence():
    a, b = v8ctx.Context(random_seed=1234), v8ctx.Context(random_seed=1234)
    try:
        first, second = random_sequence(a), random_sequence(b)
        assert first == second
        assert len(set(first)) == 100
    finally:
        a.close()
        b.close()


def test_different_seeds_give_different_sequences():
    a, b = v8ctx.Context(random_seed=1), v8ctx.Context(random_seed=2)
    try:
        assert random_sequence(a) != random_sequence(b)
    finally:
        a.close()
        b.close()


def test_seeds_differing_only_above_32_bits_give_different_sequences():
    a, b = v8ctx.Context(random_seed=5), v8ctx.Context(random_seed=5 + 2**32)
    try:
        assert random_sequence(a) != random_sequence(b)
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("seed", [None, 0, 42, 2**53 + 7])
def test_math_random_values_are_in_unit_interval(seed):
    context = v8ctx.Context(random_seed=seed)
    try:
        values = random_sequence(context, 1000)
        assert all(isinstance(v, float) and 0.0 <= v < 1.0 for v in values)
        assert len(set(values)) > 990
        assert 0.4 < sum(values) / len(values) < 0.6
    finally:
        context.close()


def test_unseeded_contexts_give_different_sequences():
    a, b = v8ctx.Context(), v8ctx.Context()
    try:
        assert random_sequence(a) != random_sequence(b)
    finally:
        a.close()
        b.close()


def test_seeded_get_random_values_is_reproducible():
    code = "Array.from(crypto.getRandomValues(new Uint8Array(32)))"
    a, b = v8ctx.Context(random_seed=99), v8ctx.Context(random_seed=99)
    try:
        first, second = a.evaluate(code), b.evaluate(code)
        assert first == second
        assert len(first) == 32 and all(0 <= x <= 255 for x in first)
        assert len(set(first)) > 1
    finally:
        a.close()
        b.close()


def test_unseeded_get_random_values_differs_between_contexts():
    code = "Array.from(crypto.getRandomValues(new Uint8Array(32)))"
    a, b = v8ctx.Context(), v8ctx.Context()
    try:
        assert a.evaluate(code) != b.evaluate(code)
    finally:
        a.close()
        b.close()


def test_get_random_values_fills_and_returns_the_same_array(ctx):
    result = ctx.evaluate(
        "const a = new Uint32Array(64); const r = crypto.getRandomValues(a); [r === a, a.some(x => x !== 0)]"
    )
    assert result == [True, True]


def test_get_random_values_fills_only_the_view_of_a_larger_buffer(ctx):
    result = ctx.evaluate(
        "const buf = new Uint8Array(64); crypto.getRandomValues(new Uint8Array(buf.buffer, 16, 32));"
        "[buf.slice(0, 16).every(x => x === 0), buf.slice(48).every(x => x === 0), buf.slice(16, 48).some(x => x !== 0)]"
    )
    assert result == [True, True, True]


def test_seeded_random_uuid_is_reproducible():
    a, b = v8ctx.Context(random_seed=7), v8ctx.Context(random_seed=7)
    try:
        first = a.evaluate("[crypto.randomUUID(), crypto.randomUUID()]")
        second = b.evaluate("[crypto.randomUUID(), crypto.randomUUID()]")
        assert first == second
        assert first[0] != first[1]
    finally:
        a.close()
        b.close()


def test_unseeded_random_uuid_differs_between_contexts():
    a, b = v8ctx.Context(), v8ctx.Context()
    try:
        assert a.evaluate("crypto.randomUUID()") != b.evaluate("crypto.randomUUID()")
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("seed", [None, 3])
def test_random_uuid_is_a_version_4_uuid(seed):
    context = v8ctx.Context(random_seed=seed)
    try:
        uuids = context.evaluate("Array.from({length: 50}, () => crypto.randomUUID())")
        assert len(set(uuids)) == 50
        for uuid in uuids:
            assert UUID_V4.match(uuid), uuid
    finally:
        context.close()


@pytest.mark.parametrize("array", ["new Float64Array(4)", "new Float32Array(4)", "new DataView(new ArrayBuffer(4))", "[1, 2, 3]"])
def test_get_random_values_rejects_non_integer_arrays_with_type_error(ctx, array):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate(f"crypto.getRandomValues({array})")
    assert info.value.name == "TypeError"


def test_get_random_values_rejects_more_than_65536_bytes_with_range_error(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("crypto.getRandomValues(new Uint8Array(65537))")
    assert info.value.name == "RangeError"


def test_get_random_values_accepts_exactly_65536_bytes(ctx):
    assert ctx.evaluate("crypto.getRandomValues(new Uint8Array(65536)).length") == 65536


def test_get_random_values_counts_bytes_not_elements(ctx):
    # 16385 four-byte elements are 65540 bytes: over the limit.
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("crypto.getRandomValues(new Uint32Array(16385))")
    assert info.value.name == "RangeError"


# --------------------------------------------------------------------------------------------------
# Timers


def test_set_timeout_passes_extra_arguments(ctx):
    assert ctx.evaluate("new Promise(r => setTimeout((a, b) => r([a, b]), 5, 'x', 2))") == ["x", 2]


def test_set_timeout_returns_distinct_numeric_ids(ctx):
    ids = ctx.evaluate("[setTimeout(() => {}, 1), setTimeout(() => {}, 1)]")
    assert all(isinstance(i, int) for i in ids)
    assert ids[0] != ids[1]


def test_clear_timeout_prevents_the_callback(ctx):
    result = ctx.evaluate(
        "new Promise(r => { let fired = false; const id = setTimeout(() => { fired = true }, 10);"
        " clearTimeout(id); setTimeout(() => r(fired), 50) })"
    )
    assert result is False


def test_clear_timeout_with_unknown_id_is_harmless(ctx):
    assert ctx.evaluate("clearTimeout(123456); clearTimeout(undefined); 'ok'") == "ok"


def test_set_interval_repeats_until_cleared(ctx):
    result = ctx.evaluate(
        "new Promise(r => { let ticks = 0; const id = setInterval(() => {"
        " ticks++; if (ticks === 3) { clearInterval(id); r(ticks) } }, 10) })"
    )
    assert result == 3


def test_cleared_interval_stops_ticking(ctx):
    result = ctx.evaluate(
        "new Promise(r => { let ticks = 0; const id = setInterval(() => { ticks++;"
        " if (ticks === 3) clearInterval(id) }, 5); setTimeout(() => r(ticks), 150) })"
    )
    assert result == 3


def test_nested_timers_run(ctx):
    result = ctx.evaluate(
        "new Promise(r => { const log = []; setTimeout(() => { log.push('outer');"
        " setTimeout(() => { log.push('inner'); r(log) }, 10) }, 10) })"
    )
    assert result == ["outer", "inner"]


def test_timeouts_fire_in_order_of_delay(ctx):
    result = ctx.evaluate(
        "new Promise(r => { const log = []; setTimeout(() => log.push(60), 60);"
        " setTimeout(() => log.push(20), 20); setTimeout(() => log.push(40), 40);"
        " setTimeout(() => r(log), 120) })"
    )
    assert result == [20, 40, 60]


def test_timeouts_with_equal_delay_fire_in_creation_order(ctx):
    result = ctx.evaluate(
        "new Promise(r => { const log = []; for (let i = 0; i < 5; i++) setTimeout(() => log.push(i), 10);"
        " setTimeout(() => r(log), 60) })"
    )
    assert result == [0, 1, 2, 3, 4]


def test_queue_microtask_exists(ctx):
    assert ctx.evaluate("typeof queueMicrotask") == "function"


def test_microtasks_run_before_timers(ctx):
    result = ctx.evaluate(
        "new Promise(r => { const log = []; setTimeout(() => { log.push('timeout'); r(log) }, 0);"
        " queueMicrotask(() => log.push('microtask')); Promise.resolve().then(() => log.push('then'));"
        " log.push('sync') })"
    )
    assert result == ["sync", "microtask", "then", "timeout"]


def test_ready_result_returns_while_a_long_timer_is_pending(ctx):
    # Upper bounds here only tell "did not wait for the timer" (60 s) from "waited": generous.
    start = time.monotonic()
    assert ctx.evaluate("setTimeout(() => {}, 60000); 5") == 5
    assert time.monotonic() - start < 5


def test_promise_depending_on_a_short_timer_is_awaited(ctx):
    start = time.monotonic()
    assert ctx.evaluate("new Promise(r => setTimeout(() => r('done'), 50))") == "done"
    elapsed = time.monotonic() - start
    assert 0.04 <= elapsed < 5


def test_called_async_function_awaiting_a_timer_is_awaited(ctx):
    ctx.compile("async function later(x) { await new Promise(r => setTimeout(r, 20)); return x * 2 }")
    assert ctx.call("later", [21]) == 42


def test_timer_rejection_is_raised_as_jserror(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("new Promise((_, reject) => setTimeout(() => reject(new TypeError('late')), 10))")
    assert info.value.name == "TypeError"
    assert info.value.message == "late"


# --------------------------------------------------------------------------------------------------
# atob / btoa


def test_btoa_encodes_ascii(ctx):
    assert ctx.evaluate("btoa('hello')") == "aGVsbG8="


def test_atob_decodes_ascii(ctx):
    assert ctx.evaluate("atob('aGVsbG8=')") == "hello"


@pytest.mark.parametrize("text", ["", "a", "ab", "abc", "abcd", "h\u00e9llo \u00ff\u00fe\u0000\u0080 done"])
def test_btoa_atob_round_trip_including_latin1(ctx, text):
    ctx.compile("function roundTrip(s) { return atob(btoa(s)) }")
    assert ctx.call("roundTrip", [text]) == text


def test_btoa_of_latin1_matches_python_base64(ctx):
    import base64

    text = "caf\u00e9 \u00ff"
    assert ctx.call("btoa", [text]) == base64.b64encode(text.encode("latin-1")).decode("ascii")


def test_btoa_of_non_latin1_raises_invalid_character_error(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("btoa('euro \u20ac')")
    assert info.value.name == "InvalidCharacterError"


@pytest.mark.parametrize("bad", ["@@@@", "abcde", "a", "ab=c"])
def test_atob_of_invalid_input_raises_invalid_character_error(ctx, bad):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.call("atob", [bad])
    assert info.value.name == "InvalidCharacterError"


def test_atob_ignores_ascii_whitespace(ctx):
    assert ctx.evaluate("atob(' aGVs\\nbG8= ')") == "hello"


# --------------------------------------------------------------------------------------------------
# TextEncoder / TextDecoder


def test_text_encoder_produces_utf8_bytes(ctx):
    assert ctx.evaluate("Array.from(new TextEncoder().encode('h\u00e9\U0001F600'))") == list("h\u00e9\U0001F600".encode("utf-8"))


@pytest.mark.parametrize("text", ["", "plain ascii", "\u00e9\u00e8\u00ea", "\u4e2d\u6587", "emoji \U0001F600\U0001F680!"])
def test_text_encoder_decoder_round_trip(ctx, text):
    ctx.compile("function utf8RoundTrip(s) { return new TextDecoder().decode(new TextEncoder().encode(s)) }")
    assert ctx.call("utf8RoundTrip", [text]) == text


def test_text_encoder_and_decoder_report_utf8(ctx):
    assert ctx.evaluate("[new TextEncoder().encoding, new TextDecoder().encoding]") == ["utf-8", "utf-8"]


def test_text_decoder_decodes_bytes_from_python(ctx):
    data = "\u00fcber \U0001F600".encode("utf-8")
    ctx.compile("function decodeBytes(list) { return new TextDecoder().decode(new Uint8Array(list)) }")
    assert ctx.call("decodeBytes", [list(data)]) == "\u00fcber \U0001F600"


def test_text_decoder_decodes_a_subarray_view(ctx):
    result = ctx.evaluate("new TextDecoder().decode(new TextEncoder().encode('xx\u00e9yy').subarray(2, 4))")
    assert result == "\u00e9"


def test_text_encoder_encode_into_writes_and_reports(ctx):
    result = ctx.evaluate(
        "const dest = new Uint8Array(10); const r = new TextEncoder().encodeInto('h\u00e9\U0001F600', dest);"
        " [r.read, r.written, Array.from(dest)]"
    )
    encoded = list("h\u00e9\U0001F600".encode("utf-8"))
    assert result == [4, 7, encoded + [0] * (10 - len(encoded))]


def test_text_encoder_encode_into_a_short_buffer_reports_what_fit(ctx):
    # Per the Encoding standard, `read` counts only the UTF-16 code units actually encoded.
    result = ctx.evaluate(
        "const dest = new Uint8Array(2); const r = new TextEncoder().encodeInto('abc', dest);"
        " [r.read, r.written, Array.from(dest)]"
    )
    assert result == [2, 2, [97, 98]]


def test_text_encoder_encode_into_never_writes_a_partial_character(ctx):
    # '\u20ac' is three bytes in UTF-8; only 'a' fits in two bytes.
    result = ctx.evaluate(
        "const dest = new Uint8Array(2); const r = new TextEncoder().encodeInto('a\u20ac', dest);"
        " [r.read, r.written, Array.from(dest)]"
    )
    assert result == [1, 1, [97, 0]]


def test_text_decoder_rejects_an_unknown_encoding_with_range_error(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("new TextDecoder('klingon')")
    assert info.value.name == "RangeError"


# --------------------------------------------------------------------------------------------------
# No engine internals


def test_deno_global_is_hidden(ctx):
    assert ctx.evaluate("typeof Deno") == "undefined"


def test_bootstrap_global_is_hidden(ctx):
    assert ctx.evaluate("typeof __bootstrap") == "undefined"


def test_host_globals_are_not_enumerable(ctx):
    keys = ctx.evaluate("Object.keys(globalThis)")
    for name in ["console", "setTimeout", "crypto", "atob", "btoa", "TextEncoder", "TextDecoder"]:
        assert name not in keys
    assert ctx.evaluate(
        "[typeof console, typeof setTimeout, typeof clearInterval, typeof crypto, typeof atob, typeof TextEncoder]"
    ) == ["object", "function", "function", "object", "function", "function"]


def test_timers_of_a_timed_out_call_do_not_run_in_later_calls():
    ctx = v8ctx.Context()
    ctx.compile("var ticks = 0, kept = 0; setInterval(() => kept++, 5)")
    with pytest.raises(v8ctx.JSTimeoutError):
        ctx.evaluate("setInterval(() => ticks++, 1); setTimeout(() => ticks += 1000, 1); while (true) {}", timeout=0.2)
    ctx.evaluate("new Promise(resolve => setTimeout(resolve, 100))")
    assert ctx.evaluate("ticks") == 0
    # Timers of calls that were not stopped go on.
    assert ctx.evaluate("kept") > 0


def test_timers_of_a_call_that_finished_keep_running_in_later_awaited_calls():
    ctx = v8ctx.Context()
    ctx.evaluate("var fired = false; setTimeout(() => { fired = true }, 1)")
    ctx.evaluate("new Promise(resolve => setTimeout(resolve, 50))")
    assert ctx.evaluate("fired") is True


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "throw",
    ["throw new TypeError('in a timer')", "setTimeout(() => { throw new TypeError('in a timer') }, 0)"],
    ids=["timer", "nested-timer"],
)
def test_an_exception_a_timer_throws_fails_the_operation_and_later_timers_still_fire(throw):
    # deno_core terminated JavaScript in the middle of its timer dispatch, which then never
    # scheduled the next timer: the Context's later timers never fired.
    ctx = v8ctx.Context(timeout=10)
    with pytest.raises(v8ctx.JSError) as raised:
        ctx.evaluate(f"new Promise(() => setTimeout(() => {{ {throw} }}, 0))")
    assert (raised.value.name, raised.value.message) == ("TypeError", "in a timer")
    for i in range(3):
        assert ctx.evaluate(f"new Promise(r => setTimeout(() => r({i}), 5))") == i
    assert ctx.evaluate("new Promise(r => { let n = 0; const id = setInterval(() => { if (++n === 3) { clearInterval(id); r(n) } }, 1) })") == 3


@pytest.mark.timeout(60)
def test_the_other_timers_due_with_a_throwing_one_still_run():
    ctx = v8ctx.Context(timeout=10)
    with pytest.raises(v8ctx.JSError, match="first"):
        ctx.evaluate(
            "var ran = []; new Promise(r => { setTimeout(() => { throw new Error('first') }, 0);"
            " setTimeout(() => ran.push('second'), 0); setTimeout(() => r(), 50) })"
        )
    assert ctx.evaluate("ran") == ["second"]


@pytest.mark.timeout(60)
def test_an_exception_a_microtask_throws_fails_the_operation_with_the_thrown_value(ctx):
    with pytest.raises(v8ctx.JSError) as raised:
        ctx.evaluate("new Promise(() => queueMicrotask(() => { throw {code: 7} }))")
    assert raised.value.value == {"code": 7}
    assert ctx.evaluate("new Promise(r => setTimeout(() => r('after'), 1))") == "after"
