// Reads and checks every option and argument: the controller's and run()'s,
// with the checks shared by every public entry point. Every bad value is
// rejected before anything is registered, with an error that names the
// option and shows the value.

import type { RuntimeAdapter, StopSignal } from "./runtime_adapter.ts";
import { _REFUSED_SIGNALS, _STOP_SIGNALS } from "./_platform.ts";
import type {
  ProtectOptions,
  RequestOptions,
  Service,
  ShutdownControllerOptions,
  ShutdownHookOptions,
  ShutdownLog,
} from "./types.ts";

const _CONTROLLER_OPTIONS = [
  "budgetMs",
  "hookReserveMs",
  "maxAttempts",
  "terminateOnHup",
  "terminateOnLogoff",
  "onHup",
  "beforeTermination",
  "log",
  "runtime",
  "signals",
] as const;
const _SERVICE_KEYS = ["name", "start", "stop", "startTimeoutMs", "stopTimeoutMs"] as const;
const _HOOK_KEYS = ["name", "timeoutMs"] as const;
const _PROTECT_KEYS = ["name"] as const;
const _REQUEST_KEYS = ["exitCode"] as const;

/** Checks `request(reason, options)`'s options; returns the exit code asked for, if any. */
export function _readRequestOptions(options: unknown): number | undefined {
  _checkOptions("request() options", options);
  const bag = options as RequestOptions | undefined;
  _checkKnownKeys("request() options", bag, _REQUEST_KEYS);
  const code = bag?.exitCode;
  if (code === undefined) return undefined;
  if (typeof code !== "number") {
    throw new TypeError(`exitCode must be an integer from 0 to 255, got ${_show(code)}`);
  }
  if (!Number.isInteger(code) || code < 0 || code > 255) {
    throw new RangeError(`exitCode must be an integer from 0 to 255, got ${_show(code)}`);
  }
  return code;
}

/** `protect()`'s arguments, checked; undefined where the default applies. */
export interface _ProtectSettings {
  readonly budgetMs: number | undefined;
  readonly name: string | undefined;
}

/** Checks `protect(budgetMs, options)`. */
export function _readProtectOptions(budgetMs: unknown, options: unknown): _ProtectSettings {
  const budget = budgetMs === undefined ? undefined : _checkMs("budgetMs", budgetMs);
  _checkOptions("protect() options", options);
  const bag = options as ProtectOptions | undefined;
  _checkKnownKeys("protect() options", bag, _PROTECT_KEYS);
  return { budgetMs: budget, name: _checkOptionalString("name", bag?.name) };
}

/** `onShutdown()`'s options, checked: a name if given, a time limit (Infinity when none). */
export interface _HookSettings {
  readonly name: string | undefined;
  readonly timeoutMs: number;
}

/** Checks `onShutdown(hook, options)`. */
export function _readHookOptions(hook: unknown, options: unknown): _HookSettings {
  if (typeof hook !== "function") {
    throw new TypeError(`hook must be a function, got ${_show(hook)}`);
  }
  _checkOptions("onShutdown() options", options);
  const bag = options as ShutdownHookOptions | undefined;
  _checkKnownKeys("onShutdown() options", bag, _HOOK_KEYS);
  return {
    name: _checkOptionalString("name", bag?.name),
    timeoutMs: bag?.timeoutMs === undefined ? Infinity : _checkMs("timeoutMs", bag.timeoutMs),
  };
}

/** The controller's options, checked, with their defaults. */
export interface _ControllerSettings {
  /** Undefined: the OS default, known once the runtime is. */
  readonly budgetMs: number | undefined;
  /** Undefined: a tenth of the budget. */
  readonly hookReserveMs: number | undefined;
  readonly maxAttempts: number;
  readonly terminateOnHup: boolean;
  readonly terminateOnLogoff: boolean;
  readonly onHup: (() => void) | undefined;
  readonly beforeTermination: (() => void) | undefined;
  readonly log: ShutdownLog | undefined;
  readonly runtime: RuntimeAdapter | undefined;
  /** Undefined: every stop signal the runtime delivers. */
  readonly signals: readonly StopSignal[] | undefined;
}

/** Checks `new ShutdownController(options)`; throws a TypeError or RangeError naming the option. */
export function _readControllerOptions(options: ShutdownControllerOptions): _ControllerSettings {
  _checkOptions("ShutdownController options", options);
  _checkKnownKeys("ShutdownController options", options, _CONTROLLER_OPTIONS);
  const runtime = options.runtime;
  if (runtime !== undefined && (runtime === null || typeof runtime !== "object")) {
    throw new TypeError(`runtime must be a runtime adapter object, got ${_show(runtime)}`);
  }
  const budgetMs = options.budgetMs === undefined
    ? undefined
    : _checkMs("budgetMs", options.budgetMs);
  const hookReserveMs = options.hookReserveMs === undefined
    ? undefined
    : _checkMs("hookReserveMs", options.hookReserveMs);
  if (budgetMs !== undefined && hookReserveMs !== undefined && hookReserveMs > budgetMs) {
    throw new RangeError(
      `hookReserveMs must be at most budgetMs (${budgetMs}), got ${hookReserveMs}`,
    );
  }
  const signals = options.signals === undefined ? undefined : _readSignals(options.signals);
  if (signals !== undefined && !signals.includes("SIGHUP")) {
    // Either would silently do nothing: SIGHUP keeps its default (the end),
    // which is what `terminateOnHup: true` asks for anyway.
    const unheard = options.onHup !== undefined
      ? "onHup"
      : options.terminateOnHup === false
      ? "terminateOnHup"
      : undefined;
    if (unheard !== undefined) {
      throw new TypeError(
        `${unheard} is set but signals does not list "SIGHUP", got signals ${_show(signals)}`,
      );
    }
  }
  return {
    budgetMs,
    hookReserveMs,
    maxAttempts: options.maxAttempts === undefined
      ? 3
      : _checkCount("maxAttempts", options.maxAttempts),
    terminateOnHup: options.terminateOnHup === undefined
      ? true
      : _checkBoolean("terminateOnHup", options.terminateOnHup),
    terminateOnLogoff: options.terminateOnLogoff === undefined
      ? true
      : _checkBoolean("terminateOnLogoff", options.terminateOnLogoff),
    onHup: _checkOptionalFunction("onHup", options.onHup),
    beforeTermination: _checkOptionalFunction("beforeTermination", options.beforeTermination),
    log: _checkOptionalFunction("log", options.log),
    runtime,
    signals,
  };
}

/** Checks the `signals` option: a list of distinct stop signals the library can catch. */
function _readSignals(value: unknown): readonly StopSignal[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`signals must be an array of signal names, got ${_show(value)}`);
  }
  const seen = new Set<string>();
  for (const [index, name] of value.entries()) {
    if (typeof name !== "string") {
      throw new TypeError(`signals[${index}] must be a signal name, got ${_show(name)}`);
    }
    const refused = _REFUSED_SIGNALS[name];
    if (refused !== undefined) {
      throw new RangeError(`signals[${index}] cannot be ${_show(name)}: ${refused}`);
    }
    if (!(_STOP_SIGNALS as readonly string[]).includes(name)) {
      throw new RangeError(
        `signals[${index}] must be one of ${_STOP_SIGNALS.join(", ")}, got ${_show(name)}`,
      );
    }
    if (seen.has(name)) {
      throw new RangeError(`signals lists ${_show(name)} twice, got ${_show(value)}`);
    }
    seen.add(name);
  }
  return Object.freeze([...value]) as readonly StopSignal[];
}

/** An entry of `run()`'s list: a service, or a group stopped together. */
export type _ServiceEntry = Service | readonly Service[];

/** Checks the argument of `run()`: one service, or a list of services and groups. */
export function _readServices(services: unknown): readonly _ServiceEntry[] {
  const list = Array.isArray(services) ? services : [services];
  for (const [index, entry] of list.entries()) {
    const label = Array.isArray(services) ? `services[${index}]` : "service";
    if (!Array.isArray(entry)) {
      _checkService(label, entry);
      continue;
    }
    if (entry.length === 0) {
      throw new RangeError(`${label} must be a service or a non-empty group, got []`);
    }
    for (const [inner, member] of entry.entries()) {
      if (Array.isArray(member)) {
        throw new TypeError(
          `${label}[${inner}] must be a service: groups do not nest, got ${_show(member)}`,
        );
      }
      _checkService(`${label}[${inner}]`, member);
    }
  }
  return list;
}

function _checkService(label: string, service: unknown): asserts service is Service {
  if (service === null || typeof service !== "object") {
    throw new TypeError(`${label} must be an object with start/stop, got ${_show(service)}`);
  }
  const bag = service as Service;
  _checkKnownKeys(label, bag, _SERVICE_KEYS);
  _checkOptionalString(`${label}.name`, bag.name);
  _checkOptionalFunction(`${label}.start`, bag.start);
  _checkOptionalFunction(`${label}.stop`, bag.stop);
  if (bag.startTimeoutMs !== undefined) _checkMs(`${label}.startTimeoutMs`, bag.startTimeoutMs);
  if (bag.stopTimeoutMs !== undefined) _checkMs(`${label}.stopTimeoutMs`, bag.stopTimeoutMs);
}

// Argument checks shared by every public entry point. Each names the option
// and shows the value, so a caller sees at once what was wrong.

/** Shows a value in an error message. */
export function _show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return value.toString();
  if (value === null || typeof value !== "object") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A finite, non-negative number of milliseconds. */
export function _checkMs(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be a number of milliseconds, got ${_show(value)}`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `${name} must be a finite number of milliseconds >= 0, got ${_show(value)}`,
    );
  }
  return value;
}

/** An integer of at least 1. */
export function _checkCount(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be an integer, got ${_show(value)}`);
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer >= 1, got ${_show(value)}`);
  }
  return value;
}

/** A boolean. */
export function _checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`${name} must be a boolean, got ${_show(value)}`);
  }
  return value;
}

/** A function, or absent. */
export function _checkOptionalFunction<T>(name: string, value: T): T {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${name} must be a function, got ${_show(value)}`);
  }
  return value;
}

/** A string, or absent. */
export function _checkOptionalString(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== "string") {
    throw new TypeError(`${name} must be a string, got ${_show(value)}`);
  }
  return value;
}

/** An options bag: an object, or absent. */
export function _checkOptions(name: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof value !== "object")) {
    throw new TypeError(`${name} must be an object, got ${_show(value)}`);
  }
}

/** Rejects option names the function does not know, so typos do not pass silently. */
export function _checkKnownKeys(
  name: string,
  value: object | undefined,
  known: readonly string[],
): void {
  if (value === undefined) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${name} has an unknown option ${_show(key)}; known options: ${known.join(", ")}`,
      );
    }
  }
}
