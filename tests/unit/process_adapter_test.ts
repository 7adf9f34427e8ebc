// The Node and Bun adapter over a hand-made `process`: what it subscribes and
// unsubscribes, the events it delivers, how it ends the process, and the OS
// policy it hands the core. No real signal is sent and no process ends.

import assert from "node:assert/strict";
import { _processAdapter } from "../../src/runtime/_process_adapter.ts";
import type { StopEvent, StopEventListener } from "../../runtime.ts";
import { test } from "../_harness.ts";
import { exitedWith, StubProcess } from "./_stub_process.ts";

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `body` with `console.error` recorded instead of printed. */
function quietConsole(body: (printed: unknown[]) => void): void {
  const printed: unknown[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(...args);
  try {
    body(printed);
  } finally {
    console.error = original;
  }
}

for (const platform of ["linux", "win32"] as const) {
  test(`process adapter (${platform}): every subscription is undone`, () => {
    const proc = new StubProcess(platform);
    const adapter = _processAdapter("node", proc);
    const undo = [
      adapter.addStopListener(adapter.signals, () => {}),
      adapter.onNaturalEnd(() => false),
      adapter.onUncaught(() => true),
      adapter.onExit(() => {}),
    ];
    for (const signal of adapter.signals) assert.equal(proc.listenerCount(signal), 1, signal);
    for (const event of ["beforeExit", "uncaughtException", "unhandledRejection", "exit"]) {
      assert.equal(proc.listenerCount(event), 1, event);
    }
    assert.equal(proc.totalListeners, adapter.signals.length + 4);
    for (const unsubscribe of undo) unsubscribe();
    assert.equal(proc.totalListeners, 0);
  });
}

test("process adapter: the signals and policy of each platform", () => {
  const posix = _processAdapter("node", new StubProcess("linux"));
  assert.equal(posix.os, "posix");
  assert.deepEqual(posix.signals, ["SIGINT", "SIGTERM", "SIGQUIT", "SIGHUP"]);
  assert.equal(posix.policy.defaultBudgetMs, 89_500);
  assert.equal(posix.policy.canReraise, true);
  assert.equal(posix.policy.holdsConsoleEvents, false);
  const windows = _processAdapter("node", new StubProcess("win32"));
  assert.equal(windows.os, "windows");
  assert.deepEqual(windows.signals, ["SIGINT", "SIGBREAK", "SIGHUP"]);
  assert.equal(windows.policy.defaultBudgetMs, 4_500);
  assert.equal(windows.policy.canReraise, false);
  assert.equal(windows.policy.holdsConsoleEvents, true);
});

const delivered: [string, string, StopEvent][] = [
  ["linux", "SIGTERM", { kind: "signal", signal: "SIGTERM" }],
  ["linux", "SIGHUP", { kind: "signal", signal: "SIGHUP" }],
  ["win32", "SIGINT", { kind: "signal", signal: "SIGINT" }],
  ["win32", "SIGBREAK", { kind: "signal", signal: "SIGBREAK" }],
  ["win32", "SIGHUP", { kind: "console", event: "CTRL_CLOSE" }],
];

for (const [platform, signal, event] of delivered) {
  test(`process adapter (${platform}): ${signal} is delivered as ${JSON.stringify(event)}`, () => {
    const proc = new StubProcess(platform as "linux" | "win32");
    const adapter = _processAdapter("node", proc);
    const events: StopEvent[] = [];
    const unsubscribe = adapter.addStopListener(adapter.signals, (e) => void events.push(e));
    proc.emit(signal);
    unsubscribe();
    proc.emit(signal);
    assert.deepEqual(events, [event]);
  });
}

test("process adapter (linux): dieBy re-raises, and exits 128 + n if the signal did not end it", async () => {
  const proc = new StubProcess("linux");
  proc.exitThrows = false; // the fallback calls exit() from a timer
  const adapter = _processAdapter("node", proc);
  adapter.dieBy("SIGTERM");
  assert.deepEqual(proc.kills, [[4242, "SIGTERM"]]);
  assert.deepEqual(proc.exits, []);
  // The stub's kill ends nothing, as when another listener swallows the signal.
  await delay(700);
  assert.deepEqual(proc.exits, [143]);
});

test("process adapter (linux): with a listener of the program's own, dieBy exits 128 + n", () => {
  const proc = new StubProcess("linux");
  proc.on("SIGINT", () => {});
  const adapter = _processAdapter("node", proc);
  assert.throws(() => adapter.dieBy("SIGINT"), exitedWith(130));
  assert.deepEqual(proc.kills, []);
});

test("process adapter (win32): dieBy exits 128 + n, since Windows cannot re-raise", () => {
  const proc = new StubProcess("win32");
  const adapter = _processAdapter("node", proc);
  assert.throws(() => adapter.dieBy("SIGBREAK"), exitedWith(149));
  assert.throws(() => adapter.dieBy("SIGHUP"), exitedWith(129));
  assert.deepEqual(proc.kills, []);
});

for (
  const [event, kind] of [["uncaughtException", "exception"], ["unhandledRejection", "rejection"]]
) {
  test(`process adapter: an ${event} taken over by the listener is suppressed`, () => {
    const proc = new StubProcess("linux");
    const adapter = _processAdapter("node", proc);
    const seen: unknown[] = [];
    const unsubscribe = adapter.onUncaught((error, k) => (seen.push(error, k), true));
    const error = new Error("boom");
    quietConsole((printed) => {
      proc.emit(event, error);
      assert.deepEqual(printed, []);
    });
    unsubscribe();
    assert.deepEqual(seen, [error, kind]);
    assert.deepEqual(proc.exits, []);
  });

  test(`process adapter: an ${event} the listener declines crashes as the runtime would`, () => {
    const proc = new StubProcess("linux");
    const adapter = _processAdapter("node", proc);
    const unsubscribe = adapter.onUncaught(() => false);
    const error = new Error("boom");
    quietConsole((printed) => {
      assert.throws(() => proc.emit(event, error), exitedWith(1));
      assert.deepEqual(printed, [error]);
    });
    unsubscribe();
  });

  test(`process adapter: with a ${event} listener of the program's own it stays out`, () => {
    const proc = new StubProcess("linux");
    const theirs: unknown[] = [];
    proc.on(event, (error) => void theirs.push(error));
    const adapter = _processAdapter("node", proc);
    let called = false;
    const unsubscribe = adapter.onUncaught(() => called = true);
    const error = new Error("boom");
    proc.emit(event, error);
    unsubscribe();
    assert.equal(called, false);
    assert.deepEqual(theirs, [error]);
    assert.deepEqual(proc.exits, []);
  });
}

test("process adapter: exitCode reads what the program set, and setExitCode sets it", () => {
  const proc = new StubProcess("linux");
  const adapter = _processAdapter("node", proc);
  const readings: [number | string | null | undefined, number | undefined][] = [
    [undefined, undefined],
    [null, undefined],
    ["", undefined],
    [0, 0],
    [7, 7],
    ["3", 3],
  ];
  for (const [set, read] of readings) {
    proc.exitCode = set;
    assert.equal(adapter.exitCode(), read, `exitCode ${JSON.stringify(set)}`);
  }
  adapter.setExitCode(5);
  assert.equal(proc.exitCode, 5);
  assert.throws(() => adapter.exit(2), exitedWith(2));
});

test("process adapter: the natural end reaches the listener a task later, until it is over", async () => {
  const proc = new StubProcess("linux");
  proc.exitThrows = false;
  const adapter = _processAdapter("node", proc);
  let calls = 0;
  const unsubscribe = adapter.onNaturalEnd(() => (calls++, false));
  proc.emit("beforeExit");
  assert.equal(calls, 0, "not in the same task");
  await delay(0);
  assert.equal(calls, 1);
  proc.emit("beforeExit"); // it did not take the end: later ends are not its business
  await delay(0);
  assert.equal(calls, 1);
  assert.deepEqual(proc.exits, []);
  unsubscribe();
  assert.equal(proc.totalListeners, 0);
});

test("process adapter: once the listener took the natural end, the next end exits", async () => {
  const proc = new StubProcess("linux");
  proc.exitThrows = false;
  const adapter = _processAdapter("node", proc);
  let calls = 0;
  const unsubscribe = adapter.onNaturalEnd(() => (calls++, true));
  proc.emit("beforeExit");
  await delay(0);
  assert.equal(calls, 1);
  unsubscribe(); // the shutdown is over; its hooks' work ran
  proc.emit("beforeExit"); // the loop ran dry again: exit, so other listeners run once
  assert.deepEqual(proc.exits, [undefined]);
  assert.equal(calls, 1);
});

test("process adapter: exit listeners, stderr and its terminal flag", () => {
  const proc = new StubProcess("linux");
  const adapter = _processAdapter("node", proc);
  let exits = 0;
  const unsubscribe = adapter.onExit(() => void exits++);
  proc.emit("exit");
  unsubscribe();
  proc.emit("exit");
  assert.equal(exits, 1);
  adapter.writeStderr("line\n");
  assert.deepEqual(proc.written, ["line\n"]);
  assert.equal(adapter.stderrIsTerminal(), false);
  assert.equal(adapter.name, "node");
  assert.equal(adapter.processWide, true);
});

test("process adapter: timers run and can be cancelled", async () => {
  const adapter = _processAdapter("node", new StubProcess("linux"));
  const fired: string[] = [];
  adapter.setTimer(() => fired.push("kept"), 1);
  const cancelled = adapter.setTimer(() => fired.push("cancelled"), 1);
  adapter.clearTimer(cancelled);
  await delay(20);
  assert.deepEqual(fired, ["kept"]);
});

test("process adapter (win32): the console handler loads there, after the signals, and is undone", async () => {
  const proc = new StubProcess("win32");
  const installed: StopEventListener[] = [];
  let uninstalled = 0;
  const adapter = _processAdapter("bun", proc, () =>
    Promise.resolve((listener) => {
      installed.push(listener);
      return () => void uninstalled++;
    }));
  const listener: StopEventListener = () => {};
  const unsubscribe = adapter.addStopListener(adapter.signals, listener);
  await delay(0);
  assert.deepEqual(installed, [listener]);
  unsubscribe();
  assert.equal(uninstalled, 1);
  assert.equal(proc.totalListeners, 0);
  // Unsubscribed before the handler loaded: it is never installed.
  adapter.addStopListener(adapter.signals, listener)();
  await delay(0);
  assert.equal(installed.length, 1);
});

test("process adapter (linux): no console handler is loaded", async () => {
  let loads = 0;
  const adapter = _processAdapter("bun", new StubProcess("linux"), () => {
    loads++;
    return Promise.resolve(() => undefined);
  });
  adapter.addStopListener(adapter.signals, () => {})();
  await delay(0);
  assert.equal(loads, 0);
});
