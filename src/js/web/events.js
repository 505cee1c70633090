// Events (DOM Standard §2 "Events" and §3 "Aborting ongoing activities"): Event, CustomEvent,
// EventTarget, AbortController, AbortSignal, and reportError. There is no tree here, so an event's
// path is its target alone: dispatch runs the target's capture listeners, then its others.
((core, internals) => {
  "use strict";
  // Captured now: user code may replace these globals later.
  const { TypeError, String, Boolean, Number, Math, Object, Symbol, Set, WeakMap, Map } = globalThis;
  const DOMException = globalThis.DOMException;
  const consoleError = globalThis.console.error;
  const setTimeout = globalThis.setTimeout;
  const now = Date.now;
  const ReflectApply = Reflect.apply;

  // ---- Web IDL conversions -----------------------------------------------------------------------
  const toDOMString = (value) => {
    if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    return String(value);
  };
  const isObject = (value) => (typeof value === "object" && value !== null) || typeof value === "function";
  const requireArguments = (count, needed, what) => {
    if (count < needed) {
      throw new TypeError(`Failed to execute '${what}': ${needed} argument${needed === 1 ? "" : "s"} required, but only ${count} present.`);
    }
  };
  // A dictionary argument: undefined and null are empty, other non-objects a TypeError.
  const dictionary = (value, what) => {
    if (value === undefined || value === null) return {};
    if (!isObject(value)) throw new TypeError(`Failed to construct '${what}': The provided value is not of type '${what}Init'.`);
    return value;
  };
  // Web IDL attributes and operations are enumerable properties of the prototype.
  const enumerable = (prototype, names) => {
    for (const name of names) Object.defineProperty(prototype, name, { enumerable: true });
  };
  const tag = (Class, name) => {
    Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: name, configurable: true });
  };

  // reportError(e) as a page without an error event handler sees it: on the console, and on we go.
  const report = (error) => {
    try {
      ReflectApply(consoleError, undefined, ["Uncaught", error]);
    } catch {
      // Reporting must never throw into the code that reported.
    }
  };
  function reportError(e) {
    requireArguments(arguments.length, 1, "reportError");
    report(e);
  }

  // Milliseconds since the time origin, for Event.timeStamp: performance.js installs its clock as
  // internals.performanceNow when it loads (after this script).
  const timeStamp = () => (internals.performanceNow !== undefined ? internals.performanceNow() : now());

  // ---- Event -------------------------------------------------------------------------------------
  const NONE = 0, CAPTURING_PHASE = 1, AT_TARGET = 2, BUBBLING_PHASE = 3;
  const events = new WeakMap();
  const eventState = (event) => {
    const found = events.get(event);
    if (found === undefined) throw new TypeError("Illegal invocation: not an Event");
    return found;
  };
  // [LegacyUnforgeable] readonly attribute boolean isTrusted: an own property of every event.
  // Events made by scripts are never trusted, and neither is any event v8ctx itself fires.
  const isTrustedDescriptor = { get: function isTrusted() { eventState(this); return false; }, enumerable: true, configurable: false };

  const initialize = (state, type, bubbles, cancelable) => {
    state.initialized = true;
    state.stopPropagation = false;
    state.stopImmediatePropagation = false;
    state.canceled = false;
    state.target = null;
    state.type = type;
    state.bubbles = bubbles;
    state.cancelable = cancelable;
  };
  const setCanceled = (state) => {
    if (state.cancelable && !state.inPassiveListener) state.canceled = true;
  };

  class Event {
    constructor(type, eventInitDict = undefined) {
      requireArguments(arguments.length, 1, "Event");
      type = toDOMString(type);
      const init = dictionary(eventInitDict, "Event");
      const bubbles = Boolean(init.bubbles), cancelable = Boolean(init.cancelable), composed = Boolean(init.composed);
      const state = {
        type, bubbles, cancelable, composed,
        target: null, currentTarget: null, eventPhase: NONE,
        stopPropagation: false, stopImmediatePropagation: false, canceled: false,
        inPassiveListener: false, initialized: true, dispatch: false,
        timeStamp: timeStamp(),
      };
      events.set(this, state);
      Object.defineProperty(this, "isTrusted", isTrustedDescriptor);
    }

    get type() { return eventState(this).type; }
    get target() { return eventState(this).target; }
    get srcElement() { return eventState(this).target; }
    get currentTarget() { return eventState(this).currentTarget; }
    composedPath() {
      const state = eventState(this);
      return state.dispatch && state.currentTarget !== null ? [state.currentTarget] : [];
    }
    get eventPhase() { return eventState(this).eventPhase; }
    stopPropagation() { eventState(this).stopPropagation = true; }
    get cancelBubble() { return eventState(this).stopPropagation; }
    set cancelBubble(value) { if (value) eventState(this).stopPropagation = true; }
    stopImmediatePropagation() {
      const state = eventState(this);
      state.stopPropagation = true;
      state.stopImmediatePropagation = true;
    }
    get bubbles() { return eventState(this).bubbles; }
    get cancelable() { return eventState(this).cancelable; }
    get returnValue() { return !eventState(this).canceled; }
    set returnValue(value) { if (!value) setCanceled(eventState(this)); }
    preventDefault() { setCanceled(eventState(this)); }
    get defaultPrevented() { return eventState(this).canceled; }
    get composed() { return eventState(this).composed; }
    get timeStamp() { return eventState(this).timeStamp; }
    initEvent(type, bubbles = false, cancelable = false) {
      requireArguments(arguments.length, 1, "initEvent");
      const state = eventState(this);
      if (state.dispatch) return;
      initialize(state, toDOMString(type), Boolean(bubbles), Boolean(cancelable));
    }
  }
  enumerable(Event.prototype, [
    "type", "target", "srcElement", "currentTarget", "composedPath", "eventPhase", "stopPropagation", "cancelBubble",
    "stopImmediatePropagation", "bubbles", "cancelable", "returnValue", "preventDefault", "defaultPrevented",
    "composed", "timeStamp", "initEvent",
  ]);
  for (const [name, value] of [["NONE", NONE], ["CAPTURING_PHASE", CAPTURING_PHASE], ["AT_TARGET", AT_TARGET], ["BUBBLING_PHASE", BUBBLING_PHASE]]) {
    const descriptor = { value, writable: false, enumerable: true, configurable: false };
    Object.defineProperty(Event, name, descriptor);
    Object.defineProperty(Event.prototype, name, descriptor);
  }
  tag(Event, "Event");

  // ---- CustomEvent -------------------------------------------------------------------------------
  const details = new WeakMap();
  const detailOf = (event) => {
    if (!details.has(event)) throw new TypeError("Illegal invocation: not a CustomEvent");
    return details.get(event);
  };
  class CustomEvent extends Event {
    constructor(type, eventInitDict = undefined) {
      requireArguments(arguments.length, 1, "CustomEvent");
      const init = dictionary(eventInitDict, "CustomEvent");
      super(type, init);
      details.set(this, init.detail === undefined ? null : init.detail);
    }
    get detail() { return detailOf(this); }
    initCustomEvent(type, bubbles = false, cancelable = false, detail = null) {
      requireArguments(arguments.length, 1, "initCustomEvent");
      detailOf(this);
      const state = eventState(this);
      if (state.dispatch) return;
      initialize(state, toDOMString(type), Boolean(bubbles), Boolean(cancelable));
      details.set(this, detail);
    }
  }
  enumerable(CustomEvent.prototype, ["detail", "initCustomEvent"]);
  tag(CustomEvent, "CustomEvent");

  // ---- EventTarget -------------------------------------------------------------------------------
  // Each target's listeners, in order: { type, callback, capture, passive, once, signal, removed }.
  const targets = new WeakMap();
  const listenersOf = (target) => {
    const found = targets.get(target);
    if (found === undefined) throw new TypeError("Illegal invocation: not an EventTarget");
    return found;
  };

  // "Flatten more" of the options argument.
  const flatten = (options) => (isObject(options) ? Boolean(options.capture) : Boolean(options));
  const flattenMore = (options) => {
    if (!isObject(options)) return { capture: Boolean(options), once: false, passive: false, signal: null };
    const capture = Boolean(options.capture), once = Boolean(options.once);
    const passive = options.passive === undefined ? false : Boolean(options.passive);
    let signal = null;
    if (options.signal !== undefined) {
      signal = options.signal;
      if (!signals.has(signal)) throw new TypeError("Failed to execute 'addEventListener': member signal is not of type AbortSignal.");
    }
    return { capture, once, passive, signal };
  };
  // The callback argument is an EventListener? callback interface: null or undefined, or an object.
  const callbackArgument = (callback, what) => {
    if (callback === undefined || callback === null) return null;
    if (!isObject(callback)) throw new TypeError(`Failed to execute '${what}': parameter 2 is not of type 'Object'.`);
    return callback;
  };

  const removeListener = (list, listener) => {
    listener.removed = true;
    const index = list.indexOf(listener);
    if (index !== -1) list.splice(index, 1);
  };

  const addListener = (target, listener) => {
    const list = listenersOf(target);
    if (listener.signal !== null && signals.get(listener.signal).aborted) return;
    if (listener.callback === null) return;
    for (const existing of list) {
      if (existing.type === listener.type && existing.callback === listener.callback && existing.capture === listener.capture) return;
    }
    list.push(listener);
    if (listener.signal !== null) addAbortAlgorithm(listener.signal, () => removeListener(list, listener));
  };

  // Calls the listeners of one target in one phase; returns after one calls stopImmediatePropagation.
  const innerInvoke = (target, event, state, listeners, phase) => {
    const list = targets.get(target);
    for (const listener of listeners) {
      if (listener.removed) continue;
      if (listener.type !== state.type) continue;
      if (phase === CAPTURING_PHASE && !listener.capture) continue;
      if (phase === BUBBLING_PHASE && listener.capture) continue;
      if (listener.once) removeListener(list, listener);
      if (listener.passive) state.inPassiveListener = true;
      try {
        const callback = listener.callback;
        if (typeof callback === "function") {
          ReflectApply(callback, state.currentTarget, [event]);
        } else {
          const handleEvent = callback.handleEvent;
          if (typeof handleEvent !== "function") throw new TypeError("The listener's handleEvent is not a function");
          ReflectApply(handleEvent, callback, [event]);
        }
      } catch (error) {
        report(error);
      }
      state.inPassiveListener = false;
      if (state.stopImmediatePropagation) return;
    }
  };

  const dispatch = (target, event) => {
    const state = eventState(event);
    if (state.dispatch || !state.initialized) {
      throw new DOMException("Failed to execute 'dispatchEvent' on 'EventTarget': The event is already being dispatched.", "InvalidStateError");
    }
    state.dispatch = true;
    state.target = target;
    try {
      // The path is [target]: "invoke" it capturing, then bubbling, each time at target.
      for (const phase of [CAPTURING_PHASE, BUBBLING_PHASE]) {
        if (state.stopPropagation) break;
        state.eventPhase = AT_TARGET;
        state.currentTarget = target;
        innerInvoke(target, event, state, listenersOf(target).slice(), phase);
      }
    } finally {
      state.eventPhase = NONE;
      state.currentTarget = null;
      state.dispatch = false;
      state.stopPropagation = false;
      state.stopImmediatePropagation = false;
    }
    return !state.canceled;
  };

  class EventTarget {
    constructor() {
      targets.set(this, []);
    }
    addEventListener(type, callback, options = undefined) {
      requireArguments(arguments.length, 2, "addEventListener");
      listenersOf(this);
      type = toDOMString(type);
      callback = callbackArgument(callback, "addEventListener");
      const { capture, once, passive, signal } = flattenMore(options);
      addListener(this, { type, callback, capture, passive, once, signal, removed: false });
    }
    removeEventListener(type, callback, options = undefined) {
      requireArguments(arguments.length, 2, "removeEventListener");
      const list = listenersOf(this);
      type = toDOMString(type);
      callback = callbackArgument(callback, "removeEventListener");
      const capture = flatten(options);
      for (const listener of list) {
        if (listener.type === type && listener.callback === callback && listener.capture === capture) {
          removeListener(list, listener);
          return;
        }
      }
    }
    dispatchEvent(event) {
      requireArguments(arguments.length, 1, "dispatchEvent");
      listenersOf(this);
      if (!events.has(event)) throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
      return dispatch(this, event);
    }
  }
  enumerable(EventTarget.prototype, ["addEventListener", "removeEventListener", "dispatchEvent"]);
  tag(EventTarget, "EventTarget");

  // Event handler IDL attributes (HTML §8.1.8), such as AbortSignal's onabort: the first non-null
  // value adds a listener that stays in its place while the value changes; null removes it.
  const handlers = new WeakMap();
  const defineEventHandler = (prototype, type) => {
    const name = `on${type}`;
    const slot = (target) => {
      listenersOf(target);
      let own = handlers.get(target);
      if (own === undefined) handlers.set(target, (own = new Map()));
      return own;
    };
    Object.defineProperty(prototype, name, {
      enumerable: true,
      configurable: true,
      get() {
        return slot(this).get(name)?.value ?? null;
      },
      set(value) {
        const own = slot(this);
        const handler = isObject(value) ? value : null;
        let entry = own.get(name);
        if (handler === null) {
          if (entry !== undefined) {
            removeListener(listenersOf(this), entry.listener);
            own.delete(name);
          }
          return;
        }
        if (entry === undefined) {
          entry = { value: handler, listener: null };
          const callback = function (event) {
            const result = ReflectApply(entry.value, this, [event]);
            if (result === false) setCanceled(eventState(event));
          };
          entry.listener = { type, callback, capture: false, passive: false, once: false, signal: null, removed: false };
          own.set(name, entry);
          addListener(this, entry.listener);
        } else {
          entry.value = handler;
        }
      },
    });
  };

  // ---- AbortSignal and AbortController ----------------------------------------------------------
  // Each signal's state: aborted, reason, the abort algorithms that run when it aborts (a Set),
  // and for AbortSignal.any: its source signals and the signals depending on it.
  const signals = new WeakMap();
  const signalState = (signal) => {
    const found = signals.get(signal);
    if (found === undefined) throw new TypeError("Illegal invocation: not an AbortSignal");
    return found;
  };
  const addAbortAlgorithm = (signal, algorithm) => {
    const state = signals.get(signal);
    if (!state.aborted) state.algorithms.add(algorithm);
  };
  const defaultReason = () => new DOMException("signal is aborted without reason", "AbortError");

  const constructing = Symbol("AbortSignal");
  const createSignal = (dependent) => {
    const signal = new AbortSignal(constructing);
    signals.set(signal, {
      signal, aborted: false, reason: undefined, algorithms: new Set(),
      dependent, sources: new Set(), dependents: new Set(),
    });
    return signal;
  };
  // Runs the abort algorithms, then fires "abort".
  const runAbortSteps = (signal, state) => {
    const algorithms = [...state.algorithms];
    state.algorithms.clear();
    for (const algorithm of algorithms) {
      try {
        algorithm();
      } catch (error) {
        report(error);
      }
    }
    dispatch(signal, new Event("abort"));
  };
  const forget = (state) => {
    // An aborted signal no longer follows its sources, nor is followed.
    for (const source of state.sources) signals.get(source).dependents.delete(state.signal);
    state.sources.clear();
    state.dependents.clear();
  };
  const signalAbort = (signal, reason) => {
    const state = signals.get(signal);
    if (state.aborted) return;
    state.aborted = true;
    state.reason = reason === undefined ? defaultReason() : reason;
    const toAbort = [];
    for (const dependent of state.dependents) {
      const dependentState = signals.get(dependent);
      if (!dependentState.aborted) {
        dependentState.aborted = true;
        dependentState.reason = state.reason;
        toAbort.push([dependent, dependentState]);
      }
    }
    forget(state);
    runAbortSteps(signal, state);
    for (const [dependent, dependentState] of toAbort) {
      forget(dependentState);
      runAbortSteps(dependent, dependentState);
    }
  };

  class AbortSignal extends EventTarget {
    constructor(key = undefined) {
      if (key !== constructing) throw new TypeError("Illegal constructor");
      super();
    }
    static abort(reason = undefined) {
      const signal = createSignal(false);
      const state = signals.get(signal);
      state.aborted = true;
      state.reason = reason === undefined ? defaultReason() : reason;
      return signal;
    }
    static timeout(milliseconds) {
      requireArguments(arguments.length, 1, "timeout");
      // [EnforceRange] unsigned long long.
      const ms = Number(milliseconds);
      if (!Number.isFinite(ms)) throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': Value is not of type 'unsigned long long'.");
      const delay = Math.trunc(ms);
      if (delay < 0 || delay > Number.MAX_SAFE_INTEGER) {
        throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': Value is outside the 'unsigned long long' value range.");
      }
      const signal = createSignal(false);
      setTimeout(() => signalAbort(signal, new DOMException("signal timed out", "TimeoutError")), delay);
      return signal;
    }
    static any(signalsArgument) {
      requireArguments(arguments.length, 1, "any");
      if (!isObject(signalsArgument) || typeof signalsArgument[Symbol.iterator] !== "function") {
        throw new TypeError("Failed to execute 'any' on 'AbortSignal': The provided value cannot be converted to a sequence.");
      }
      const list = [...signalsArgument];
      for (const signal of list) {
        if (!signals.has(signal)) throw new TypeError("Failed to execute 'any' on 'AbortSignal': Failed to convert value to 'AbortSignal'.");
      }
      const result = createSignal(true);
      const resultState = signals.get(result);
      for (const signal of list) {
        const state = signals.get(signal);
        if (state.aborted) {
          resultState.aborted = true;
          resultState.reason = state.reason;
          return result;
        }
      }
      const follow = (source) => {
        resultState.sources.add(source);
        signals.get(source).dependents.add(result);
      };
      for (const signal of list) {
        const state = signals.get(signal);
        if (!state.dependent) follow(signal);
        else for (const source of state.sources) follow(source);
      }
      return result;
    }
    get aborted() { return signalState(this).aborted; }
    get reason() { return signalState(this).reason; }
    throwIfAborted() {
      const state = signalState(this);
      if (state.aborted) throw state.reason;
    }
  }
  enumerable(AbortSignal.prototype, ["aborted", "reason", "throwIfAborted"]);
  defineEventHandler(AbortSignal.prototype, "abort");
  tag(AbortSignal, "AbortSignal");

  const controllers = new WeakMap();
  const signalOf = (controller) => {
    const found = controllers.get(controller);
    if (found === undefined) throw new TypeError("Illegal invocation: not an AbortController");
    return found;
  };
  class AbortController {
    constructor() {
      controllers.set(this, createSignal(false));
    }
    get signal() { return signalOf(this); }
    abort(reason = undefined) { signalAbort(signalOf(this), reason); }
  }
  enumerable(AbortController.prototype, ["signal", "abort"]);
  tag(AbortController, "AbortController");

  // For the other host scripts (fetch-like APIs): run `algorithm` when `signal` aborts.
  internals.abortSignal = {
    isSignal: (value) => signals.has(value),
    addAlgorithm: (signal, algorithm) => addAbortAlgorithm(signal, algorithm),
    removeAlgorithm: (signal, algorithm) => signals.get(signal)?.algorithms.delete(algorithm),
  };

  internals.define("Event", Event);
  internals.define("CustomEvent", CustomEvent);
  internals.define("EventTarget", EventTarget);
  internals.define("AbortSignal", AbortSignal);
  internals.define("AbortController", AbortController);
  internals.define("reportError", reportError);
})(Deno.core, globalThis.__v8ctxInternals);
