/**
 * Bun's side of the Windows console handler: a HandlerRoutine in C, compiled
 * at start-up by `bun:ffi`'s `cc` (TinyCC), that tells JS through a
 * thread-safe callback and waits on an event object. A thread-safe
 * `JSCallback` alone returns at once, letting Windows end the process.
 *
 * @module
 */

import { mkdtempSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// TinyCC on Windows has no windows.h and rejects __stdcall: declare by hand
// (x64 has one calling convention, so none is needed).
const _SOURCE = `
typedef void *HANDLE;
HANDLE CreateEventW(void *attributes, int manual_reset, int initial_state, void *name);
int SetEvent(HANDLE event);
int ResetEvent(HANDLE event);
unsigned int WaitForSingleObject(HANDLE handle, unsigned int ms);
int SetConsoleCtrlHandler(int (*routine)(unsigned int), int add);

static void (*notify)(int);
static HANDLE released;
static unsigned int hold_ms;
static volatile int disposed;

static int handler(unsigned int event) {
  if (disposed || (event != 2 && event != 5 && event != 6)) return 0;
  ResetEvent(released);
  notify((int)event);
  WaitForSingleObject(released, hold_ms);
  return 1;
}

int start(void (*callback)(int), unsigned int limit_ms) {
  notify = callback;
  hold_ms = limit_ms;
  released = CreateEventW(0, 1, 0, 0);
  return released != 0 && SetConsoleCtrlHandler(handler, 1);
}

void release(void) { SetEvent(released); }

/* Release first: under Wine, SetConsoleCtrlHandler waits for a running handler. */
void stop(void) {
  disposed = 1;
  SetEvent(released);
  SetConsoleCtrlHandler(handler, 0);
}
`;

/** The bits of `bun:ffi` used here. */
interface _BunFfi {
  cc(options: {
    source: string;
    library: string[];
    symbols: Record<string, { args: string[]; returns: string }>;
  }): { symbols: Record<string, (...args: unknown[]) => unknown> };
  JSCallback: new (
    callback: (code: number) => void,
    definition: { args: string[]; returns: string; threadsafe: boolean },
  ) => { readonly ptr: unknown };
}

/**
 * Compiles and registers the handler. `onHeld(code)` runs on the JS thread
 * while the native thread that delivered `code` (2, 5 or 6) waits for
 * `release()` or `holdLimitMs`. Throws when compiling or registering fails.
 */
export function _startBunHandler(
  onHeld: (code: number) => void,
  holdLimitMs: number,
): { release(): void; dispose(): void } {
  // A static import of bun:ffi would break every other runtime.
  const ffi = (import.meta as unknown as { require(id: string): _BunFfi })
    .require("bun:ffi");
  const directory = mkdtempSync(join(tmpdir(), "graceful-shutdown-"));
  let symbols;
  try {
    const source = join(directory, "console_handler.c");
    writeFileSync(source, _SOURCE);
    symbols = ffi.cc({
      source,
      library: ["kernel32"],
      symbols: {
        start: { args: ["ptr", "u32"], returns: "i32" },
        release: { args: [], returns: "void" },
        stop: { args: [], returns: "void" },
      },
    }).symbols;
  } finally {
    _removeQuietly(directory);
  }
  // Neither the callback nor the compiled code is ever freed: a native thread
  // may still be on its way out of them after stop().
  const notify = new ffi.JSCallback(onHeld, {
    args: ["i32"],
    returns: "void",
    threadsafe: true,
  });
  if (symbols.start(notify.ptr, holdLimitMs) === 0) {
    throw new Error("SetConsoleCtrlHandler failed");
  }
  return {
    release: () => void symbols.release(),
    dispose: () => void symbols.stop(),
  };
}

/** Removes the source and its folder; a leftover in the temp folder is harmless. */
function _removeQuietly(directory: string): void {
  try {
    unlinkSync(join(directory, "console_handler.c"));
    rmdirSync(directory);
  } catch {
    // Bun's recursive rm fails under Wine (EFAULT); anything else is as harmless.
  }
}
