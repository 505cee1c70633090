// performance (High Resolution Time, Performance Timeline and User Timing): now() and timeOrigin,
// marks and measures. This script runs when the startup snapshot is built, so the time origin is
// set again for each runtime: __v8ctxSetup (bootstrap.js) calls internals.resetTimeOrigin().
((core, internals) => {
  "use strict";
  // Captured now: user code may replace these globals later.
  const { TypeError, String, Number, Object, Symbol, WeakMap } = globalThis;
  const EventTarget = globalThis.EventTarget;
  const DOMException = globalThis.DOMException;
  const structuredClone = globalThis.structuredClone;
  const dateNow = Date.now;

  // ---- The clock ---------------------------------------------------------------------------------
  // Milliseconds since the time origin, from the process's monotonic clock (ops/mod.rs), with
  // sub-millisecond resolution; timeOrigin itself is wall-clock time, as the standard says.
  const monotonic = core.ops.op_v8ctx_now;
  let timeOrigin = dateNow();
  let start = monotonic();
  const now = () => monotonic() - start;

  // ---- Web IDL conversions -----------------------------------------------------------------------
  const toDOMString = (value) => {
    if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    return String(value);
  };
  const isObject = (value) => (typeof value === "object" && value !== null) || typeof value === "function";
  // DOMHighResTimeStamp is a (restricted) double: NaN and the infinities are TypeErrors.
  const toTimeStamp = (value, what) => {
    const x = +value;
    if (!Number.isFinite(x)) throw new TypeError(`Failed to execute '${what}' on 'Performance': The provided double value is non-finite.`);
    return x;
  };
  const requireArguments = (count, needed, what) => {
    if (count < needed) {
      throw new TypeError(`Failed to execute '${what}' on 'Performance': ${needed} argument required, but only ${count} present.`);
    }
  };
  const cloneDetail = (detail) => {
    if (detail === undefined || detail === null) return null;
    return structuredClone === undefined ? detail : structuredClone(detail);
  };

  // ---- Entries -----------------------------------------------------------------------------------
  const entries = new WeakMap();
  const entryState = (entry) => {
    const found = entries.get(entry);
    if (found === undefined) throw new TypeError("Illegal invocation: not a PerformanceEntry");
    return found;
  };
  // The only way past the "Illegal constructor" of PerformanceEntry, PerformanceMeasure and
  // Performance: set just before this script constructs one.
  let constructing = false;
  const construct = (make) => {
    constructing = true;
    try {
      return make();
    } finally {
      constructing = false;
    }
  };
  const checkConstructing = () => {
    if (!constructing) throw new TypeError("Illegal constructor");
    constructing = false;
  };

  class PerformanceEntry {
    constructor() {
      checkConstructing();
    }
    get name() { return entryState(this).name; }
    get entryType() { return entryState(this).entryType; }
    get startTime() { return entryState(this).startTime; }
    get duration() { return entryState(this).duration; }
    toJSON() {
      const { name, entryType, startTime, duration, detail } = entryState(this);
      const json = { name, entryType, startTime, duration };
      if (entryType === "mark" || entryType === "measure") json.detail = detail;
      return json;
    }
  }

  class PerformanceMark extends PerformanceEntry {
    constructor(markName, markOptions = undefined) {
      if (arguments.length < 1) throw new TypeError("Failed to construct 'PerformanceMark': 1 argument required, but only 0 present.");
      const name = toDOMString(markName);
      if (markOptions !== undefined && markOptions !== null && !isObject(markOptions)) {
        throw new TypeError("Failed to construct 'PerformanceMark': The provided value is not of type 'PerformanceMarkOptions'.");
      }
      const options = markOptions ?? {};
      const detail = options.detail;
      let startTime;
      if (options.startTime !== undefined) {
        startTime = toTimeStamp(options.startTime, "mark");
        if (startTime < 0) throw new TypeError(`Failed to construct 'PerformanceMark': '${startTime}' cannot have a negative start time.`);
      } else {
        startTime = now();
      }
      constructing = true;
      super();
      entries.set(this, { name, entryType: "mark", startTime, duration: 0, detail: cloneDetail(detail) });
    }
    get detail() { return entryState(this).detail; }
  }

  class PerformanceMeasure extends PerformanceEntry {
    constructor() {
      checkConstructing();
      constructing = true;
      super();
    }
    get detail() { return entryState(this).detail; }
  }

  for (const [Class, names] of [
    [PerformanceEntry, ["name", "entryType", "startTime", "duration", "toJSON"]],
    [PerformanceMark, ["detail"]],
    [PerformanceMeasure, ["detail"]],
  ]) {
    for (const name of names) Object.defineProperty(Class.prototype, name, { enumerable: true });
    Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: Class.name, configurable: true });
  }

  // ---- The performance timeline ------------------------------------------------------------------
  // Marks and measures, in the order they were made.
  let buffer = [];
  const byStartTime = (list) => list.slice().sort((a, b) => entries.get(a).startTime - entries.get(b).startTime);

  // "Convert a mark to a timestamp": the latest mark of that name, or a time.
  const markToTimestamp = (mark) => {
    if (typeof mark === "number") {
      if (mark < 0) throw new TypeError(`Failed to execute 'measure' on 'Performance': '${mark}' is a negative timestamp.`);
      return mark;
    }
    for (let i = buffer.length - 1; i >= 0; i--) {
      const state = entries.get(buffer[i]);
      if (state.entryType === "mark" && state.name === mark) return state.startTime;
    }
    throw new DOMException(`Failed to execute 'measure' on 'Performance': The mark '${mark}' does not exist.`, "SyntaxError");
  };
  // (DOMString or DOMHighResTimeStamp)
  const markOrTime = (value) => (typeof value === "number" ? toTimeStamp(value, "measure") : toDOMString(value));

  class Performance extends EventTarget {
    constructor() {
      checkConstructing();
      super();
    }
    now() { return now(); }
    get timeOrigin() { return timeOrigin; }
    toJSON() { return { timeOrigin }; }

    mark(markName, markOptions = undefined) {
      requireArguments(arguments.length, 1, "mark");
      const entry = new PerformanceMark(markName, markOptions);
      buffer.push(entry);
      return entry;
    }

    measure(measureName, startOrMeasureOptions = undefined, endMark = undefined) {
      requireArguments(arguments.length, 1, "measure");
      const name = toDOMString(measureName);
      // The union (DOMString or PerformanceMeasureOptions): undefined, null and objects are options.
      const isOptions = startOrMeasureOptions === undefined || startOrMeasureOptions === null || isObject(startOrMeasureOptions);
      const options = isOptions ? startOrMeasureOptions ?? {} : {};
      const startMark = isOptions ? undefined : toDOMString(startOrMeasureOptions);
      const detail = options.detail;
      const start = options.start === undefined ? undefined : markOrTime(options.start);
      const duration = options.duration === undefined ? undefined : toTimeStamp(options.duration, "measure");
      const end = options.end === undefined ? undefined : markOrTime(options.end);
      const end_ = endMark === undefined ? undefined : toDOMString(endMark);
      if (isOptions && (start !== undefined || end !== undefined || duration !== undefined || detail !== undefined)) {
        if (end_ !== undefined) throw new TypeError("Failed to execute 'measure' on 'Performance': If a PerformanceMeasureOptions object was passed, endMark must not be passed.");
        if (duration !== undefined && start === undefined && end === undefined) {
          throw new TypeError("Failed to execute 'measure' on 'Performance': If duration is passed, one of start and end must be passed too.");
        }
        if (start !== undefined && duration !== undefined && end !== undefined) {
          throw new TypeError("Failed to execute 'measure' on 'Performance': start, end and duration must not all be passed.");
        }
      }
      let endTime;
      if (end_ !== undefined) endTime = markToTimestamp(end_);
      else if (end !== undefined) endTime = markToTimestamp(end);
      else if (start !== undefined && duration !== undefined) endTime = markToTimestamp(start) + duration;
      else endTime = now();
      let startTime;
      if (start !== undefined) startTime = markToTimestamp(start);
      else if (duration !== undefined && end !== undefined) startTime = markToTimestamp(end) - duration;
      else if (startMark !== undefined) startTime = markToTimestamp(startMark);
      else startTime = 0;
      const entry = construct(() => new PerformanceMeasure());
      entries.set(entry, { name, entryType: "measure", startTime, duration: endTime - startTime, detail: cloneDetail(detail) });
      buffer.push(entry);
      return entry;
    }

    clearMarks(markName = undefined) {
      const name = markName === undefined ? undefined : toDOMString(markName);
      buffer = buffer.filter((entry) => {
        const state = entries.get(entry);
        return state.entryType !== "mark" || (name !== undefined && state.name !== name);
      });
    }
    clearMeasures(measureName = undefined) {
      const name = measureName === undefined ? undefined : toDOMString(measureName);
      buffer = buffer.filter((entry) => {
        const state = entries.get(entry);
        return state.entryType !== "measure" || (name !== undefined && state.name !== name);
      });
    }
    getEntries() {
      return byStartTime(buffer);
    }
    getEntriesByType(type) {
      requireArguments(arguments.length, 1, "getEntriesByType");
      type = toDOMString(type);
      return byStartTime(buffer.filter((entry) => entries.get(entry).entryType === type));
    }
    getEntriesByName(name, type = undefined) {
      requireArguments(arguments.length, 1, "getEntriesByName");
      name = toDOMString(name);
      type = type === undefined ? undefined : toDOMString(type);
      return byStartTime(buffer.filter((entry) => {
        const state = entries.get(entry);
        return state.name === name && (type === undefined || state.entryType === type);
      }));
    }
    // There are no resource timings to clear or buffer.
    clearResourceTimings() {}
    setResourceTimingBufferSize(maxSize) {}
  }
  for (const name of [
    "now", "timeOrigin", "toJSON", "mark", "measure", "clearMarks", "clearMeasures", "getEntries",
    "getEntriesByType", "getEntriesByName", "clearResourceTimings", "setResourceTimingBufferSize",
  ]) {
    Object.defineProperty(Performance.prototype, name, { enumerable: true });
  }
  Object.defineProperty(Performance.prototype, Symbol.toStringTag, { value: "Performance", configurable: true });

  const performance = construct(() => new Performance());

  internals.performanceNow = now;
  // Called by every runtime as it starts: parenthesized, so V8 compiles it while the startup
  // snapshot is made and no runtime compiles it again (see __v8ctxSetup in bootstrap.js).
  internals.resetTimeOrigin = (function resetTimeOrigin() {
    timeOrigin = dateNow();
    start = monotonic();
    buffer = [];
  });

  internals.define("Performance", Performance);
  internals.define("PerformanceEntry", PerformanceEntry);
  internals.define("PerformanceMark", PerformanceMark);
  internals.define("PerformanceMeasure", PerformanceMeasure);
  internals.define("performance", performance);
})(Deno.core, globalThis.__v8ctxInternals);
