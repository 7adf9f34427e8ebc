/**
 * Deno's side of the Windows console handler: the callback Worker (see
 * `_console_worker.ts`) and, apart from it, the kernel32 registration,
 * so tests can call the callback from a thread of their own on any OS.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { _handlerWorkerMain } from "./_console_worker.ts";

/** A native console handler that holds its calling thread until released. */
export interface _DenoHandler {
  /** The HandlerRoutine pointer, once the worker has made it. */
  readonly pointer: Promise<Deno.PointerObject>;
  /** Lets every held thread return. */
  release(): void;
  /** Makes the handler return FALSE, releases held threads, ends the worker. */
  dispose(): void;
}

/**
 * Starts the worker that owns the handler. `onHeld(code)` runs on this thread
 * while the native thread that delivered `code` (2, 5 or 6) waits for
 * `release()` or `holdLimitMs`.
 */
export function _startDenoHandler(
  onHeld: (code: number) => void,
  holdLimitMs: number,
): _DenoHandler {
  const cells = new Int32Array(new SharedArrayBuffer(8));
  const source =
    `import * as threads from "node:worker_threads";\n(${_handlerWorkerMain})(threads);`;
  // node:worker_threads rather than Worker: only it has unref(), and a live
  // Worker would keep the program from ever ending on its own.
  const worker = new Worker(
    new URL(`data:text/javascript,${encodeURIComponent(source)}`),
    { workerData: { cells, holdLimitMs } },
  );
  worker.unref();
  const pointer = new Promise<Deno.PointerObject>((resolve, reject) => {
    worker.once("error", reject);
    worker.on("message", (value: unknown) => {
      if (typeof value === "bigint") resolve(Deno.UnsafePointer.create(value)!);
      else if (typeof value === "number") onHeld(value);
      else if (value === "closed") void worker.terminate();
    });
  });
  pointer.catch(() => {}); // the caller may never ask
  const release = () => {
    Atomics.add(cells, 0, 1);
    Atomics.notify(cells, 0);
  };
  let disposed = false;
  return {
    pointer,
    release,
    dispose() {
      if (disposed) return;
      disposed = true;
      Atomics.store(cells, 1, 1);
      release();
      // Asked to close rather than terminated now: the worker reads this only
      // once a running callback has returned its value to the native thread.
      worker.postMessage("close");
    },
  };
}

/**
 * Registers `pointer` with kernel32's `SetConsoleCtrlHandler`; the returned
 * function unregisters it. Windows only; throws where kernel32 is missing.
 */
export function _registerWithKernel32(pointer: Deno.PointerObject): () => void {
  const kernel32 = Deno.dlopen("kernel32.dll", {
    SetConsoleCtrlHandler: { parameters: ["pointer", "i32"], result: "i32" },
  });
  if (kernel32.symbols.SetConsoleCtrlHandler(pointer, 1) === 0) {
    kernel32.close();
    throw new Error("SetConsoleCtrlHandler failed");
  }
  return () => {
    kernel32.symbols.SetConsoleCtrlHandler(pointer, 0);
    kernel32.close();
  };
}

/**
 * True when this Deno may use FFI without prompting.
 */
export function _denoHasFfi(): boolean {
  return typeof Deno.dlopen === "function" &&
    Deno.permissions.querySync({ name: "ffi" }).state === "granted";
}
