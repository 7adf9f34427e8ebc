// The children adopt() holds for one controller, live ones only: one safety
// net per controller (SIGKILL at `done`, whatever the number of children ever
// adopted), and the process ids a watchdog kills before it ends the process.

/** One adopted child, as the registry sees it. */
export interface _AdoptedChild {
  /** Its process id, once known (undefined: it never started). */
  readonly pid: number | undefined;
  /** True when it leads a process group of its own (adopted `detached`). */
  readonly group: boolean;
  /** SIGKILLs it (and the process group it leads) if it still runs; never throws. */
  kill(): void;
}

/** Told of each child added to or removed from the registry (the watchdog). */
export interface _AdoptedWatcher {
  added(pid: number, group: boolean): void;
  removed(pid: number): void;
}

/** The live adopted children of one controller. */
export class _AdoptedSet {
  readonly #live = new Set<_AdoptedChild>();
  #watcher: _AdoptedWatcher | undefined;

  /** How many children are held. */
  get size(): number {
    return this.#live.size;
  }

  add(child: _AdoptedChild): void {
    if (this.#live.has(child)) return;
    this.#live.add(child);
    if (child.pid !== undefined) this.#watcher?.added(child.pid, child.group);
  }

  delete(child: _AdoptedChild): void {
    if (!this.#live.delete(child)) return;
    if (child.pid !== undefined) this.#watcher?.removed(child.pid);
  }

  /** SIGKILLs every child still held. */
  killAll(): void {
    for (const child of this.#live) child.kill();
  }

  /** Sets (or clears) the watcher, telling it of every child already held. */
  watch(watcher: _AdoptedWatcher | undefined): void {
    this.#watcher = watcher;
    if (watcher === undefined) return;
    for (const child of this.#live) {
      if (child.pid !== undefined) watcher.added(child.pid, child.group);
    }
  }
}

const _sets = new WeakMap<object, _AdoptedSet>();

/** The registry of one controller (keyed by its state machine), made on first use. */
export function _adoptedOf(owner: object): _AdoptedSet {
  let set = _sets.get(owner);
  if (set === undefined) _sets.set(owner, set = new _AdoptedSet());
  return set;
}
