/**
 * Protection scopes: blocks of work that a stop request does not cut short.
 *
 * @module
 */

import { ShutdownError } from "./shutdown_error.ts";
import { type _Clock, _setTimer, type _Timer } from "./_platform.ts";

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

// What holds a shutdown back: open protection scopes and services still
// starting. One timer serves every scope's budget (a min-heap of expiries,
// stale entries skipped when popped). Scopes open at the request count from
// it together: the heap gets one entry per distinct budget, not per scope, so
// a request with 100 000 open scopes touches none of them; closing a scope
// is O(1).

/** Holds stop requests while a service starts. */
export interface _StartHold {
  readonly name: string;
}

/** The open scopes and start-up holds of one controller. */
export class _Holders {
  readonly #clock: _Clock;
  /** Scopes that may still hold: open, not yet out of budget. */
  readonly #scopes = new Set<_Scope>();
  readonly #holds = new Set<_StartHold>();
  // The expiry heap: parallel arrays, ordered by `#at`. An entry is one scope
  // (opened after the request, or renewed), or undefined: every scope whose
  // deadline has come, checked in one sweep.
  #at: number[] = [];
  #who: (_Scope | undefined)[] = [];
  #timer: _Timer | undefined = undefined;
  #timerAt = Infinity;

  constructor(clock: _Clock) {
    this.#clock = clock;
  }

  /** True when nothing holds the shutdown back. */
  get empty(): boolean {
    return this.#scopes.size === 0 && this.#holds.size === 0;
  }

  addScope(scope: _Scope): void {
    this.#scopes.add(scope);
  }

  /** Forgets a scope that closed or ran out of budget. */
  deleteScope(scope: _Scope): void {
    if (!this.#scopes.delete(scope)) return;
    if (this.#scopes.size === 0 && this.#at.length > 0) {
      // Nothing left to expire: leave no timer behind.
      this.#timer?.cancel();
      this.#at = [];
      this.#who = [];
      if (this.#timerAt !== -Infinity) this.#timerAt = Infinity;
    }
  }

  addHold(hold: _StartHold): void {
    this.#holds.add(hold);
  }

  deleteHold(hold: _StartHold): void {
    this.#holds.delete(hold);
  }

  /**
   * Shutdown is pending and every open scope's budget counts from `nowMs`
   * (the shared `countFromMs` the scopes read): one expiry per budget.
   * Returns the latest deadline among them (-Infinity when none).
   */
  startCountdown(nowMs: number): number {
    // Reading each budget is one pass with no allocation but the set of
    // distinct ones; opening and closing a scope stay plain set operations.
    const budgets = new Set<number>();
    for (const scope of this.#scopes) budgets.add(scope.budgetMs);
    let due = false;
    let longest = -Infinity;
    for (const budget of budgets) {
      if (budget > longest) longest = budget;
      if (budget <= 0) due = true;
      else this.#push(nowMs + budget, undefined);
    }
    if (this.#at.length > 0 && this.#at[0] < this.#timerAt) this.#arm();
    if (due) this.#sweep(this.#clock.now());
    // No scope has a count of its own yet: the latest deadline is the longest budget's.
    return nowMs + longest;
  }

  /** Runs `scope`'s expiry at its `deadlineMs` (called again after each renew). */
  schedule(scope: _Scope): void {
    const at = scope.deadlineMs;
    if (at <= this.#clock.now()) return scope._expire();
    this.#push(at, scope);
    if (at < this.#timerAt) this.#arm();
  }

  /** The latest budget end among the scopes that still hold; -Infinity when none. */
  latestDeadline(): number {
    let latest = -Infinity;
    for (const scope of this.#scopes) {
      if (scope.holding && scope.deadlineMs > latest) latest = scope.deadlineMs;
    }
    return latest;
  }

  /** The names of whatever holds now. */
  names(): string[] {
    const names: string[] = [];
    for (const hold of this.#holds) names.push(hold.name);
    for (const scope of this.#scopes) if (scope.holding) names.push(scope.name);
    return names;
  }

  /**
   * Lets go of everything that holds, aborting open scopes with `error`: the
   * program ended and nothing is left to close them.
   */
  abandon(error: ShutdownError): void {
    for (const scope of this.#scopes) scope._abort(error);
    this.#holds.clear();
    for (const scope of [...this.#scopes]) this.deleteScope(scope);
  }

  /** Aborts every open scope with `error` and stops the budget timer. */
  abortAll(error: ShutdownError): void {
    this.#timer?.cancel();
    this.#timerAt = -Infinity; // never armed again
    for (const scope of this.#scopes) scope._abort(error);
  }

  #arm(): void {
    this.#timer?.cancel();
    this.#timerAt = this.#at.length === 0 ? Infinity : this.#at[0];
    if (this.#timerAt === Infinity) return;
    this.#timer = _setTimer(this.#clock, () => this.#fire(), this.#timerAt - this.#clock.now());
  }

  #fire(): void {
    const now = this.#clock.now();
    let sweep = false;
    while (this.#at.length > 0 && this.#at[0] <= now) {
      const at = this.#at[0];
      const scope = this.#pop();
      if (scope === undefined) sweep = true;
      // Stale entries: closed, renewed since, or already out.
      else if (this.#scopes.has(scope) && scope.holding && scope.deadlineMs === at) {
        scope._expire();
      }
    }
    if (sweep) this.#sweep(now);
    if (this.#timerAt !== -Infinity) this.#arm();
  }

  /** Expires every scope whose deadline has come. */
  #sweep(now: number): void {
    for (const scope of this.#scopes) {
      if (scope.holding && scope.deadlineMs <= now) scope._expire();
    }
  }

  #push(at: number, scope: _Scope | undefined): void {
    const heapAt = this.#at, heapWho = this.#who;
    let i = heapAt.length;
    heapAt.push(at);
    heapWho.push(scope);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heapAt[parent] <= at) break;
      heapAt[i] = heapAt[parent];
      heapWho[i] = heapWho[parent];
      i = parent;
    }
    heapAt[i] = at;
    heapWho[i] = scope;
  }

  #pop(): _Scope | undefined {
    const heapAt = this.#at, heapWho = this.#who;
    const top = heapWho[0];
    const lastAt = heapAt.pop()!, lastWho = heapWho.pop()!;
    const n = heapAt.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && heapAt[child + 1] < heapAt[child]) child++;
      if (heapAt[child] >= lastAt) break;
      heapAt[i] = heapAt[child];
      heapWho[i] = heapWho[child];
      i = child;
    }
    heapAt[i] = lastAt;
    heapWho[i] = lastWho;
    return top;
  }
}
