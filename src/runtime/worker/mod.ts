// The worker side of `attach()`: inside a worker the process-wide `shutdown`
// runs on this adapter. It never listens to real signals (a Deno worker's
// signal listener would receive the process's signals and switch off their
// default action); its stop events come from the parent, and where the main
// thread would end the process it tells the parent "done" instead, which then
// terminates the worker. What holds the worker's shutdown back is reported to
// the parent, which holds the process's shutdown for as long.

import type {
  OsPolicy,
  RuntimeAdapter,
  StopEvent,
  StopEventListener,
  Unsubscribe,
} from "../../core/runtime_adapter.ts";
import { _osPolicy } from "../../core/_platform.ts";
import {
  type _FromWorker,
  _HANDSHAKE_KEY,
  _MEETING,
  type _Meeting,
  type _ToWorker,
  type _WorkerId,
} from "../../workers/_attach_protocol.ts";
import { _filterWebWorkers } from "../../workers/_worker_handle.ts";

/** How the worker talks to its parent: the global scope (Deno Web Worker), or `parentPort`. */
export type _WorkerChannel = "web" | "port";

interface _Sender {
  postMessage(message: unknown, transfer: Transferable[]): void;
}

interface _WorkerThreads {
  parentPort?: _Sender | null;
  threadId?: number;
  BroadcastChannel?: typeof BroadcastChannel;
  receiveMessageOnPort?(port: MessagePort): { message: unknown } | undefined;
}

interface _Globals {
  Deno?: { build: { os: string }; unrefTimer?(id: number): void; refTimer?(id: number): void };
  process?: {
    platform: string;
    getBuiltinModule?(id: string): _WorkerThreads | undefined;
  };
  postMessage?(message: unknown, transfer: Transferable[]): void;
  close?(): void;
}

const _g = globalThis as unknown as _Globals;

/**
 * How long a worker listens for attach() once the library loaded where no
 * BroadcastChannel can be unref'd (none of the runtimes supported today): a
 * worker that would end sooner on its own may live this much longer. 1 s was
 * too short for 32 workers starting at once on 2 cores.
 */
const _LISTEN_MS = 10_000;

/**
 * How long after its `hello` a Deno Web Worker's `self.close()` may wait for
 * attach()'s welcome (Deno runs nothing after close(), so the welcome could
 * not be read): the thread blocks at most this long, and only then. It says
 * `hello` again every `_CLOSE_RETRY_MS` meanwhile: a parent still in its
 * first turn opens its end of the channel after the first one (2 runs in 18
 * under load lost it with a single `hello` and a 250 ms wait).
 */
const _CLOSE_WAIT_MS = 500;
const _CLOSE_RETRY_MS = 50;

let _port: MessagePort | undefined;
let _listener: StopEventListener | undefined;
let _stopped: StopEvent | undefined;
let _done = false;
let _holding = false;
let _latest: () => number = () => -Infinity;
let _queued = false;
let _sent = "";
/** The attaching controller's budget, which the worker's own follows. */
let _budgetMs: number | undefined;
/** The exit code of a shutdown the worker requested itself. */
let _code: number | undefined;
/** Until connected: the meeting channel and this worker's id there. */
let _meeting: BroadcastChannel | undefined;
let _id: _WorkerId = null;

/**
 * Says `hello` on the meeting channel when the library loads in a worker, and
 * listens for attach()'s `welcome`. Nothing is sent on, or listened to from,
 * the worker's own channel, and nothing here keeps the worker alive: the
 * channel is unref'd (on Deno the global BroadcastChannel has no `unref()`,
 * but `node:worker_threads`' subclass of it has, on the same channels; a
 * Deno Web Worker lives until it is ended anyway).
 */
export function _announce(channel: _WorkerChannel): void {
  if (typeof BroadcastChannel !== "function") return;
  // Its own Web Workers may be welcomed by an attach() elsewhere in the process.
  _filterWebWorkers();
  const threads = channel === "port"
    ? _g.process?.getBuiltinModule?.("node:worker_threads")
    : undefined;
  const id: _WorkerId = channel === "web" ? null : threads?.threadId ?? null;
  const send = channel === "web"
    ? (message: unknown, transfer: Transferable[]) => _g.postMessage?.(message, transfer)
    : (message: unknown, transfer: Transferable[]) =>
      threads?.parentPort?.postMessage(message, transfer);
  const meeting = _meetingChannel();
  const unref = (meeting as { unref?(): void }).unref;
  _meeting = meeting;
  _id = id;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const leave = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    meeting.close();
    if (_meeting === meeting) _meeting = undefined;
  };
  meeting.onmessage = (event: MessageEvent<_Meeting>) => {
    const data = event.data;
    if (data?.type !== "welcome" || data.id !== id || _port !== undefined) return;
    leave();
    _connect(send);
  };
  if (unref === undefined && channel === "port") {
    timer = setTimeout(leave, _LISTEN_MS);
    if (typeof timer === "number") _g.Deno?.unrefTimer?.(timer);
    else (timer as { unref?(): void }).unref?.();
  }
  // A Deno Web Worker's `self.close()` tells its parent nothing: say it.
  const web = channel === "web" && typeof _g.close === "function";
  const flag = web && typeof SharedArrayBuffer === "function"
    ? new Int32Array(new SharedArrayBuffer(4))
    : undefined;
  const hello: _Meeting = { type: "hello", id, flag: flag?.buffer as SharedArrayBuffer };
  meeting.postMessage(hello);
  if (!web) return;
  const close = _g.close!;
  const saidAt = performance.now();
  _g.close = function (this: unknown): void {
    // Not connected: attach() may have welcomed it already, or be about to.
    if (_port === undefined && flag !== undefined && _meeting === meeting) {
      const left = (): number => _CLOSE_WAIT_MS - (performance.now() - saidAt);
      try {
        while (Atomics.load(flag, 0) === 0 && left() > 0) {
          meeting.postMessage(hello);
          Atomics.wait(flag, 0, 0, Math.min(left(), _CLOSE_RETRY_MS));
        }
      } catch {
        // A thread that may not block: close as before.
      }
      if (Atomics.load(flag, 0) === 1) {
        leave();
        _connect(send);
      }
    }
    _post({ type: "ended" });
    close.call(this);
  };
}

/**
 * Opens the meeting channel, unref'd where it can be: Deno's global
 * BroadcastChannel has no `unref()` (it would keep a worker, or a program
 * whose attached worker is unref()'d, alive), but `node:worker_threads`'
 * subclass of it has, on the same channels. Used by both ends.
 */
export function _meetingChannel(): BroadcastChannel {
  let Channel = BroadcastChannel;
  if (typeof (Channel.prototype as { unref?: unknown }).unref !== "function") {
    const threads = _g.process?.getBuiltinModule?.("node:worker_threads");
    Channel = threads?.BroadcastChannel ?? Channel;
  }
  const channel = new Channel(_MEETING);
  (channel as { unref?(): void }).unref?.();
  return channel;
}

/** How the parent listens on a worker's port: `ref()` keeps the process alive for it. */
export interface _PortListener {
  ref(): void;
  /** Reads what has arrived, now (a worker's last words, before its end is handled). */
  drain(): void;
  close(): void;
}

/** Deno's ports read by polling, and the one timer that polls them. */
const _polled = new Map<MessagePort, { onMessage(data: unknown): void; ref: boolean }>();
let _pollTimer: number | undefined;
/** How often Deno's ports are read: a worker's answers wait this long at most. */
const _POLL_MS = 25;

type _Read = (port: MessagePort) => { message: unknown } | undefined;

function _pollOne(port: MessagePort, read: _Read): void {
  const entry = _polled.get(port);
  if (entry === undefined) return;
  for (let next = read(port); next !== undefined; next = read(port)) {
    entry.onMessage(next.message);
    if (!_polled.has(port)) break;
  }
}

function _poll(read: _Read): void {
  for (const port of [..._polled.keys()]) _pollOne(port, read);
}

function _pollRefs(): void {
  const deno = _g.Deno;
  if (_pollTimer === undefined || deno === undefined) return;
  const ref = [..._polled.values()].some((entry) => entry.ref);
  if (ref) deno.refTimer?.(_pollTimer);
  else deno.unrefTimer?.(_pollTimer);
}

/**
 * Listens on the port a worker sent, without keeping the process alive
 * until `ref()`. Deno: a MessagePort with `onmessage` that was unref'd keeps
 * the process alive for good once a message has arrived (Deno 2.9.6), so an
 * unref()'d attached worker would hold the program from its natural end; its
 * ports are read with `receiveMessageOnPort` from one unref'd timer instead.
 */
export function _listenPort(
  port: MessagePort,
  onMessage: (data: unknown) => void,
): _PortListener {
  const deno = _g.Deno;
  const read = _g.process?.getBuiltinModule?.("node:worker_threads")?.receiveMessageOnPort;
  if (deno === undefined || read === undefined) {
    port.onmessage = (event: MessageEvent) => onMessage(event.data);
    (port as { unref?(): void }).unref?.();
    return {
      ref: () => (port as { ref?(): void }).ref?.(),
      // At the worker's end: what it said last is read now, not at the next turn.
      drain(): void {
        try {
          for (let next = read?.(port); next !== undefined; next = read?.(port)) {
            onMessage(next.message);
          }
        } catch {
          // A port this runtime cannot read synchronously: its events still come.
        }
      },
      close: () => port.close(),
    };
  }
  const entry = { onMessage, ref: false };
  _polled.set(port, entry);
  if (_pollTimer === undefined) {
    _pollTimer = setInterval(() => _poll(read), _POLL_MS) as unknown as number;
  }
  _pollRefs();
  return {
    ref(): void {
      entry.ref = true;
      _pollRefs();
    },
    drain: () => _pollOne(port, read),
    close(): void {
      port.close();
      if (!_polled.delete(port)) return;
      if (_polled.size === 0 && _pollTimer !== undefined) {
        clearInterval(_pollTimer);
        _pollTimer = undefined;
      } else _pollRefs();
    },
  };
}

/** Sends the parent the port for everything else, on the worker's own channel. */
function _connect(send: (message: unknown, transfer: Transferable[]) => void): void {
  const channel = new MessageChannel();
  const port = channel.port1;
  port.onmessage = (event: MessageEvent<_ToWorker>) => {
    const data = event.data;
    if (data?.type === "options") _budgetMs = data.budgetMs;
    else if (data?.type === "stop") {
      _budgetMs = data.budgetMs;
      _stop(data.event);
    }
  };
  (port as { unref?(): void }).unref?.();
  try {
    send({ [_HANDSHAKE_KEY]: 1, port: channel.port2 }, [channel.port2]);
  } catch {
    port.close();
    return;
  }
  _port = port;
  _sent = "";
  _queued = false;
  _flush();
  if (_done) _post(_doneMessage());
}

function _stop(event: StopEvent): void {
  if (_stopped !== undefined) return;
  _stopped = event;
  // The parent waits for an answer: send the state even when unchanged.
  _sent = "";
  if (!_queued) {
    _queued = true;
    queueMicrotask(_flush);
  }
  // Nothing of the library was used in this worker: nothing to wait for.
  if (_listener === undefined) _finish();
  else void _listener(event);
}

function _finish(code = 0): void {
  if (_done) return;
  _done = true;
  // Not asked by the parent: the worker's own request(), which stops the process.
  _code = _stopped === undefined ? code : undefined;
  _post(_doneMessage());
}

/** The worker's shutdown is over: on its own request (with its exit code), or the parent's. */
function _doneMessage(): _FromWorker {
  return _code === undefined ? { type: "done" } : { type: "done", requested: _code };
}

function _post(message: _FromWorker): void {
  if (_port !== undefined) _port.postMessage(message);
  else if (message.type === "done" && _meeting !== undefined) {
    // Not welcomed yet, and the worker may end before it is: say it where the
    // parent already listens (_connect says it again once connected).
    const done: _Meeting = { type: "done", id: _id, requested: message.requested };
    _meeting.postMessage(done);
  }
}

function _flush(): void {
  _queued = false;
  if (_port === undefined) {
    // Not connected yet: say it on the meeting channel (a changed state only).
    const key = `${_holding}`;
    if (_meeting === undefined || key === _sent) return;
    _sent = key;
    const message: _Meeting = { type: "hold", id: _id, holding: _holding };
    _meeting.postMessage(message);
    return;
  }
  let remainingMs: number | null = null;
  if (_holding) {
    const latest = _latest();
    if (Number.isFinite(latest)) remainingMs = Math.max(0, Math.ceil(latest - performance.now()));
  }
  const key = `${_holding} ${remainingMs}`;
  if (key === _sent) return;
  _sent = key;
  _post({ type: "hold", holding: _holding, remainingMs });
}

/**
 * The adapter for the process-wide `shutdown` inside a worker. Used by
 * `detectRuntime()` in a worker; `attach()` in the parent connects it.
 */
export function _workerRuntime(): RuntimeAdapter {
  const proc = _g.process;
  const windows = _g.Deno ? _g.Deno.build.os === "windows" : proc?.platform === "win32";
  const os = windows ? "windows" : "posix";
  const none: Unsubscribe = () => {};
  const base = _osPolicy(os);
  // The attaching controller's budget, once attach() said it.
  const policy: OsPolicy = {
    get defaultBudgetMs(): number {
      return _budgetMs ?? base.defaultBudgetMs;
    },
    canReraise: base.canReraise,
    holdsConsoleEvents: base.holdsConsoleEvents,
    holdMarginMs: base.holdMarginMs,
  };
  return {
    name: "worker",
    os,
    policy,
    processWide: true,
    signals: [],
    now: () => performance.now(),
    setTimer: (callback, ms) => setTimeout(callback, ms),
    clearTimer: (handle) => clearTimeout(handle as number),
    addStopListener(_signals, listener: StopEventListener): Unsubscribe {
      _listener = listener;
      if (_stopped !== undefined) void listener(_stopped);
      return () => {
        if (_listener === listener) _listener = undefined;
      };
    },
    // The worker's end, its crash and its exit() are the parent's to see
    // (attach() watches the worker): the runtime's behaviour stays untouched.
    onNaturalEnd: () => none,
    onUncaught: () => none,
    onExit: () => none,
    exitCode: () => undefined,
    setExitCode: () => {},
    exit: (code) => _finish(code),
    dieBy: () => _finish(0),
    printUncaught: (error) => console.error(error),
    writeStderr: (text) => console.error(text.replace(/\n$/, "")),
    stderrIsTerminal: () => false,
    holdersChanged(holding: boolean, latestDeadlineMs: () => number): void {
      _holding = holding;
      _latest = latestDeadlineMs;
      if (_queued) return;
      _queued = true;
      queueMicrotask(_flush);
    },
  };
}
