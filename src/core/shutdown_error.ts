/**
 * The error thrown at a breakpoint and used as the abort reason of every
 * signal the library aborts.
 *
 * @module
 */

// A mark every copy of the library puts on its errors, so that two copies
// loaded in one process recognise each other's.
const _BRAND = Symbol.for("@graceful/shutdown/ShutdownError");

/**
 * Why a {@linkcode ShutdownError} was raised.
 *
 * @example
 * ```ts
 * import { ShutdownError, type ShutdownErrorKind } from "@graceful/shutdown";
 *
 * const error = new ShutdownError("stopped", { kind: "budget" });
 * const kind: ShutdownErrorKind = error.kind;
 * console.log(kind); // "budget": the scope's budget ran out
 * ```
 */
export type ShutdownErrorKind = "pending" | "budget" | "forced";

/**
 * Options for {@linkcode ShutdownError}.
 *
 * @example
 * ```ts
 * import { ShutdownError, type ShutdownErrorOptions } from "@graceful/shutdown";
 *
 * const options: ShutdownErrorOptions = { kind: "forced", cause: "SIGINT" };
 * console.log(new ShutdownError("forced by the 3rd Ctrl-C", options).kind); // "forced"
 * ```
 */
export interface ShutdownErrorOptions {
  /**
   * `"pending"`: shutdown was requested and the code reached a breakpoint;
   * `"budget"`: a protection scope spent its budget;
   * `"forced"`: the attempts or the deadline forced the end.
   * @default {"pending"}
   */
  kind?: ShutdownErrorKind;
  /** What started the shutdown, when known. */
  cause?: unknown;
}

/**
 * Thrown by `scope.breakpoint()` when shutdown is pending, and the abort reason
 * of `controller.signal` and `scope.signal`.
 *
 * @example Tell a shutdown apart from a real failure
 * ```ts
 * import { ShutdownError } from "@graceful/shutdown";
 *
 * try {
 *   throw new ShutdownError("shutdown requested by SIGTERM");
 * } catch (error) {
 *   if (!(error instanceof ShutdownError)) throw error;
 *   console.log(error.kind); // "pending"
 * }
 * ```
 */
export class ShutdownError extends Error {
  /** Why this error was raised. */
  readonly kind: ShutdownErrorKind;

  /**
   * Makes a shutdown error.
   *
   * @param message What happened, for people.
   * @param options The kind and the cause.
   */
  constructor(message: string, options: ShutdownErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ShutdownError";
    this.kind = options.kind ?? "pending";
  }

  /**
   * True for a `ShutdownError` made by any copy of the library loaded in
   * this process (two versions may be installed side by side); a subclass
   * keeps the usual prototype check.
   *
   * @param value What to test.
   * @returns Whether `value` is a shutdown error.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ShutdownError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null &&
      (value as { [_BRAND]?: unknown })[_BRAND] === true;
  }
}

Object.defineProperty(ShutdownError.prototype, _BRAND, { value: true });
