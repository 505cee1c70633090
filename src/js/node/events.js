// Node's `events` module: EventEmitter. Listeners live where Node keeps them (`_events`: one
// function or an array per event name, in a null-prototype object; `_eventsCount`;
// `_maxListeners`), because libraries such as readable-stream look there. Not here:
// captureRejections (the option is refused, the flag stays false), EventTarget support in the
// static helpers, events.on() and AbortSignal options. The leak warning goes to console.error.
((core, internals) => {
  "use strict";
  internals.builtins.set("events", (require) => {
    const { inspect, nodeError, errInvalidArgType, errOutOfRange } = internals.nodeShared;
    const { console } = globalThis;
    const warn = console && console.error ? console.error.bind(console) : () => {};

    const kErrorMonitor = Symbol("events.errorMonitor");
    const kRejection = Symbol.for("nodejs.rejection");
    let defaultMaxListeners = 10;

    const checkListener = (listener) => {
      if (typeof listener !== "function") throw errInvalidArgType("listener", "Function", listener);
    };
    const checkMax = (n, name) => {
      if (typeof n !== "number") throw errInvalidArgType(name, "number", n);
      if (n < 0 || Number.isNaN(n)) throw errOutOfRange(name, ">= 0", n);
    };

    function EventEmitter(options) {
      EventEmitter.init.call(this, options);
    }
    EventEmitter.prototype._events = undefined;
    EventEmitter.prototype._eventsCount = 0;
    EventEmitter.prototype._maxListeners = undefined;

    EventEmitter.init = function (options) {
      if (this._events === undefined || this._events === Object.getPrototypeOf(this)._events) {
        this._events = Object.create(null);
        this._eventsCount = 0;
      }
      this._maxListeners = this._maxListeners || undefined;
      if (options !== undefined && options !== null && options.captureRejections !== undefined) {
        if (typeof options.captureRejections !== "boolean") {
          throw errInvalidArgType("options.captureRejections", "boolean", options.captureRejections);
        }
        if (options.captureRejections) {
          throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The captureRejections option is not implemented");
        }
      }
    };

    Object.defineProperty(EventEmitter, "defaultMaxListeners", {
      enumerable: true,
      get() { return defaultMaxListeners; },
      set(n) {
        checkMax(n, "defaultMaxListeners");
        defaultMaxListeners = n;
      },
    });
    Object.defineProperty(EventEmitter, "captureRejections", {
      enumerable: true,
      get() { return false; },
      set(value) {
        if (typeof value !== "boolean") throw errInvalidArgType("EventEmitter.captureRejections", "boolean", value);
        if (value) throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "captureRejections is not implemented");
      },
    });
    EventEmitter.errorMonitor = kErrorMonitor;
    EventEmitter.captureRejectionSymbol = kRejection;
    EventEmitter.usingDomains = false;

    const maxOf = (emitter) => (emitter._maxListeners === undefined ? defaultMaxListeners : emitter._maxListeners);

    EventEmitter.prototype.setMaxListeners = function setMaxListeners(n) {
      checkMax(n, "setMaxListeners");
      this._maxListeners = n;
      return this;
    };
    EventEmitter.prototype.getMaxListeners = function getMaxListeners() {
      return maxOf(this);
    };

    EventEmitter.prototype.emit = function emit(type, ...args) {
      const events = this._events;
      let doError = type === "error";
      if (events !== undefined) {
        if (doError && events[kErrorMonitor] !== undefined) this.emit(kErrorMonitor, ...args);
        doError = doError && events.error === undefined;
      } else if (!doError) {
        return false;
      }
      if (doError) {
        const er = args.length > 0 ? args[0] : undefined;
        if (er instanceof Error) throw er;
        let shown;
        try {
          shown = inspect(er);
        } catch {
          shown = er;
        }
        const err = nodeError(Error, "ERR_UNHANDLED_ERROR", `Unhandled error. (${shown})`);
        err.context = er;
        throw err;
      }
      const handler = events[type];
      if (handler === undefined) return false;
      if (typeof handler === "function") {
        Reflect.apply(handler, this, args);
      } else {
        const listeners = handler.slice();
        for (let i = 0; i < listeners.length; i++) Reflect.apply(listeners[i], this, args);
      }
      return true;
    };

    function addListener(target, type, listener, prepend) {
      checkListener(listener);
      let events = target._events;
      if (events === undefined) {
        events = target._events = Object.create(null);
        target._eventsCount = 0;
      } else {
        if (events.newListener !== undefined) {
          target.emit("newListener", type, listener.listener ? listener.listener : listener);
          events = target._events;
        }
      }
      let existing = events[type];
      if (existing === undefined) {
        events[type] = listener;
        target._eventsCount++;
      } else {
        if (typeof existing === "function") {
          existing = events[type] = prepend ? [listener, existing] : [existing, listener];
        } else if (prepend) {
          existing.unshift(listener);
        } else {
          existing.push(listener);
        }
        const m = maxOf(target);
        if (m > 0 && existing.length > m && !existing.warned) {
          existing.warned = true;
          let name;
          try {
            name = inspect(target, { depth: -1 });
          } catch {
            name = "[EventEmitter]";
          }
          warn(`MaxListenersExceededWarning: Possible EventEmitter memory leak detected. ${existing.length} ${String(type)} ` +
            `listeners added to ${name}. Use emitter.setMaxListeners() to increase limit`);
        }
      }
      return target;
    }

    EventEmitter.prototype.addListener = function addListener_(type, listener) {
      return addListener(this, type, listener, false);
    };
    EventEmitter.prototype.on = EventEmitter.prototype.addListener;
    EventEmitter.prototype.prependListener = function prependListener(type, listener) {
      return addListener(this, type, listener, true);
    };

    function onceWrapper(...args) {
      if (!this.fired) {
        this.target.removeListener(this.type, this.wrapFn);
        this.fired = true;
        return Reflect.apply(this.listener, this.target, args);
      }
      return undefined;
    }
    function onceWrap(target, type, listener) {
      const state = { fired: false, wrapFn: undefined, target, type, listener };
      const wrapped = onceWrapper.bind(state);
      wrapped.listener = listener;
      state.wrapFn = wrapped;
      return wrapped;
    }

    EventEmitter.prototype.once = function once(type, listener) {
      checkListener(listener);
      this.on(type, onceWrap(this, type, listener));
      return this;
    };
    EventEmitter.prototype.prependOnceListener = function prependOnceListener(type, listener) {
      checkListener(listener);
      this.prependListener(type, onceWrap(this, type, listener));
      return this;
    };

    EventEmitter.prototype.removeListener = function removeListener(type, listener) {
      checkListener(listener);
      const events = this._events;
      if (events === undefined) return this;
      const list = events[type];
      if (list === undefined) return this;
      if (list === listener || list.listener === listener) {
        this._eventsCount -= 1;
        if (this._eventsCount === 0) this._events = Object.create(null);
        else {
          delete events[type];
          if (events.removeListener) this.emit("removeListener", type, list.listener || listener);
        }
      } else if (typeof list !== "function") {
        let position = -1;
        for (let i = list.length - 1; i >= 0; i--) {
          if (list[i] === listener || list[i].listener === listener) {
            position = i;
            break;
          }
        }
        if (position < 0) return this;
        const removed = list[position];
        if (position === 0) list.shift();
        else list.splice(position, 1);
        if (list.length === 1) events[type] = list[0];
        if (events.removeListener !== undefined) this.emit("removeListener", type, removed.listener || listener);
      }
      return this;
    };
    EventEmitter.prototype.off = EventEmitter.prototype.removeListener;

    EventEmitter.prototype.removeAllListeners = function removeAllListeners(type) {
      const events = this._events;
      if (events === undefined) return this;
      if (events.removeListener === undefined) {
        if (arguments.length === 0) {
          this._events = Object.create(null);
          this._eventsCount = 0;
        } else if (events[type] !== undefined) {
          if (--this._eventsCount === 0) this._events = Object.create(null);
          else delete events[type];
        }
        return this;
      }
      if (arguments.length === 0) {
        for (const key of Reflect.ownKeys(events)) {
          if (key === "removeListener") continue;
          this.removeAllListeners(key);
        }
        this.removeAllListeners("removeListener");
        this._events = Object.create(null);
        this._eventsCount = 0;
        return this;
      }
      const listeners = events[type];
      if (typeof listeners === "function") {
        this.removeListener(type, listeners);
      } else if (listeners !== undefined) {
        for (let i = listeners.length - 1; i >= 0; i--) this.removeListener(type, listeners[i]);
      }
      return this;
    };

    function listenersOf(target, type, unwrap) {
      const events = target._events;
      if (events === undefined) return [];
      const listener = events[type];
      if (listener === undefined) return [];
      if (typeof listener === "function") return unwrap ? [listener.listener || listener] : [listener];
      return unwrap ? listener.map((l) => l.listener || l) : listener.slice();
    }
    EventEmitter.prototype.listeners = function listeners(type) {
      return listenersOf(this, type, true);
    };
    EventEmitter.prototype.rawListeners = function rawListeners(type) {
      return listenersOf(this, type, false);
    };

    function listenerCount(type, listener) {
      const events = this._events;
      if (events !== undefined) {
        const found = events[type];
        if (typeof found === "function") {
          if (listener != null) return listener === found || listener === found.listener ? 1 : 0;
          return 1;
        }
        if (found !== undefined) {
          if (listener != null) return found.filter((l) => l === listener || l.listener === listener).length;
          return found.length;
        }
      }
      return 0;
    }
    EventEmitter.prototype.listenerCount = listenerCount;
    EventEmitter.listenerCount = (emitter, type) => {
      if (typeof emitter.listenerCount === "function") return emitter.listenerCount(type);
      return listenerCount.call(emitter, type);
    };

    EventEmitter.prototype.eventNames = function eventNames() {
      return this._eventsCount > 0 ? Reflect.ownKeys(this._events) : [];
    };

    // ---- static helpers -------------------------------------------------------------------------
    const isEmitter = (value) => value instanceof EventEmitter ||
      (value !== null && typeof value === "object" && typeof value.on === "function" && typeof value.removeListener === "function");

    EventEmitter.once = function once(emitter, name) {
      return new Promise((resolve, reject) => {
        const errorListener = (err) => {
          emitter.removeListener(name, resolver);
          reject(err);
        };
        const resolver = (...args) => {
          if (name !== "error") emitter.removeListener("error", errorListener);
          resolve(args);
        };
        emitter.once(name, resolver);
        if (name !== "error") emitter.once("error", errorListener);
      });
    };

    EventEmitter.getEventListeners = function getEventListeners(emitter, type) {
      if (typeof emitter.listeners === "function") return emitter.listeners(type);
      throw errInvalidArgType("emitter", ["EventEmitter"], emitter);
    };

    EventEmitter.getMaxListeners = function getMaxListeners(emitter) {
      if (typeof emitter?.getMaxListeners === "function") return maxOf(emitter);
      throw errInvalidArgType("emitter", ["EventEmitter"], emitter);
    };

    EventEmitter.setMaxListeners = function setMaxListeners(n = defaultMaxListeners, ...eventTargets) {
      checkMax(n, "n");
      if (eventTargets.length === 0) {
        defaultMaxListeners = n;
        return;
      }
      for (const target of eventTargets) {
        if (isEmitter(target) && typeof target.setMaxListeners === "function") target.setMaxListeners(n);
        else throw errInvalidArgType("eventTargets", ["EventEmitter"], target);
      }
    };

    EventEmitter.EventEmitter = EventEmitter;
    return EventEmitter;
  });
})(Deno.core, globalThis.__v8ctxInternals);
