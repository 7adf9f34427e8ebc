// What holds a shutdown back: open protection scopes and services still
// starting. One timer serves every scope's budget (a min-heap of expiries,
// stale entries skipped when popped). Scopes open at the request count from
// it together: the heap gets one entry per distinct budget, not per scope, so
// a request with 100 000 open scopes touches none of them; closing a scope
// is O(1).

import type { _Scope } from "./protection_scope.ts";
import type { ShutdownError } from "./shutdown_error.ts";
import { type _Clock, _setTimer, type _Timer } from "./_clock.ts";

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
