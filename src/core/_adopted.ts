// What adopt() and attach() hold for one controller, live ones only: one
// safety net per controller (killed at `done`, whatever the number of
// children and workers ever held, so memory follows live ones), and the
// process ids a watchdog kills before it ends the process.

/** One adopted child (or attached worker), as the registry sees it. */
export interface _AdoptedChild {
  /** Its process id, once known (undefined: it never started, or a worker). */
  readonly pid: number | undefined;
  /** True when it leads a process group of its own (adopted `detached`). */
  readonly group: boolean;
  /** SIGKILLs (terminates) it, and the group it leads, if it still runs; never throws. */
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

/**
 * The registry of one controller, made on first use: whatever it still holds
 * when `done` resolves (a forced end, `exit()`, right before the process
 * ends) is killed then. Add a child or worker while it runs; delete it once
 * it has ended (and dispose its step's registration: the step leaves the
 * stack if it has not started).
 */
export function _heldBy(controller: { readonly done: Promise<unknown> }): _AdoptedSet {
  let set = _sets.get(controller);
  if (set === undefined) {
    const held = set = new _AdoptedSet();
    _sets.set(controller, held);
    controller.done.then(() => held.killAll());
  }
  return set;
}
