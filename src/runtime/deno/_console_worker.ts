/**
 * The Deno Worker that owns the console handler's `Deno.UnsafeCallback`.
 *
 * A callback called from a foreign thread blocks that thread only while a
 * synchronous callback runs, on the isolate that made it; blocking the main
 * thread would stop the cleanup it waits for. So the callback lives here: it
 * tells the main thread and waits on shared memory until released.
 *
 * @module
 */

/** The worker_threads members the worker body uses. */
export interface _WorkerThreads {
  /** The port to the thread that started the worker. */
  readonly parentPort: {
    postMessage(value: unknown): void;
    on(type: "message", listener: (value: unknown) => void): void;
  } | null;
  /** `{ cells, holdLimitMs }`, as passed by `_startDenoHandler`. */
  readonly workerData: unknown;
}

/**
 * The worker's body. It is sent to the worker as source text (a data: URL
 * needs no read permission and works from a remote or compiled copy of the
 * library), so it must not use anything from module scope.
 *
 * Shared cells: `[0]` the release generation, `[1]` 1 once disposed.
 * Messages out: the callback pointer (a bigint) once, then each held event
 * code (a number), and "closed" once any message in has closed the callback.
 */
export function _handlerWorkerMain(threads: _WorkerThreads): void {
  const port = threads.parentPort!;
  const { cells, holdLimitMs } = threads.workerData as {
    cells: Int32Array;
    holdLimitMs: number;
  };
  const callback = new Deno.UnsafeCallback(
    { parameters: ["u32"], result: "i32" } as const,
    (code: number): number => {
      // CTRL_C and CTRL_BREAK go on to the runtime's handler (SIGINT,
      // SIGBREAK); so does everything once disposed.
      if (Atomics.load(cells, 1) !== 0 || (code !== 2 && code !== 5 && code !== 6)) {
        return 0;
      }
      const generation = Atomics.load(cells, 0);
      port.postMessage(code);
      Atomics.wait(cells, 0, generation, holdLimitMs);
      // TRUE even at the limit: Windows ends the process now, instead of
      // passing the event to a handler that would not hold.
      return 1;
    },
  );
  port.postMessage(Deno.UnsafePointer.value(callback.pointer));
  port.on("message", () => {
    // Only reached between calls (this thread runs one thing at a time), so
    // no native thread is left waiting for a result.
    callback.close();
    port.postMessage("closed");
  });
}
