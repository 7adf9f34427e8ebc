// Makes a response's body cuttable for drainable() on Deno, whose server object
// cannot end a live connection. Passing every body through a stream of our own
// costs more than the rest of a hello-world response, and takes a string or
// bytes body off Deno's fast path, so the body is first looked at through a
// clone: one that is complete already (a string, bytes, JSON, a stream whose
// chunks are all queued) goes out untouched; only a body still being produced
// goes through the cuttable stream.

const _PENDING: unique symbol = Symbol("pending");
type _Read = ReadableStreamReadResult<Uint8Array>;

/** `promise`'s value if it settles within a few microtasks, else `_PENDING`. */
function _settled(promise: Promise<_Read>): Promise<_Read | typeof _PENDING> {
  // Deno's stream of a string body gives its chunk one microtask after read().
  const soon = Promise.resolve().then().then((): typeof _PENDING => _PENDING);
  return Promise.race([promise, soon]);
}

/**
 * The same response when its body is complete already, else one whose body
 * errors when `signal` aborts.
 */
export async function _cuttable(response: Response, signal: AbortSignal): Promise<Response> {
  // Look at a copy: for a string or bytes body that is cheap and leaves the
  // response on Deno's fast path (and its Content-Length).
  const copy = response.clone().body;
  if (copy === null) return response;
  const reader = copy.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  let chunks = 0;
  let read = await _settled(reader.read());
  while (read !== _PENDING && !read.done && ++chunks < 8) read = await _settled(reader.read());
  if (read !== _PENDING && read.done) return response;
  reader.cancel().catch(() => {});
  const init = {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  };
  return new Response(_stream(response.body!.getReader(), signal), init);
}

/** A stream that gives what `reader` gives, until `signal` aborts. */
function _stream(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  let onCut: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller): void {
      onCut = () => {
        // Deno prints what a body errors with: one line, not a stack.
        controller.error("response cut by drain() at its timeout");
        reader.cancel(signal.reason).catch(() => {});
      };
      if (signal.aborted) onCut();
      else signal.addEventListener("abort", onCut, { once: true });
    },
    async pull(controller): Promise<void> {
      const { done, value } = await reader.read();
      if (done) {
        signal.removeEventListener("abort", onCut!);
        controller.close();
      } else controller.enqueue(value);
    },
    cancel(reason): Promise<void> {
      signal.removeEventListener("abort", onCut!);
      return reader.cancel(reason);
    },
  });
}
