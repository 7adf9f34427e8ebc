// The watchdog thread's code, run as a string (`eval: true`) so nothing has
// to be resolved at run time. It is message-driven: the main thread posts the
// deadline when it is armed and each step's name once; the running step's
// index and the controller's state are read from shared memory (the main
// thread only stores an integer per step). When the deadline plus the grace
// passes and the main thread has not asked for the exit, it ends the process:
// - Bun, and Deno with FFI allowed: libc `signal(n, SIG_DFL)` then
//   `kill(getpid(), n)` from this thread: death by the signal; `_exit(code)`
//   if that did not end it (PID 1 ignores default-action signals).
// - Node: an inspector session runs the main thread's end function as an
//   interrupt of the stuck code (see _watchdog_start.ts); a main thread in a
//   native call (execSync, a sync addon) never takes the interrupt, so 250 ms
//   later this thread sends SIGKILL to the process (status 137, said on stderr).
// - Deno without FFI permission: SIGKILL, and the line says so.
// Before ending the process it SIGKILLs the children adopt() holds and the
// process groups they lead, so none outlives it.
// On Deno only, a signal listener here sees stop signals while the main
// thread is stuck (Node and Bun deliver signals to the main thread alone).

/** The code of the watchdog thread. */
export const _WATCHDOG_WORKER_SOURCE = `"use strict";
const { parentPort, workerData } = require("node:worker_threads");
const fs = require("node:fs");
const { cells, graceMs, maxAttempts, budgetMs, signals, runtime } = workerData;
const NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };
const names = [];
const children = new Map(); // pid: whether it leads a group of its own
let timer;
let end;
let open = [];
let seen = 0;
const now = () => performance.timeOrigin + performance.now();

parentPort.on("message", (message) => {
  if (message.type === "name") names[message.index] = message.name;
  else if (message.type === "child") children.set(message.pid, message.group);
  else if (message.type === "child-gone") children.delete(message.pid);
  else if (message.type === "armed") {
    end = message.end;
    open = message.open;
    arm(message.atMs - now() + graceMs, "deadline");
  }
});

function arm(ms, why) {
  clearTimeout(timer);
  timer = setTimeout(() => fire(why), Math.max(0, Math.min(ms, 2147483647)));
}

function fire(why) {
  const state = Atomics.load(cells, 0);
  if (state === 3) return; // the main thread asked for the exit itself
  if (why === "attempts" && state === 2) return; // it saw the force: its own exit follows
  const step = Atomics.load(cells, 1);
  const what = step >= 0
    ? "hook " + JSON.stringify(names[step] ?? "#" + step) + " was running"
    : open.length > 0
    ? "no hook was running; open scopes: " + open.join(", ")
    : "no hook was running (synchronous code outside the hooks)";
  const how = end.signal !== undefined ? "by " + end.signal : "with code " + end.code;
  const at = why === "deadline" ? "the shutdown deadline passed" : maxAttempts + " stop signals came";
  const line = "graceful-shutdown watchdog: the main thread is stuck (" + what + "); " + at +
    ": ending the process " + how + "\\n";
  finish(line);
}

function libc(open) {
  for (const name of ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1", "libc.dylib", "/usr/lib/libSystem.B.dylib"]) {
    try {
      return open(name);
    } catch {}
  }
  return undefined;
}

function write(line) {
  try {
    fs.writeSync(2, line);
  } catch {}
}

function kill(pid, signal) {
  try {
    if (runtime === "deno") Deno.kill(pid, signal);
    else process.kill(pid, signal);
  } catch {}
}

function killChildren() {
  for (const [pid, group] of children) {
    if (group) kill(-pid, "SIGKILL");
    kill(pid, "SIGKILL");
  }
  children.clear();
}

function finish(line) {
  const n = end.signal !== undefined ? NUMBERS[end.signal] : 0;
  write(line);
  killChildren();
  if (runtime === "node") {
    const inspector = require("node:inspector");
    const session = new inspector.Session();
    session.connectToMainThread();
    const call = "globalThis[Symbol.for('@graceful/shutdown/watchdog-end')](" +
      JSON.stringify(end.signal) + ", " + end.code + ")";
    session.post("Runtime.evaluate", { expression: call });
    // A main thread in a native call never runs the interrupt.
    setTimeout(() => {
      write("graceful-shutdown watchdog: the main thread is in a native call and cannot be " +
        "interrupted: SIGKILL instead (status 137)\\n");
      process.kill(process.pid, "SIGKILL");
    }, 250);
    return;
  }
  let lib;
  if (runtime === "bun") {
    const { dlopen } = require("bun:ffi");
    lib = libc((name) => dlopen(name, {
      signal: { args: ["i32", "usize"], returns: "usize" },
      kill: { args: ["i32", "i32"], returns: "i32" },
      getpid: { args: [], returns: "i32" },
      _exit: { args: ["i32"], returns: "void" },
    }));
  } else if (Deno.permissions.querySync({ name: "ffi" }).state === "granted") {
    lib = libc((name) => Deno.dlopen(name, {
      signal: { parameters: ["i32", "usize"], result: "usize" },
      kill: { parameters: ["i32", "i32"], result: "i32" },
      getpid: { parameters: [], result: "i32" },
      _exit: { parameters: ["i32"], result: "void" },
    }));
  }
  if (lib === undefined) {
    write("graceful-shutdown watchdog: no FFI here: SIGKILL instead (status 137)\\n");
    (runtime === "deno" ? Deno : process).kill(runtime === "deno" ? Deno.pid : process.pid, "SIGKILL");
    return;
  }
  const s = lib.symbols;
  if (n > 0) {
    s.signal(n, runtime === "bun" ? 0 : 0n);
    s.kill(s.getpid(), n);
  }
  s._exit(end.code);
}

// Deno: signals reach this thread too, so a stuck main thread is noticed.
if (runtime === "deno") {
  for (const signal of signals) {
    if (signal === "SIGHUP" || NUMBERS[signal] === undefined) continue;
    Deno.addSignalListener(signal, () => {
      seen++;
      if (seen === 1) {
        setTimeout(() => {
          // The main thread never began the shutdown: it is stuck. Count from now.
          if (Atomics.load(cells, 0) !== 0 || end !== undefined) return;
          end = { signal, code: 128 + NUMBERS[signal] };
          arm(budgetMs - graceMs, "deadline");
        }, graceMs);
      }
      if (seen >= maxAttempts) {
        end ??= { signal, code: 128 + NUMBERS[signal] };
        arm(graceMs, "attempts");
      }
    });
  }
}
`;
