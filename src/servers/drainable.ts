/**
 * A fetch handler wrapper that lets `drain()` see the requests of a
 * `Deno.serve()` or `Bun.serve()` server, which the server object itself
 * does not show.
 *
 * @module
 */

import type { _DrainCounts, _Tracker } from "./_drain_types.ts";

/** Which tracker each handler made by drainable() has. */
const _TRACKERS = new WeakMap<object, _Tracker>();

/** The tracker behind a handler made by drainable(), if it is one. */
export function _trackerOf(handler: unknown): _Tracker | undefined {
  return typeof handler === "function" ? _TRACKERS.get(handler) : undefined;
}

/** Makes a fresh set of a drain's counts. */
export function _newCounts(tracked: boolean): _DrainCounts {
  return { active: 0, inFlight: 0, served: 0, cut: 0, webSockets: 0, tracked };
}

// Loaded on the first response with a body on Deno: a program that only
// imports the library never loads it.
let _body: Promise<typeof import("./_drain_body.ts")> | undefined;

/**
 * Wraps a fetch handler for `Deno.serve()` or `Bun.serve()` so that
 * `drain(server, { handler })` can see its requests: it counts the requests in
 * flight, adds `Connection: close` to every response once shutdown is
 * requested, and at the drain's timeout ends the streams it returned (on Deno
 * the server object cannot cut a live connection) and answers requests still
 * waiting for their handler with `503`. Until then it changes nothing: status,
 * headers and body pass through (on Deno a body still being produced when the
 * handler returns is passed through a stream of the wrapper's own, so that it
 * can be cut; a complete one goes out untouched).
 *
 * Pass the same function to the server and to `drain()`. Wrap each server's
 * handler separately: one wrapped handler belongs to one drain at a time.
 *
 * @example Deno
 * ```ts ignore
 * import { drain, drainable } from "@graceful/shutdown";
 *
 * const handler = drainable((_request: Request) => new Response("hello"));
 * const server = Deno.serve({ port: 8000 }, handler);
 * drain(server, { handler, drainDelayMs: 5_000, timeoutMs: 10_000 });
 * ```
 *
 * @example Any runtime: the wrapper is an ordinary fetch handler
 * ```ts
 * import { drainable } from "@graceful/shutdown";
 *
 * const handler = drainable((_request: Request) => new Response("hello"));
 * const response = await handler(new Request("http://localhost/"));
 * console.log(response?.status); // 200
 * ```
 *
 * @param handler The fetch handler to wrap; `this` and every argument pass through.
 * @returns A handler of the same shape that a drain can follow.
 */
export function drainable<A extends unknown[], R extends Response | undefined>(
  handler: (request: Request, ...rest: A) => R | Promise<R>,
): (request: Request, ...rest: A) => Promise<R> {
  if (typeof handler !== "function") {
    throw new TypeError(`drainable() needs a fetch handler function, got ${typeof handler}`);
  }
  const counts = _newCounts(true);
  let closing = false;
  const cut = new AbortController();
  const cutResponse = (): Response =>
    new Response("service unavailable: shutting down\n", {
      status: 503,
      headers: { "connection": "close", "retry-after": "1" },
    });
  let begun = 0;
  // Deno: request bodies still arriving, each with how to read the rest of it now.
  const uploads = new Set<() => Promise<void>>();
  const tracker: _Tracker = {
    readBodies: () => Promise.all([...uploads].map((readAll) => readAll())).then(() => {}),
    counts,
    linked: false,
    get begun(): number {
      return begun;
    },
    closing: () => void (closing = true),
    cut(): void {
      counts.cut += counts.active;
      cut.abort(new Error("cut by the drain's timeout"));
    },
  };
  const finish = (response: R | Response): R => {
    // A 101 upgrade (Deno WebSocket) and Bun's `undefined` pass untouched.
    if (!(response instanceof Response) || response.status < 200) return response as R;
    return (closing ? _withClose(response) : response) as R;
  };
  async function wrapped(
    this: unknown,
    request: Request,
    ...rest: A
  ): Promise<R> {
    const completed = (rest[0] as { completed?: Promise<void> } | undefined)?.completed;
    counts.active++;
    if (closing) begun++;
    // Deno's shutdown() fails a body still arriving ("Cannot read body"): the
    // drain reads such bodies ahead before it stops the server.
    if (completed instanceof Promise && request.body !== null && !request.bodyUsed) {
      request = _readAhead(request, uploads);
    }
    let ended = false;
    const end = (ok: boolean): void => {
      if (ended) return;
      ended = true;
      counts.active--;
      if (ok && closing && !cut.signal.aborted) counts.served++;
    };
    try {
      const response = finish(
        await _raceCut(handler.apply(this, [request, ...rest]), cut.signal, cutResponse),
      );
      if (completed instanceof Promise) {
        // Deno tells when the response has gone out; until then it is in flight.
        completed.then(() => end(true), () => end(false));
        // Not `response.body`: read on the response itself, it makes Deno send
        // the body chunked once a header was changed (Connection: close).
        return response instanceof Response && response.status >= 200
          ? await (await (_body ??= import("./_drain_body.ts")))._cuttable(
            response,
            cut.signal,
          ) as R
          : response;
      }
      end(true);
      return response;
    } catch (error) {
      end(false);
      throw error;
    }
  }
  _TRACKERS.set(wrapped, tracker);
  return wrapped;
}

function _withClose(response: Response): Response {
  try {
    response.headers.set("connection", "close");
    return response;
  } catch {
    // Immutable headers (a fetched or redirect response): copy them.
    const headers = new Headers(response.headers);
    headers.set("connection", "close");
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
}

function _raceCut<T>(
  result: T | Promise<T>,
  signal: AbortSignal,
  fallback: () => Response,
): Promise<T | Response> | T | Response {
  if (!(result instanceof Promise)) return result;
  if (signal.aborted) return fallback();
  return new Promise((resolve, reject) => {
    const onCut = (): void => resolve(fallback());
    signal.addEventListener("abort", onCut, { once: true });
    result.then(resolve, reject).finally(() => signal.removeEventListener("abort", onCut));
  });
}

/**
 * The same request, with a body that can be read ahead of the handler: the
 * function added to `uploads` reads the rest of it now (kept for the handler).
 */
function _readAhead(request: Request, uploads: Set<() => Promise<void>>): Request {
  const reader = request.body!.getReader();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  // One read at a time, in order; resolves true once the body has ended.
  let chain = Promise.resolve(false);
  const readOne = (): Promise<boolean> =>
    chain = chain.then(async (ended) => {
      if (ended) return true;
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
        return done;
      } catch (error) {
        controller.error(error);
        return true;
      }
    }).catch(() => true); // closed or errored by then: nothing more to read
  const readAll = async (): Promise<void> => {
    while (!(await readOne()));
  };
  uploads.add(readAll);
  const body = new ReadableStream<Uint8Array>({
    start(c): void {
      controller = c;
    },
    async pull(): Promise<void> {
      if (await readOne()) uploads.delete(readAll);
    },
    cancel(reason): Promise<void> {
      uploads.delete(readAll);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return new Request(request, { body, duplex: "half" } as RequestInit);
}
