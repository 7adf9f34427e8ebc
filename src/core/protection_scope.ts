/**
 * Protection scopes: blocks of work that a stop request does not cut short.
 *
 * @module
 */

import { ShutdownError } from "./shutdown_error.ts";

/**
 * A block of work that a stop request does not interrupt. Open one with
 * `controller.protect()`; close it with `using` or `[Symbol.dispose]()`.
 *
 * While any scope is open a stop request does not end the process. Once
 * shutdown is pending, the scope keeps its budget counted from the request (or
 * from its start, or its latest `renew()`, when those come later): that is at
 * least the budget from its start or its latest `breakpoint()`. Then `signal`
 * aborts and the scope stops holding the process.
 *
 * @example Stop between steps, never in the middle of one
 * ```ts
 * import { shutdown, ShutdownError } from "@graceful/shutdown";
 *
 * async function copyAll(files: string[]) {
 *   using scope = shutdown.protect(10_000);
 *   for (const file of files) {
 *     scope.breakpoint(); // throws ShutdownError once shutdown is pending
 *     await fetch(file, { signal: scope.signal });
 *   }
 * }
 * try {
 *   await copyAll([]);
 * } catch (error) {
 *   if (!(error instanceof ShutdownError)) throw error;
 * }
 * ```
 */
export interface ProtectionScope extends Disposable {
  /** The name given to `protect()`, or `"scope N"`. */
  readonly name: string;
  /**
   * Aborted when the scope must stop now: its budget ran out after a stop
   * request, or the shutdown was forced. The reason is a `ShutdownError`.
   */
  readonly signal: AbortSignal;
  /** Milliseconds left once shutdown is pending; `Infinity` before that. */
  readonly remainingMs: number;
  /** Throws `ShutdownError` when shutdown is pending; costs one field read otherwise. */
  breakpoint(): void;
  /** Restarts this scope's budget, even while shutdown is pending. */
  renew(): void;
  /** Closes the scope; it no longer holds the process. Safe to call twice. */
  [Symbol.dispose](): void;
}

/** What every scope of one controller reads. */
export interface _ScopeShared {
  pending: boolean;
  countFromMs: number;
}

/** What a scope needs from its controller. Kept narrow so there is no import cycle. */
export interface _ScopeHost {
  /**
   * Shared with every scope: `pending` is read on each breakpoint, so it is a
   * plain field; `countFromMs` is when the budgets started counting (NaN
   * before the request), so the request touches no scope one by one.
   */
  readonly shared: _ScopeShared;
  now(): number;
  /** Expires the scope at its `deadlineMs` (one timer for all scopes). */
  schedule(scope: _Scope): void;
  /** The error a breakpoint throws once shutdown is pending. */
  pendingError(): ShutdownError;
  /** The scope stopped holding the process: closed, or its budget ran out. */
  released(scope: _Scope): void;
}

/**
 * The scope implementation; only the controller makes them.
 *
 * While the process runs a scope reads no clock: its budget starts counting
 * when shutdown becomes pending (or at its start, if opened later), which is
 * never earlier than its start or last breakpoint, so the promise "at least
 * the budget from the start or the latest breakpoint" holds, and
 * `breakpoint()` costs one field read.
 */
export class _Scope implements ProtectionScope {
  readonly #label: string | number;
  readonly #host: _ScopeHost;
  readonly #shared: _ScopeShared;
  readonly #budgetMs: number;
  #abort: AbortController | undefined = undefined;
  #reason: ShutdownError | undefined = undefined;
  /** Its own count start (opened after the request, or renewed); NaN: the request's. */
  #markMs = Number.NaN;
  #closed = false;

  /** `label` is the name given to `protect()`, or the scope's number. */
  constructor(host: _ScopeHost, budgetMs: number, label: string | number) {
    this.#host = host;
    this.#shared = host.shared;
    this.#budgetMs = budgetMs;
    this.#label = label;
  }

  get name(): string {
    // Formatted on demand: `scope ${n}` cost a third of protect() + dispose.
    const label = this.#label;
    return typeof label === "string" ? label : `scope ${label}`;
  }

  get signal(): AbortSignal {
    // Made on first use: most scopes never have their signal read.
    if (this.#abort === undefined) {
      this.#abort = new AbortController();
      if (this.#reason !== undefined) this.#abort.abort(this.#reason);
    }
    return this.#abort.signal;
  }

  /** The budget, in ms. */
  get budgetMs(): number {
    return this.#budgetMs;
  }

  get remainingMs(): number {
    if (!this.#counting) return this.#reason === undefined ? Infinity : 0;
    if (this.#reason !== undefined) return 0;
    return Math.max(0, this.deadlineMs - this.#host.now());
  }

  /** When the budget runs out, on the controller's clock; Infinity before it counts. */
  get deadlineMs(): number {
    if (!Number.isNaN(this.#markMs)) return this.#markMs + this.#budgetMs;
    const from = this.#shared.countFromMs;
    return Number.isNaN(from) ? Infinity : from + this.#budgetMs;
  }

  /** True once its budget counts. */
  get #counting(): boolean {
    return !Number.isNaN(this.#markMs) || !Number.isNaN(this.#shared.countFromMs);
  }

  /** True while the scope holds the process. */
  get holding(): boolean {
    return !this.#closed && this.#reason === undefined;
  }

  breakpoint(): void {
    if (this.#shared.pending) this.#throwPending();
  }

  renew(): void {
    if (!this.holding || !this.#counting) return;
    this.#markMs = this.#host.now();
    this.#host.schedule(this);
  }

  /** Opened while shutdown is pending: its budget counts from `nowMs`, its start. */
  _startCountdown(nowMs: number): void {
    if (!Number.isNaN(this.#markMs) || !this.holding) return;
    this.#markMs = nowMs;
    this.#host.schedule(this);
  }

  /** Aborts the scope at once with `reason`. */
  _abort(reason: ShutdownError): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#abort?.abort(reason);
  }

  [Symbol.dispose](): void {
    if (this.#closed) return;
    const wasHolding = this.holding;
    this.#closed = true;
    if (wasHolding) this.#host.released(this);
  }

  #throwPending(): never {
    throw this.#reason ?? this.#host.pendingError();
  }

  /** The budget ran out: abort, and stop holding the process. */
  _expire(): void {
    if (!this.holding) return;
    this._abort(
      new ShutdownError(
        `protection scope ${JSON.stringify(this.name)} ran out of its ${this.#budgetMs} ms budget`,
        { kind: "budget" },
      ),
    );
    this.#host.released(this);
  }
}
