// The worker side of `attach()`: inside a worker the process-wide `shutdown`
// runs on this adapter. It never listens to real signals (a Deno worker's
// signal listener would receive the process's signals and switch off their
// default action); its stop events come from the parent, and where the main
// thread would end the process it tells the parent "done" instead, which then
// terminates the worker. What holds the worker's shutdown back is reported to
// the parent, which holds the process's shutdown for as long.

import type {
  RuntimeAdapter,
  StopEvent,
  StopEventListener,
  Unsubscribe,
} from "../../runtime_adapter.ts";
import { _osPolicy } from "../../_os_policy.ts";
import { type _FromWorker, _isHandshake, type _ToWorker } from "../../_attach_protocol.ts";

/** Where the handshake arrives: the worker's global scope, or `parentPort`. */
export type _WorkerChannel = "web" | "port";

/** The part of an event target (a worker's global scope, `parentPort`) used here. */
interface _Target {
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  ref?(): void;
  unref?(): void;
  listenerCount?(type: string): number;
}

interface _Globals {
  Deno?: { build: { os: string } };
  process?: {
    platform: string;
    getBuiltinModule?(id: string): { parentPort?: _Target | null } | undefined;
  };
}

const _g = globalThis as unknown as _Globals & _Target;

let _port: MessagePort | undefined;
let _listener: StopEventListener | undefined;
let _stopped: StopEvent | undefined;
let _done = false;
let _holding = false;
let _latest: () => number = () => -Infinity;
let _queued = false;
let _sent = "";

/**
 * Takes the parent's handshake out of the worker's channel before any handler
 * of the program's sees it. Installed while the library is imported, so it
 * comes first; it does not keep the worker alive.
 */
export function _catchHandshake(channel: _WorkerChannel): void {
  const target = channel === "web"
    ? _g
    : _g.process?.getBuiltinModule?.("node:worker_threads")?.parentPort ?? undefined;
  if (target === undefined || target === null) return;
  const onMessage = (event: MessageEvent): void => {
    if (!_isHandshake(event.data)) return;
    event.stopImmediatePropagation();
    target.removeEventListener("message", onMessage);
    // Our listener was the one that kept `parentPort` referenced, so the
    // program's own listeners added after ours did not: give them that back.
    if ((target.listenerCount?.("message") ?? 0) > 0) target.ref?.();
    _connect(event.data.port);
  };
  target.addEventListener("message", onMessage);
  target.unref?.();
}

function _connect(port: MessagePort): void {
  _port = port;
  port.onmessage = (event: MessageEvent<_ToWorker>) => {
    if (event.data?.type === "stop") _stop(event.data.event);
  };
  (port as { unref?(): void }).unref?.();
  _sent = "";
  _flush();
  if (_done) _post({ type: "done" });
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

function _finish(): void {
  if (_done) return;
  _done = true;
  _post({ type: "done" });
}

function _post(message: _FromWorker): void {
  _port?.postMessage(message);
}

function _flush(): void {
  _queued = false;
  if (_port === undefined) return;
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
  return {
    name: "worker",
    os,
    policy: _osPolicy(os),
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
    exit: _finish,
    dieBy: _finish,
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
