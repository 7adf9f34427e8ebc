// Makes a response's body cuttable for drainable() on Deno, whose server object
// cannot end a live connection. Passing every body through a stream of our own
// costs several times the work of a hello-world response, so a body that is
// already complete (a string, bytes, or a stream whose chunks are all queued)
// is collected and sent as bytes, which Deno sends at once; only a body still
// being produced goes through the cuttable stream.

const _PENDING: unique symbol = Symbol("pending");
type _Read = ReadableStreamReadResult<Uint8Array>;

/** `promise`'s value if it settles within a few microtasks, else `_PENDING`. */
function _settled(promise: Promise<_Read>): Promise<_Read | typeof _PENDING> {
  // Deno's stream of a string body gives its chunk one microtask after read().
  const soon = Promise.resolve().then().then((): typeof _PENDING => _PENDING);
  return Promise.race([promise, soon]);
}

/**
 * The same response, with a body that errors when `signal` aborts, or with the
 * body's bytes when they are all there already.
 */
export async function _cuttable(response: Response, signal: AbortSignal): Promise<Response> {
  const init = {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  };
  const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const queued: Uint8Array[] = [];
  let next = reader.read();
  let read = await _settled(next);
  // Up to 8 queued chunks: a body that is complete by then needs no cutting.
  while (read !== _PENDING && !read.done && queued.length < 8) {
    queued.push(read.value);
    next = reader.read();
    read = await _settled(next);
  }
  if (read !== _PENDING && read.done) {
    reader.releaseLock();
    return new Response(
      (queued.length === 1 ? queued[0] : _concat(queued)) as Uint8Array<ArrayBuffer>,
      init,
    );
  }
  if (read !== _PENDING) {
    queued.push(read.value);
    next = reader.read();
  }
  return new Response(_stream(reader, queued, next, signal), init);
}

/** A stream that gives `queued`, then `next`, then the rest of `reader`, until `signal` aborts. */
function _stream(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  queued: Uint8Array[],
  next: Promise<_Read>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  let onCut: (() => void) | undefined;
  let pending: Promise<_Read> | undefined = next;
  return new ReadableStream<Uint8Array>({
    start(controller): void {
      for (const chunk of queued) controller.enqueue(chunk);
      onCut = () => {
        controller.error(signal.reason);
        reader.cancel(signal.reason).catch(() => {});
      };
      if (signal.aborted) onCut();
      else signal.addEventListener("abort", onCut, { once: true });
    },
    async pull(controller): Promise<void> {
      const { done, value } = await (pending ?? reader.read());
      pending = undefined;
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

function _concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}
