// The HTTP/2 side of a node:http2 secure server's drain (Fastify's `http2:
// true`): its sessions and streams. HTTP/2 has no `Connection: close`; a
// session is told to stop with GOAWAY (`session.close()`), which refuses new
// streams (the client may retry them elsewhere) and lets open ones finish; at
// the cut, `session.destroy()` ends what is left. HTTP/1.1 requests the server
// answers too (`allowHTTP1`) are drained by the node:http code.

import type { _DrainCounts } from "./_drain_types.ts";

/** NGHTTP2_CANCEL, the code of a stream cut by the drain. */
const _CANCEL = 8;

/** The parts of an HTTP/2 session this file uses. */
interface _Session {
  close(): void;
  goaway?(code?: number): void;
  destroy(): void;
  readonly closed?: boolean;
  once(event: "close", listener: () => void): unknown;
}

/** The parts of an HTTP/2 stream this file uses. */
interface _Stream {
  readonly rstCode?: number;
  once(event: "close", listener: () => void): unknown;
}

/** The parts of an HTTP/2 server this file uses. */
export interface _Http2Server {
  on(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}

/** One HTTP/2 server's sessions and streams, followed from the call on. */
export interface _Http2Part {
  /** Sessions still open. */
  readonly open: number;
  /** GOAWAY to every session: no new stream, open ones finish. */
  stop(): void;
  /** Destroys every session; counts the streams it cuts. */
  cut(): void;
  dispose(): void;
}

/** Whether `server` is a node:http2 server (it has `updateSettings()`). */
export function _isHttp2(server: object): boolean {
  return typeof (server as { updateSettings?: unknown }).updateSettings === "function";
}

/**
 * Follows `server`'s HTTP/2 sessions and streams; `changed` runs when a
 * session closes (the drain may be over).
 */
export function _http2Part(
  server: _Http2Server,
  counts: _DrainCounts,
  closing: () => boolean,
  changed: () => void,
  early?: { readonly sessions: ReadonlySet<unknown>; readonly streams: ReadonlySet<unknown> },
): _Http2Part {
  const sessions = new Set<_Session>();
  // Open streams, for the count of a cut.
  const streams = new Set<_Stream>();
  let stopping = false;
  const onSession = (session: _Session): void => {
    sessions.add(session);
    session.once("close", () => {
      sessions.delete(session);
      changed();
    });
    // Its handshake ended after the stop: GOAWAY at once; the client may
    // retry its requests elsewhere, as no stream of it was begun.
    if (stopping) session.close();
  };
  const onStream = (stream: _Stream): void => {
    streams.add(stream);
    counts.active++;
    stream.once("close", () => {
      if (!streams.delete(stream)) return;
      counts.active--;
      // NO_ERROR: the response went out to its end.
      if (closing() && (stream.rstCode ?? 0) === 0) counts.served++;
    });
  };
  server.on("session", onSession);
  server.on("stream", onStream);
  // Opened before this code loaded, still open: followed from here on.
  for (const session of early?.sessions ?? []) onSession(session as _Session);
  for (const stream of early?.streams ?? []) onStream(stream as _Stream);
  return {
    get open(): number {
      return sessions.size;
    },
    stop(): void {
      stopping = true;
      for (const session of sessions) session.close();
    },
    cut(): void {
      counts.cut += streams.size;
      counts.active -= streams.size;
      streams.clear();
      for (const session of sessions) {
        // GOAWAY with CANCEL first: the client sees its streams reset, not
        // responses that look complete (destroy() alone ends them cleanly).
        try {
          session.goaway?.(_CANCEL);
        } catch {
          // Already going away: destroy() is enough.
        }
        session.destroy();
      }
    },
    dispose(): void {
      server.removeListener("session", onSession);
      server.removeListener("stream", onStream);
    },
  };
}
