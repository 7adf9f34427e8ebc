// What the adapters share: the signal subscribe loop, the console handler
// that is loaded only on Windows, and the re-raise fallback.

import type {
  OsFamily,
  StopEventListener,
  StopListenerOptions,
  StopSignal,
  Unsubscribe,
} from "../core/runtime_adapter.ts";
import { _eventFor } from "../core/_platform.ts";

/**
 * How long a re-raised signal may take to end the process before the adapter
 * exits with `128 + n` itself: another listener may swallow it, and as PID 1
 * the kernel ignores it.
 */
export const _RERAISE_FALLBACK_MS = 500;

/** Installs a console handler; returns its uninstaller, or undefined when it cannot. */
export type _ConsoleInstaller = (
  listener: StopEventListener,
  options: { writeStderr(text: string): void; holdLimitMs?: number },
) => Unsubscribe | undefined;

/** How an adapter subscribes: the runtime's own add/remove, and its console handler. */
export interface _SubscribeOptions extends StopListenerOptions {
  readonly os: OsFamily;
  add(signal: StopSignal, handler: () => void): void;
  remove(signal: StopSignal, handler: () => void): void;
  writeStderr(text: string): void;
  /**
   * Loads the console handler; called on Windows only, so its code loads
   * there only. Synchronous where the runtime can load a module so (Bun):
   * then events are caught from the moment the listener is added.
   */
  loadConsole?: () => _ConsoleInstaller | Promise<_ConsoleInstaller>;
}

/**
 * Listens for `signals` (each delivered as the event it stands for on this OS)
 * and, on Windows, for console events. The console handler goes in after the
 * signal listeners, so Windows, which calls the last registered first, calls
 * it first. Returns one function that undoes it all.
 */
export function _subscribe(
  signals: readonly StopSignal[],
  listener: StopEventListener,
  options: _SubscribeOptions,
): Unsubscribe {
  const undo: Unsubscribe[] = [];
  let active = true;
  for (const signal of signals) {
    const event = _eventFor(options.os, signal);
    const handler = (): void => void listener(event);
    options.add(signal, handler);
    undo.push(() => options.remove(signal, handler));
  }
  if (options.os === "windows" && options.loadConsole !== undefined) {
    const install = (installer: _ConsoleInstaller): void => {
      if (!active) return;
      const uninstall = installer(listener, {
        writeStderr: options.writeStderr,
        holdLimitMs: options.holdLimitMs,
      });
      if (uninstall !== undefined) undo.push(uninstall);
    };
    const cannot = (error: unknown): void =>
      options.writeStderr(`@graceful/shutdown: console events cannot be caught: ${error}\n`);
    try {
      const loaded = options.loadConsole();
      if (loaded instanceof Promise) loaded.then(install).catch(cannot);
      else install(loaded);
    } catch (error) {
      cannot(error);
    }
  }
  return () => {
    active = false;
    for (const unsubscribe of undo.splice(0)) unsubscribe();
  };
}
