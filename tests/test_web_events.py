"""DOMException, events and aborting (src/js/web/dom_exception.js, web/events.js), and the
performance timeline (web/performance.js): the DOM Standard, Web IDL, High Resolution Time and
User Timing, as scripts lifted from web pages expect them.

Expected values were computed by Node 20's own built-ins (DOMException, Event, EventTarget,
AbortController, performance) running the same expressions, except where a test says that the
standard and browsers differ from Node (those tests name the difference)."""

import time

import pytest

import v8ctx
from _console import Recorder

pytestmark = pytest.mark.timeout(60)


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


# --------------------------------------------------------------------------------------------------
# DOMException


def test_dom_exception_has_name_message_and_code(ctx):
    assert ctx.evaluate("const e = new DOMException('m', 'AbortError'); [e.name, e.message, e.code]") == ["AbortError", "m", 20]


def test_dom_exception_defaults_to_empty_message_and_name_error(ctx):
    assert ctx.evaluate("const e = new DOMException(); [e.name, e.message, e.code]") == ["Error", "", 0]


@pytest.mark.parametrize(
    "name, code",
    [
        ("IndexSizeError", 1),
        ("HierarchyRequestError", 3),
        ("WrongDocumentError", 4),
        ("InvalidCharacterError", 5),
        ("NoModificationAllowedError", 7),
        ("NotFoundError", 8),
        ("NotSupportedError", 9),
        ("InUseAttributeError", 10),
        ("InvalidStateError", 11),
        ("SyntaxError", 12),
        ("InvalidModificationError", 13),
        ("NamespaceError", 14),
        ("InvalidAccessError", 15),
        ("TypeMismatchError", 17),
        ("SecurityError", 18),
        ("NetworkError", 19),
        ("AbortError", 20),
        ("URLMismatchError", 21),
        ("QuotaExceededError", 22),
        ("TimeoutError", 23),
        ("InvalidNodeTypeError", 24),
        ("DataCloneError", 25),
        # Names without a legacy code, and names are case-sensitive.
        ("OperationError", 0),
        ("DataError", 0),
        ("EncodingError", 0),
        ("NotAllowedError", 0),
        ("Error", 0),
        ("abortError", 0),
    ],
)
def test_dom_exception_code_follows_the_legacy_table(ctx, name, code):
    assert ctx.evaluate(f"new DOMException('', '{name}').code") == code


@pytest.mark.parametrize(
    "constant, value",
    [
        ("INDEX_SIZE_ERR", 1), ("DOMSTRING_SIZE_ERR", 2), ("HIERARCHY_REQUEST_ERR", 3), ("WRONG_DOCUMENT_ERR", 4),
        ("INVALID_CHARACTER_ERR", 5), ("NO_DATA_ALLOWED_ERR", 6), ("NO_MODIFICATION_ALLOWED_ERR", 7),
        ("NOT_FOUND_ERR", 8), ("NOT_SUPPORTED_ERR", 9), ("INUSE_ATTRIBUTE_ERR", 10), ("INVALID_STATE_ERR", 11),
        ("SYNTAX_ERR", 12), ("INVALID_MODIFICATION_ERR", 13), ("NAMESPACE_ERR", 14), ("INVALID_ACCESS_ERR", 15),
        ("VALIDATION_ERR", 16), ("TYPE_MISMATCH_ERR", 17), ("SECURITY_ERR", 18), ("NETWORK_ERR", 19),
        ("ABORT_ERR", 20), ("URL_MISMATCH_ERR", 21), ("QUOTA_EXCEEDED_ERR", 22), ("TIMEOUT_ERR", 23),
        ("INVALID_NODE_TYPE_ERR", 24), ("DATA_CLONE_ERR", 25),
    ],
)
def test_dom_exception_constants_are_on_the_constructor_and_the_prototype(ctx, constant, value):
    assert ctx.evaluate(f"[DOMException.{constant}, DOMException.prototype.{constant}]") == [value, value]


def test_dom_exception_constants_are_read_only(ctx):
    assert ctx.evaluate("DOMException.ABORT_ERR = 1; DOMException.ABORT_ERR") == 20
    assert ctx.evaluate("Object.getOwnPropertyDescriptor(DOMException, 'ABORT_ERR')") == {
        "value": 20, "writable": False, "enumerable": True, "configurable": False,
    }


def test_dom_exception_is_an_error(ctx):
    assert ctx.evaluate(
        "const e = new DOMException('m'); [e instanceof Error, e instanceof DOMException, "
        "Object.getPrototypeOf(DOMException.prototype) === Error.prototype]"
    ) == [True, True, True]


def test_dom_exception_constructor_inherits_from_function_prototype(ctx):
    assert ctx.evaluate("Object.getPrototypeOf(DOMException) === Function.prototype") is True


def test_dom_exception_to_string_is_name_colon_message(ctx):
    assert ctx.evaluate("String(new DOMException('m', 'AbortError'))") == "AbortError: m"


def test_dom_exception_to_string_tag(ctx):
    assert ctx.evaluate("Object.prototype.toString.call(new DOMException('x'))") == "[object DOMException]"


def test_dom_exception_stack_starts_with_name_and_message(ctx):
    assert ctx.evaluate("new DOMException('boom', 'SyntaxError').stack.split('\\n')[0]") == "SyntaxError: boom"


def test_dom_exception_attributes_are_enumerable_prototype_getters(ctx):
    assert ctx.evaluate("Object.keys(DOMException.prototype).filter((k) => !/_ERR$/.test(k))") == ["name", "message", "code"]


def test_dom_exception_requires_new(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("DOMException('x')")
    assert info.value.name == "TypeError"


def test_dom_exception_getters_reject_other_objects(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("DOMException.prototype.name")
    assert info.value.name == "TypeError"


def test_dom_exception_converts_its_arguments_to_strings(ctx):
    assert ctx.evaluate("const e = new DOMException(1, 2); [e.message, e.name]") == ["1", "2"]
    assert ctx.evaluate("const n = new DOMException(null, null); [n.message, n.name]") == ["null", "null"]
    assert ctx.evaluate("new DOMException(undefined, undefined).name") == "Error"


def test_dom_exception_can_be_subclassed(ctx):
    assert ctx.evaluate(
        "class MyError extends DOMException { constructor() { super('sub', 'NotFoundError'); } }"
        "const e = new MyError(); [e instanceof MyError, e instanceof DOMException, e.name, e.code]"
    ) == [True, True, "NotFoundError", 8]


def test_thrown_dom_exception_reaches_python_with_its_name_and_message(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("throw new DOMException('too slow', 'TimeoutError')")
    assert (info.value.name, info.value.message) == ("TimeoutError", "too slow")


def test_dom_exception_survives_replacing_the_global(ctx):
    # Scripts loaded at startup keep the DOMException they captured.
    assert ctx.evaluate(
        "globalThis.DOMException = null; const c = new AbortController(); c.abort(); c.signal.reason.name"
    ) == "AbortError"


# --------------------------------------------------------------------------------------------------
# Event


def test_event_defaults(ctx):
    assert ctx.evaluate(
        "const e = new Event('x'); [e.type, e.bubbles, e.cancelable, e.composed, e.defaultPrevented, e.target, "
        "e.currentTarget, e.eventPhase, e.isTrusted, e.returnValue, e.cancelBubble, typeof e.timeStamp]"
    ) == ["x", False, False, False, False, None, None, 0, False, True, False, "number"]


def test_event_init_members_are_converted_to_booleans(ctx):
    assert ctx.evaluate(
        "const e = new Event('x', { bubbles: 1, cancelable: 'yes', composed: {} }); [e.bubbles, e.cancelable, e.composed]"
    ) == [True, True, True]


def test_event_requires_a_type(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("new Event()")
    assert info.value.name == "TypeError"


@pytest.mark.parametrize("argument, expected", [("undefined", "undefined"), ("42", "42")])
def test_event_type_is_converted_to_a_string(ctx, argument, expected):
    assert ctx.evaluate(f"new Event({argument}).type") == expected


def test_prevent_default_on_a_non_cancelable_event_does_nothing(ctx):
    assert ctx.evaluate("const e = new Event('x'); e.preventDefault(); e.defaultPrevented") is False


def test_prevent_default_cancels_a_cancelable_event(ctx):
    assert ctx.evaluate(
        "const e = new Event('x', { cancelable: true }); e.preventDefault(); [e.defaultPrevented, e.returnValue]"
    ) == [True, False]


def test_setting_return_value_false_cancels_the_event(ctx):
    # The DOM Standard's returnValue setter (browsers agree); Node 20 has no setter and says False.
    assert ctx.evaluate("const e = new Event('x', { cancelable: true }); e.returnValue = false; e.defaultPrevented") is True


def test_setting_return_value_true_does_not_undo_cancelation(ctx):
    # As above: Node 20 says False for want of a setter.
    assert ctx.evaluate(
        "const e = new Event('x', { cancelable: true }); e.returnValue = false; e.returnValue = true; e.defaultPrevented"
    ) is True


@pytest.mark.parametrize("stop", ["e.cancelBubble = true", "e.stopPropagation()"])
def test_cancel_bubble_reflects_stop_propagation(ctx, stop):
    assert ctx.evaluate(f"const e = new Event('x'); {stop}; e.cancelBubble") is True


def test_event_phase_constants(ctx):
    assert ctx.evaluate("[Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE]") == [0, 1, 2, 3]


def test_event_phase_constants_are_on_the_prototype_too(ctx):
    # Web IDL puts constants on the interface object and the prototype; Node 20 has no prototype ones.
    assert ctx.evaluate("new Event('x').AT_TARGET") == 2


def test_event_to_string_tag(ctx):
    assert ctx.evaluate("Object.prototype.toString.call(new Event('x'))") == "[object Event]"


def test_is_trusted_is_an_own_unforgeable_property(ctx):
    # [LegacyUnforgeable] makes isTrusted an own property of each event, as in browsers; Node 20
    # puts it on the prototype.
    assert ctx.evaluate("Object.getOwnPropertyNames(new Event('x'))") == ["isTrusted"]


def test_composed_path_is_empty_outside_dispatch(ctx):
    assert ctx.evaluate("new Event('x').composedPath()") == []


def test_composed_path_is_the_target_during_dispatch(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); let path; t.addEventListener('x', (e) => { path = e.composedPath(); });"
        "t.dispatchEvent(new Event('x')); path.length === 1 && path[0] === t"
    ) is True


def test_event_time_stamp_is_on_the_performance_clock(ctx):
    assert ctx.evaluate("const e = new Event('x'); e.timeStamp >= 0 && e.timeStamp <= performance.now()") is True


# --------------------------------------------------------------------------------------------------
# CustomEvent


def test_custom_event_carries_detail(ctx):
    assert ctx.evaluate(
        "const e = new CustomEvent('c', { detail: { a: 1 } }); [e.type, e.detail, e instanceof Event]"
    ) == ["c", {"a": 1}, True]


@pytest.mark.parametrize("init, expected", [("", None), (", { detail: undefined }", None), (", { detail: 0 }", 0)])
def test_custom_event_detail_defaults_to_null(ctx, init, expected):
    assert ctx.evaluate(f"new CustomEvent('c'{init}).detail") == expected


def test_custom_event_to_string_tag(ctx):
    assert ctx.evaluate("Object.prototype.toString.call(new CustomEvent('c'))") == "[object CustomEvent]"


# --------------------------------------------------------------------------------------------------
# EventTarget: adding, removing, dispatching


def test_dispatch_calls_listeners_in_order_with_target_and_phase(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = [];"
        "t.addEventListener('x', (e) => log.push(['a', e.type, e.target === t, e.currentTarget === t, e.eventPhase]));"
        "t.addEventListener('x', () => log.push('b'));"
        "[t.dispatchEvent(new Event('x')), log]"
    ) == [True, [["a", "x", True, True, 2], "b"]]


def test_dispatch_only_reaches_listeners_of_that_type(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); let n = 0; t.addEventListener('x', () => n++); t.dispatchEvent(new Event('y')); n"
    ) == 0


def test_listener_this_is_the_current_target(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); let self; t.addEventListener('x', function () { self = this; });"
        "t.dispatchEvent(new Event('x')); self === t"
    ) is True


@pytest.mark.parametrize(
    "second, count",
    [
        ("f", 1),  # the same listener twice is one listener
        ("f, false", 1),
        ("f, { capture: false }", 1),
        ("f, true", 2),  # capture is part of a listener's identity
        ("f, { capture: true }", 2),
    ],
)
def test_duplicate_listeners_are_added_once(ctx, second, count):
    assert ctx.evaluate(
        f"const t = new EventTarget(); let n = 0; const f = () => n++; t.addEventListener('x', f);"
        f"t.addEventListener('x', {second}); t.dispatchEvent(new Event('x')); n"
    ) == count


def test_boolean_and_dictionary_capture_name_the_same_listener(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); let n = 0; const f = () => n++; t.addEventListener('x', f, { capture: true });"
        "t.addEventListener('x', f, true); t.dispatchEvent(new Event('x')); n"
    ) == 1


def test_once_listener_runs_once(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); let n = 0; t.addEventListener('x', () => n++, { once: true });"
        "t.dispatchEvent(new Event('x')); t.dispatchEvent(new Event('x')); n"
    ) == 1


@pytest.mark.parametrize(
    "add, remove, count",
    [
        ("f", "f", 0),
        ("f, true", "f", 1),  # removing needs the same capture
        ("f, true", "f, { capture: true }", 0),
    ],
)
def test_remove_event_listener_matches_type_callback_and_capture(ctx, add, remove, count):
    assert ctx.evaluate(
        f"const t = new EventTarget(); let n = 0; const f = () => n++; t.addEventListener('x', {add});"
        f"t.removeEventListener('x', {remove}); t.dispatchEvent(new Event('x')); n"
    ) == count


def test_remove_event_listener_takes_a_boolean_capture(ctx):
    # The DOM Standard's "flatten" of a boolean options argument; Node 20 ignores the boolean and
    # leaves the listener in place (1).
    assert ctx.evaluate(
        "const t = new EventTarget(); let n = 0; const f = () => n++; t.addEventListener('x', f, true);"
        "t.removeEventListener('x', f, true); t.dispatchEvent(new Event('x')); n"
    ) == 0


def test_listener_object_handle_event_is_called_with_the_object_as_this(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; const o = { handleEvent(e) { log.push([this === o, e.type]); } };"
        "t.addEventListener('x', o); t.dispatchEvent(new Event('x')); log"
    ) == [[True, "x"]]


def test_handle_event_is_looked_up_at_dispatch(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; const o = {}; t.addEventListener('x', o);"
        "o.handleEvent = () => log.push('late'); t.dispatchEvent(new Event('x')); log"
    ) == ["late"]


@pytest.mark.parametrize("callback", ["null", "undefined"])
def test_null_listener_is_ignored(ctx, callback):
    assert ctx.evaluate(
        f"const t = new EventTarget(); t.addEventListener('x', {callback}); t.dispatchEvent(new Event('x'))"
    ) is True


@pytest.mark.parametrize(
    "call",
    [
        "new EventTarget().addEventListener('x', 5)",  # a listener must be an object
        "new EventTarget().addEventListener('x')",  # the listener argument is required
        "new EventTarget().dispatchEvent({ type: 'x' })",  # only Events are dispatched
        "new EventTarget().addEventListener('x', () => {}, { signal: {} })",  # signal must be an AbortSignal
    ],
)
def test_bad_arguments_are_type_errors(ctx, call):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate(call)
    assert info.value.name == "TypeError"


def test_stop_immediate_propagation_skips_the_remaining_listeners(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; t.addEventListener('x', (e) => { log.push(1); e.stopImmediatePropagation(); });"
        "t.addEventListener('x', () => log.push(2)); t.dispatchEvent(new Event('x')); log"
    ) == [1]


def test_stop_propagation_does_not_skip_listeners_of_the_same_target(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; t.addEventListener('x', (e) => { log.push(1); e.stopPropagation(); });"
        "t.addEventListener('x', () => log.push(2)); t.dispatchEvent(new Event('x')); log"
    ) == [1, 2]


def test_capture_listeners_run_before_the_others_at_the_target(ctx):
    # The DOM Standard since 2021, and browsers; Node 20 keeps registration order (bubble, capture).
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; t.addEventListener('x', () => log.push('bubble'));"
        "t.addEventListener('x', () => log.push('capture'), true); t.dispatchEvent(new Event('x')); log"
    ) == ["capture", "bubble"]


def test_stop_propagation_in_a_capture_listener_skips_the_non_capture_ones(ctx):
    # The DOM Standard: the capturing and bubbling invocations are separate; Node 20 runs both.
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; t.addEventListener('x', (e) => { log.push('capture'); e.stopPropagation(); }, true);"
        "t.addEventListener('x', () => log.push('bubble')); t.dispatchEvent(new Event('x')); log"
    ) == ["capture"]


def test_event_phase_is_at_target_for_every_listener(ctx):
    # Node 20 reports 0 after the first listener.
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; t.addEventListener('x', (e) => log.push(e.eventPhase), true);"
        "t.addEventListener('x', (e) => log.push(e.eventPhase)); t.dispatchEvent(new Event('x', { bubbles: true })); log"
    ) == [2, 2]


def test_event_stopped_before_dispatch_reaches_no_listener(ctx):
    # The DOM Standard; dispatch then clears the flag. Node 20 calls the listener.
    assert ctx.evaluate(
        "const t = new EventTarget(); let n = 0; t.addEventListener('x', () => n++); const e = new Event('x');"
        "e.stopPropagation(); t.dispatchEvent(e); [n, e.cancelBubble]"
    ) == [0, False]


def test_dispatch_returns_false_when_a_listener_cancels(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); const e = new Event('x', { cancelable: true }); t.addEventListener('x', (ev) => ev.preventDefault());"
        "[t.dispatchEvent(e), e.defaultPrevented]"
    ) == [False, True]


def test_dispatch_returns_true_when_the_event_is_not_cancelable(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); t.addEventListener('x', (ev) => ev.preventDefault()); t.dispatchEvent(new Event('x'))"
    ) is True


def test_prevent_default_in_a_passive_listener_is_ignored(ctx):
    # The DOM Standard and browsers; Node 20 cancels the event anyway.
    assert ctx.evaluate(
        "const e = new Event('x', { cancelable: true }); const t = new EventTarget();"
        "t.addEventListener('x', (ev) => ev.preventDefault(), { passive: true }); [t.dispatchEvent(e), e.defaultPrevented]"
    ) == [True, False]


def test_after_dispatch_target_stays_and_current_target_and_phase_reset(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); const e = new Event('x'); t.dispatchEvent(e); [e.target === t, e.currentTarget, e.eventPhase]"
    ) == [True, None, 0]


def test_dispatching_an_event_being_dispatched_is_an_invalid_state_error(ctx):
    # The DOM Standard's InvalidStateError DOMException; Node 20 throws a plain Error.
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; const e = new Event('x');"
        "t.addEventListener('x', () => { log.push('x'); try { t.dispatchEvent(e); } catch (err) { log.push(err.name); } });"
        "t.dispatchEvent(e); log"
    ) == ["x", "InvalidStateError"]


def test_listener_removed_during_dispatch_is_not_called(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; const b = () => log.push('b');"
        "t.addEventListener('x', () => { log.push('a'); t.removeEventListener('x', b); }); t.addEventListener('x', b);"
        "t.dispatchEvent(new Event('x')); log"
    ) == ["a"]


def test_listener_added_during_dispatch_waits_for_the_next_dispatch(ctx):
    # The DOM Standard runs a copy of the listener list; Node 20 also runs the one just added
    # (["a", "a", "c", "c"]).
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = [];"
        "t.addEventListener('x', () => { log.push('a'); t.addEventListener('x', () => log.push('c')); });"
        "t.dispatchEvent(new Event('x')); t.dispatchEvent(new Event('x')); log"
    ) == ["a", "a", "c"]


def test_event_target_can_be_subclassed(ctx):
    assert ctx.evaluate(
        "class Emitter extends EventTarget { fire() { return this.dispatchEvent(new CustomEvent('go', { detail: 7 })); } }"
        "const t = new Emitter(); let d; t.addEventListener('go', (e) => { d = e.detail; }); [t.fire(), d, t instanceof EventTarget]"
    ) == [True, 7, True]


def test_event_target_to_string_tag(ctx):
    assert ctx.evaluate("Object.prototype.toString.call(new EventTarget())") == "[object EventTarget]"


# --------------------------------------------------------------------------------------------------
# Exceptions in listeners: reported, not propagated


def test_exception_in_a_listener_does_not_stop_dispatch(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); const log = []; t.addEventListener('x', () => { throw new Error('boom'); });"
        "t.addEventListener('x', () => log.push('after')); [t.dispatchEvent(new Event('x')), log]"
    ) == [True, ["after"]]


def test_exception_in_a_listener_is_reported_on_the_console(console):
    context, recorder = console
    context.evaluate("const t = new EventTarget(); t.addEventListener('x', () => { throw new Error('boom'); }); t.dispatchEvent(new Event('x'))")
    ((level, message),) = recorder.calls
    assert level == "error"
    assert message.startswith("Uncaught Error: boom\n")


def test_report_error_prints_uncaught_and_the_value(console):
    context, recorder = console
    context.evaluate("reportError(new TypeError('bad')); reportError('plain')")
    assert [level for level, _ in recorder.calls] == ["error", "error"]
    assert recorder.calls[0][1].startswith("Uncaught TypeError: bad\n")
    assert recorder.calls[1][1] == "Uncaught plain"


def test_report_error_requires_an_argument(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("reportError()")
    assert info.value.name == "TypeError"


# --------------------------------------------------------------------------------------------------
# AbortController and AbortSignal


def test_new_controller_signal_is_not_aborted(ctx):
    assert ctx.evaluate(
        "const c = new AbortController(); [c.signal.aborted, c.signal.reason, c.signal instanceof AbortSignal,"
        "c.signal instanceof EventTarget, c.signal === c.signal]"
    ) == [False, None, True, True, True]


def test_abort_without_reason_gives_an_abort_error_dom_exception(ctx):
    assert ctx.evaluate(
        "const c = new AbortController(); c.abort(); const r = c.signal.reason; [c.signal.aborted, r instanceof DOMException, r.name, r.code]"
    ) == [True, True, "AbortError", 20]


@pytest.mark.parametrize("reason, expected", [("'why'", "why"), ("null", None), ("42", 42)])
def test_abort_keeps_the_given_reason(ctx, reason, expected):
    assert ctx.evaluate(f"const c = new AbortController(); c.abort({reason}); c.signal.reason") == expected


def test_second_abort_changes_nothing(ctx):
    assert ctx.evaluate("const c = new AbortController(); c.abort('first'); c.abort('second'); c.signal.reason") == "first"


def test_abort_fires_one_abort_event(ctx):
    assert ctx.evaluate(
        "const c = new AbortController(); const log = [];"
        "c.signal.addEventListener('abort', (e) => log.push([e.type, e.target === c.signal, c.signal.aborted]));"
        "c.abort(); c.abort(); log"
    ) == [["abort", True, True]]


def test_onabort_handler_is_called(ctx):
    assert ctx.evaluate(
        "const c = new AbortController(); const log = []; c.signal.onabort = (e) => log.push(e.type); c.abort(); [log, typeof c.signal.onabort]"
    ) == [["abort"], "function"]


def test_onabort_replaced_calls_only_the_last_handler(ctx):
    assert ctx.evaluate(
        "const c = new AbortController(); const log = []; c.signal.onabort = () => log.push('a'); c.signal.onabort = () => log.push('b'); c.abort(); log"
    ) == ["b"]


def test_onabort_set_to_null_removes_the_handler(ctx):
    assert ctx.evaluate(
        "const c = new AbortController(); const log = []; c.signal.onabort = () => log.push('a'); c.signal.onabort = null; c.abort(); [log, c.signal.onabort]"
    ) == [[], None]


def test_onabort_runs_in_its_place_among_listeners(ctx):
    assert ctx.evaluate(
        "const c = new AbortController(); const log = []; c.signal.onabort = () => log.push('handler');"
        "c.signal.addEventListener('abort', () => log.push('listener')); c.abort(); log"
    ) == ["handler", "listener"]


def test_listener_with_signal_is_removed_on_abort(ctx):
    assert ctx.evaluate(
        "const c = new AbortController(); const t = new EventTarget(); let n = 0; t.addEventListener('x', () => n++, { signal: c.signal });"
        "t.dispatchEvent(new Event('x')); c.abort(); t.dispatchEvent(new Event('x')); n"
    ) == 1


def test_listener_with_an_aborted_signal_is_not_added(ctx):
    assert ctx.evaluate(
        "const t = new EventTarget(); let n = 0; t.addEventListener('x', () => n++, { signal: AbortSignal.abort() }); t.dispatchEvent(new Event('x')); n"
    ) == 0


def test_throw_if_aborted_does_nothing_before_abort(ctx):
    assert ctx.evaluate("const c = new AbortController(); c.signal.throwIfAborted(); 'ok'") == "ok"


def test_throw_if_aborted_throws_the_reason(ctx):
    assert ctx.evaluate(
        "const c = new AbortController(); c.abort('stop'); let caught; try { c.signal.throwIfAborted(); } catch (e) { caught = e; } caught"
    ) == "stop"


def test_static_abort_gives_an_aborted_signal(ctx):
    assert ctx.evaluate("const s = AbortSignal.abort(); [s.aborted, s.reason.name]") == [True, "AbortError"]
    assert ctx.evaluate("AbortSignal.abort(42).reason") == 42


def test_default_abort_reason_message_is_the_browsers(ctx):
    # Chrome's wording; Node 20 says "This operation was aborted".
    assert ctx.evaluate("AbortSignal.abort().reason.message") == "signal is aborted without reason"


def test_abort_signal_has_no_public_constructor(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("new AbortSignal()")
    assert info.value.name == "TypeError"


@pytest.mark.parametrize(
    "expression, tag",
    [("new AbortController().signal", "[object AbortSignal]"), ("new AbortController()", "[object AbortController]")],
)
def test_abort_to_string_tags(ctx, expression, tag):
    assert ctx.evaluate(f"Object.prototype.toString.call({expression})") == tag


def test_timeout_signal_aborts_with_a_timeout_error(ctx):
    assert ctx.evaluate(
        "new Promise((resolve) => { const s = AbortSignal.timeout(5);"
        "s.onabort = () => resolve([s.aborted, s.reason.name, s.reason.code, s.reason instanceof DOMException]); })"
    ) == [True, "TimeoutError", 23, True]


def test_timeout_reason_message_is_the_browsers(ctx):
    # Chrome's wording; Node 20 says "The operation was aborted due to timeout".
    assert ctx.evaluate(
        "new Promise((resolve) => { const s = AbortSignal.timeout(1); s.onabort = () => resolve(s.reason.message); })"
    ) == "signal timed out"


def test_timeout_signal_is_not_aborted_before_its_time(ctx):
    assert ctx.evaluate("AbortSignal.timeout(10000).aborted") is False


def test_negative_timeout_is_a_type_error(ctx):
    # Web IDL [EnforceRange], as in browsers; Node 20 throws RangeError.
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("AbortSignal.timeout(-1)")
    assert info.value.name == "TypeError"


def test_any_aborts_when_one_source_aborts(ctx):
    assert ctx.evaluate(
        "const a = new AbortController(), b = new AbortController(); const s = AbortSignal.any([a.signal, b.signal]);"
        "const before = s.aborted; b.abort('b'); [before, s.aborted, s.reason]"
    ) == [False, True, "b"]


def test_any_of_an_aborted_signal_is_aborted_at_once(ctx):
    assert ctx.evaluate(
        "const s = AbortSignal.any([new AbortController().signal, AbortSignal.abort('pre')]); [s.aborted, s.reason]"
    ) == [True, "pre"]


def test_any_of_nothing_never_aborts(ctx):
    assert ctx.evaluate("AbortSignal.any([]).aborted") is False


def test_any_follows_the_sources_of_a_dependent_signal(ctx):
    assert ctx.evaluate(
        "const a = new AbortController(); const s1 = AbortSignal.any([a.signal]); const s2 = AbortSignal.any([s1]);"
        "a.abort('r'); [s1.reason, s2.reason]"
    ) == ["r", "r"]


def test_any_dependent_is_aborted_before_the_source_fires(ctx):
    # The DOM Standard's "signal abort" marks dependents aborted first; Node 20 says
    # [["source", False], ["any", True]].
    assert ctx.evaluate(
        "const a = new AbortController(); const s = AbortSignal.any([a.signal]); const log = [];"
        "s.onabort = () => log.push(['any', a.signal.aborted]); a.signal.onabort = () => log.push(['source', s.aborted]);"
        "a.abort(); log"
    ) == [["source", True], ["any", True]]


def test_any_of_a_timeout_signal_times_out(ctx):
    assert ctx.evaluate(
        "new Promise((resolve) => { const s = AbortSignal.any([AbortSignal.timeout(5)]); s.onabort = () => resolve(s.reason.name); })"
    ) == "TimeoutError"


def test_any_rejects_non_signals(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("AbortSignal.any([{}])")
    assert info.value.name == "TypeError"


# --------------------------------------------------------------------------------------------------
# performance


def test_performance_now_is_a_number_that_does_not_go_backwards(ctx):
    assert ctx.evaluate(
        "let last = performance.now(), ok = typeof last === 'number' && last >= 0;"
        "for (let i = 0; i < 100000; i++) { const t = performance.now(); if (t < last) ok = false; last = t; } ok"
    ) is True


def test_performance_now_counts_from_the_contexts_time_origin(ctx):
    # The time origin is set when the Context starts, not when the startup snapshot was built.
    before = time.time() * 1000
    origin, now = ctx.evaluate("[performance.timeOrigin, performance.now()]")
    assert abs(origin - before) < 5000
    assert 0 <= now < 5000


def test_performance_time_origin_and_now_add_up_to_the_wall_clock(ctx):
    assert ctx.evaluate("Math.abs(performance.timeOrigin + performance.now() - Date.now()) < 1000") is True


def test_each_context_has_its_own_time_origin():
    first = v8ctx.Context()
    time.sleep(0.05)
    second = v8ctx.Context()
    try:
        assert second.evaluate("performance.timeOrigin") > first.evaluate("performance.timeOrigin")
    finally:
        first.close()
        second.close()


def test_performance_to_json_has_the_time_origin(ctx):
    assert ctx.evaluate("Object.keys(performance.toJSON()).includes('timeOrigin')") is True


def test_performance_is_a_performance_and_an_event_target(ctx):
    assert ctx.evaluate(
        "[performance instanceof Performance, performance instanceof EventTarget, Object.prototype.toString.call(performance)]"
    ) == [True, True, "[object Performance]"]


def test_mark_makes_a_mark_entry(ctx):
    assert ctx.evaluate(
        "const m = performance.mark('a'); [m.name, m.entryType, m.duration, m.detail, m instanceof PerformanceMark,"
        "m instanceof PerformanceEntry, typeof m.startTime, Object.prototype.toString.call(m)]"
    ) == ["a", "mark", 0, None, True, True, "number", "[object PerformanceMark]"]


def test_mark_takes_a_start_time_and_a_detail(ctx):
    assert ctx.evaluate("performance.mark('a', { startTime: 12.5, detail: { k: [1] } }).toJSON()") == {
        "name": "a", "entryType": "mark", "startTime": 12.5, "duration": 0, "detail": {"k": [1]},
    }


def test_mark_detail_is_a_structured_clone(ctx):
    assert ctx.evaluate("const d = { x: 1 }; const m = performance.mark('a', { detail: d }); [m.detail !== d, m.detail]") == [True, {"x": 1}]


def test_mark_detail_must_be_cloneable(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("performance.mark('a', { detail: () => 1 })")
    assert info.value.name == "DataCloneError"


def test_mark_with_a_negative_start_time_is_a_type_error(ctx):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("performance.mark('a', { startTime: -1 })")
    assert info.value.name == "TypeError"


def test_performance_mark_constructor_does_not_record_the_mark(ctx):
    assert ctx.evaluate("new PerformanceMark('z', { startTime: 1 }).toJSON()") == {
        "name": "z", "entryType": "mark", "startTime": 1, "duration": 0, "detail": None,
    }
    assert ctx.evaluate("performance.getEntriesByName('z').length") == 0


@pytest.mark.parametrize("name", ["PerformanceEntry", "PerformanceMeasure", "Performance"])
def test_illegal_constructors(ctx, name):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate(f"new {name}()")
    assert info.value.name == "TypeError"


def test_measure_between_two_marks(ctx):
    assert ctx.evaluate(
        "performance.mark('s', { startTime: 10 }); performance.mark('e', { startTime: 25 }); performance.measure('m', 's', 'e').toJSON()"
    ) == {"name": "m", "entryType": "measure", "startTime": 10, "duration": 15, "detail": None}


def test_measure_from_a_mark_to_now(ctx):
    assert ctx.evaluate(
        "performance.mark('s', { startTime: 0 }); const m = performance.measure('m', 's'); [m.startTime, m.duration >= 0]"
    ) == [0, True]


def test_measure_without_marks_is_from_the_time_origin_to_now(ctx):
    assert ctx.evaluate(
        "const m = performance.measure('m'); [m.startTime, m.duration >= 0, m.entryType, m instanceof PerformanceMeasure]"
    ) == [0, True, "measure", True]


@pytest.mark.parametrize("start", ["undefined", "{}"])
def test_measure_to_an_end_mark(ctx, start):
    assert ctx.evaluate(f"performance.mark('e', {{ startTime: 30 }}); performance.measure('m', {start}, 'e').toJSON()") == {
        "name": "m", "entryType": "measure", "startTime": 0, "duration": 30, "detail": None,
    }


@pytest.mark.parametrize(
    "options, start, duration",
    [
        ("{ start: 5, end: 8, detail: 'd' }", 5, 3),
        ("{ start: 5, duration: 2 }", 5, 2),
        ("{ end: 9, duration: 2 }", 7, 2),
    ],
)
def test_measure_options(ctx, options, start, duration):
    entry = ctx.evaluate(f"performance.measure('m', {options}).toJSON()")
    assert (entry["startTime"], entry["duration"]) == (start, duration)


def test_measure_options_keep_the_detail(ctx):
    assert ctx.evaluate("performance.measure('m', { start: 5, end: 8, detail: 'd' }).detail") == "d"


def test_measure_options_may_name_marks(ctx):
    assert ctx.evaluate("performance.mark('s', { startTime: 3 }); performance.measure('m', { start: 's', end: 7 }).toJSON()") == {
        "name": "m", "entryType": "measure", "startTime": 3, "duration": 4, "detail": None,
    }


def test_measure_uses_the_latest_mark_of_a_name(ctx):
    assert ctx.evaluate(
        "performance.mark('a', { startTime: 1 }); performance.mark('a', { startTime: 5 }); performance.measure('m', 'a').startTime"
    ) == 5


def test_measure_from_an_unknown_mark_is_a_syntax_error(ctx):
    assert ctx.evaluate(
        "let r; try { performance.measure('m', 'nope'); } catch (e) { r = [e.name, e.code, e instanceof DOMException]; } r"
    ) == ["SyntaxError", 12, True]


@pytest.mark.parametrize(
    "arguments",
    [
        "{ start: 1, end: 2, duration: 1 }",  # start, end and duration together
        "{ start: 1 }, 'x'",  # options and an end mark
        "{ start: -1 }",  # a negative time
    ],
)
def test_measure_rejects_inconsistent_arguments(ctx, arguments):
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate(f"performance.measure('m', {arguments})")
    assert info.value.name == "TypeError"


def test_measure_with_only_a_duration_is_a_type_error(ctx):
    # User Timing (and MDN): a duration needs a start or an end. Node 20 ignores the duration.
    with pytest.raises(v8ctx.JSError) as info:
        ctx.evaluate("performance.measure('m', { duration: 1 })")
    assert info.value.name == "TypeError"


def test_get_entries_are_ordered_by_start_time(ctx):
    assert ctx.evaluate(
        "performance.mark('b', { startTime: 20 }); performance.mark('a', { startTime: 10 }); performance.measure('m', { start: 15, end: 16 });"
        "performance.getEntries().map((e) => [e.name, e.entryType, e.startTime])"
    ) == [["a", "mark", 10], ["m", "measure", 15], ["b", "mark", 20]]


def test_get_entries_by_name_and_type(ctx):
    assert ctx.evaluate(
        "performance.mark('a', { startTime: 1 }); performance.mark('a', { startTime: 2 }); performance.measure('a', { start: 0, end: 1 });"
        "[performance.getEntriesByName('a').length, performance.getEntriesByName('a', 'mark').length,"
        "performance.getEntriesByType('measure').length, performance.getEntriesByType('nope').length]"
    ) == [3, 2, 1, 0]


def test_clear_marks_by_name(ctx):
    assert ctx.evaluate(
        "performance.mark('a'); performance.mark('b'); performance.clearMarks('a'); performance.getEntriesByType('mark').map((e) => e.name)"
    ) == ["b"]


def test_clear_marks_without_a_name_keeps_measures(ctx):
    assert ctx.evaluate(
        "performance.mark('a'); performance.mark('b'); performance.measure('m'); performance.clearMarks();"
        "performance.getEntries().map((e) => e.entryType)"
    ) == ["measure"]


def test_clear_measures(ctx):
    assert ctx.evaluate(
        "performance.measure('m1'); performance.measure('m2'); performance.mark('k'); performance.clearMeasures('m1');"
        "const one = performance.getEntriesByType('measure').map((e) => e.name); performance.clearMeasures();"
        "[one, performance.getEntries().map((e) => e.name)]"
    ) == [["m2"], ["k"]]
