// A hand-made `process` for the adapter tests: it records listeners, exits
// and kills instead of acting on the real process.

import type { _NodeProcess } from "../../src/runtime/_node_process.ts";

type Listener = (...args: unknown[]) => void;

/** What `process.exit()` does to its caller: it never returns. */
export class Exited extends Error {
  readonly code: number | undefined;
  constructor(code: number | undefined) {
    super(`exit(${code})`);
    this.code = code;
  }
}

/** A `process` that records instead of acting. */
export class StubProcess implements _NodeProcess {
  readonly pid = 4242;
  exitCode?: number | string | null;
  readonly written: string[] = [];
  readonly stderr = { write: (text: string) => this.written.push(text), isTTY: false };
  readonly exits: (number | undefined)[] = [];
  readonly kills: [number, string][] = [];
  /** False lets `exit()` return, for a fallback that fires from a timer. */
  exitThrows = true;
  readonly #listeners = new Map<string, Listener[]>();

  readonly platform: "linux" | "win32";
  constructor(platform: "linux" | "win32") {
    this.platform = platform;
  }

  on(event: string, listener: Listener): this {
    this.#listeners.set(event, [...this.#of(event), listener]);
    return this;
  }

  off(event: string, listener: Listener): this {
    const rest = [...this.#of(event)];
    const at = rest.indexOf(listener);
    if (at >= 0) rest.splice(at, 1);
    this.#listeners.set(event, rest);
    return this;
  }

  prependOnceListener(event: string, listener: Listener): this {
    const once: Listener = (...args) => {
      this.off(event, once);
      listener(...args);
    };
    this.#listeners.set(event, [once, ...this.#of(event)]);
    return this;
  }

  listenerCount(event: string): number {
    return this.#of(event).length;
  }

  /** Every listener of every event. */
  get totalListeners(): number {
    let total = 0;
    for (const listeners of this.#listeners.values()) total += listeners.length;
    return total;
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.#of(event)) listener(...args);
  }

  exit(code?: number): never {
    this.exits.push(code);
    if (this.exitThrows) throw new Exited(code);
    return undefined as never;
  }

  kill(pid: number, signal: string): boolean {
    this.kills.push([pid, signal]);
    return true;
  }

  #of(event: string): Listener[] {
    return this.#listeners.get(event) ?? [];
  }
}

/** Matches the stub's `exit(code)` thrown out of a call. */
export function exitedWith(code: number): (error: unknown) => boolean {
  return (error) => error instanceof Exited && error.code === code;
}
