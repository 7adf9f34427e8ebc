// The part of Node's `process` (Node and Bun) the adapter uses, declared here
// so no @types/node is needed. Types only: importing it loads nothing.

/** A writable standard stream, as far as flushing goes. */
export interface _StdStream {
  write(text: string, callback?: () => void): unknown;
  end?(callback?: () => void): unknown;
  on?(event: "error", listener: (error: unknown) => void): unknown;
  readonly isTTY?: boolean;
}

/** The part of Node's `process` the adapter uses; declared here so no @types/node is needed. */
export interface _NodeProcess {
  readonly platform: string;
  readonly pid: number;
  exitCode?: number | string | null;
  readonly stderr: _StdStream;
  /** Read only at exit, and on Node only when a write is pending: making it costs. */
  readonly stdout?: _StdStream;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  prependOnceListener?(event: string, listener: (...args: unknown[]) => void): unknown;
  emit?(event: string, ...args: unknown[]): unknown;
  /** Ends the process without emitting `exit` again (Node and Bun have it, undocumented). */
  reallyExit?(code?: number): void;
  /** Node: the kinds of pending requests; a pending write shows as a `*WriteWrap`. */
  getActiveResourcesInfo?(): string[];
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  listenerCount(event: string): number;
  exit(code?: number): never;
  kill(pid: number, signal: string): unknown;
  /** Seconds and nanoseconds of a monotonic clock (absent in some stubs). */
  hrtime?: () => [number, number];
}
