// adopt() against fake children and a fake runtime: bad input, the order of
// signals, the synchronous kill at exit(), the safety net at a forced end.
import assert from "node:assert/strict";
import { adopt, type AdoptableChild, ShutdownController } from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";
import { test } from "../_harness.ts";

/** A node:child_process child as far as adopt() sees it. */
class FakeNodeChild {
  pid: number | undefined = 4242;
  exitCode: number | null = null;
  signalCode: string | null = null;
  killed = false;
  readonly sent: string[] = [];
  readonly listeners = new Set<() => void>();
  /** Deno's node:child_process: every kill() after the first does nothing. */
  readonly onceOnly: boolean;
  constructor(onceOnly = false) {
    this.onceOnly = onceOnly;
  }
  on(event: string, listener: () => void): this {
    if (event === "exit") this.listeners.add(listener);
    return this;
  }
  removeListener(event: string, listener: () => void): this {
    if (event === "exit") this.listeners.delete(listener);
    return this;
  }
  kill(signal: string): boolean {
    if (this.onceOnly && this.killed) return true;
    this.sent.push(signal);
    this.killed = true;
    return true;
  }
  die(signal: string): void {
    this.signalCode = signal;
    for (const listener of [...this.listeners]) listener();
  }
}

// adopt() loads its child-process code on first use; the tests below are
// about what it does once loaded (the first use is tested from outside, in
// tests/behaviour/adopt_test.ts), so load it here once.
{
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  for (let tries = 0; tries < 400; tries++) {
    const probe = new FakeNodeChild();
    const adoption = adopt(probe, { controller });
    const ready = probe.listeners.size === 1; // watched at once: loaded
    adoption[Symbol.dispose]();
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  controller[Symbol.dispose]();
}

function withController(
  fn: (controller: ShutdownController, runtime: FakeRuntime) => Promise<void> | void,
): () => Promise<void> {
  return async () => {
    const runtime = new FakeRuntime();
    const controller = new ShutdownController({ runtime, budgetMs: 10_000 });
    try {
      await fn(controller, runtime);
    } finally {
      controller[Symbol.dispose]();
    }
  };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test(
  "adopt: bad input throws a clear error and registers nothing",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild();
    class Worker {
      postMessage(): void {}
      terminate(): void {}
    }
    const cases: [unknown, unknown, ErrorConstructor, RegExp][] = [
      [undefined, undefined, TypeError, /child must be a Deno\.ChildProcess.*got undefined/],
      ["sleep 1", undefined, TypeError, /child must be .*got "sleep 1"/],
      [{}, undefined, TypeError, /child must be .*got \{\}/],
      [{ pid: 1, kill() {} }, undefined, TypeError, /child must be .*got \{"pid":1\}/],
      [new Worker(), undefined, TypeError, /child must be .*got a Worker \{\}/],
      [child, null, TypeError, /adopt\(\) options must be an object, got null/],
      [child, { timeout: 5 }, TypeError, /unknown option "timeout"/],
      [child, { signal: 15 }, TypeError, /signal must be a signal name, got 15/],
      [child, { signal: "SIGFOO" }, RangeError, /signal must be one of SIGTERM, .*got "SIGFOO"/],
      [child, { signal: "sigterm" }, RangeError, /got "sigterm"/],
      [child, { timeoutMs: -1 }, RangeError, /timeoutMs .* got -1/],
      [child, { timeoutMs: Number.NaN }, RangeError, /timeoutMs .* got NaN/],
      [child, { timeoutMs: Infinity }, RangeError, /timeoutMs .* got Infinity/],
      [child, { timeoutMs: "5" }, TypeError, /timeoutMs must be a number .* got "5"/],
      [child, { name: 5 }, TypeError, /name must be a string, got 5/],
      [child, { detached: "yes" }, TypeError, /detached must be a boolean, got "yes"/],
      [child, { controller: {} }, TypeError, /controller must be a ShutdownController, got \{\}/],
    ];
    for (const [value, options, type, message] of cases) {
      assert.throws(
        () =>
          adopt(
            value as AdoptableChild,
            options === null ? null as never : { controller, ...options as object },
          ),
        (error: unknown) => error instanceof type && message.test((error as Error).message),
        `${JSON.stringify(options)} ${String(value)}`,
      );
    }
    assert.throws(() => adopt(child, null as never), /options must be an object/);
    assert.equal(child.listeners.size, 0, "no exit listener left on the child");
    controller.request("check");
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps, [], "no step registered");
    assert.deepEqual(child.sent, []);
  }),
);

test("adopt: a disposed controller refuses, and the child keeps no listener", () => {
  const controller = new ShutdownController({ runtime: new FakeRuntime() });
  controller[Symbol.dispose]();
  const child = new FakeNodeChild();
  assert.throws(() => adopt(child, { controller }), /disposed/);
  assert.equal(child.listeners.size, 0);
});

test(
  "adopt: SIGTERM first, the step ends once the child exited",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild();
    adopt(child, { controller });
    controller.request();
    await runtime.advance(0);
    assert.deepEqual(child.sent, ["SIGTERM"]);
    child.die("SIGTERM");
    const report = await controller.done;
    assert.deepEqual(report.steps.map((s) => `${s.name}:${s.outcome}`), ["child 4242:ok"]);
    assert.equal(child.listeners.size, 0);
  }),
);

test(
  "adopt: at timeoutMs SIGKILL goes out even where kill() works once only (Deno's node:child_process)",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild(true);
    adopt(child, { controller, timeoutMs: 30, signal: "SIGQUIT", name: "worker" });
    controller.request();
    await runtime.advance(0);
    assert.deepEqual(child.sent, ["SIGQUIT"]);
    await wait(80);
    assert.deepEqual(child.sent, ["SIGQUIT", "SIGKILL"]);
    child.die("SIGKILL");
    const [step] = (await controller.done).steps;
    assert.deepEqual([step.name, step.outcome], ["worker", "threw"]);
    assert.match(
      String(step.error),
      /worker did not exit within 30 ms of SIGQUIT: killed it with SIGKILL/,
    );
  }),
);

test(
  "adopt: a child that already exited is left alone, and is no step",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild();
    child.exitCode = 0;
    adopt(child, { controller });
    await wait(0);
    controller.request();
    await runtime.advance(0);
    const report = await controller.done;
    assert.deepEqual(report.steps, []);
    assert.deepEqual(child.sent, []);
  }),
);

test(
  "adopt: disposing unregisters: no step, no signal, no listener",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild();
    const adoption = adopt(child, { controller });
    assert.equal(child.listeners.size, 1);
    adoption[Symbol.dispose]();
    adoption[Symbol.dispose]();
    assert.equal(child.listeners.size, 0);
    controller.request();
    await runtime.advance(0);
    assert.deepEqual((await controller.done).steps, []);
    assert.deepEqual(child.sent, []);
  }),
);

test(
  "adopt: exit() kills the child synchronously",
  withController((controller, runtime) => {
    const child = new FakeNodeChild();
    adopt(child, { controller });
    runtime.exitNow(0);
    assert.deepEqual(child.sent, ["SIGKILL"]);
  }),
);

test(
  "adopt: exit() while waiting for the child kills it synchronously",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild();
    adopt(child, { controller });
    controller.request();
    await runtime.advance(0);
    assert.deepEqual(child.sent, ["SIGTERM"]);
    runtime.exitNow(0);
    assert.deepEqual(child.sent, ["SIGTERM", "SIGKILL"]);
  }),
);

test(
  "adopt: forced before its step started, the child is killed once `done` resolves",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild();
    adopt(child, { controller });
    controller.onShutdown(() => new Promise(() => {}), { name: "hang" });
    for (let n = 0; n < 3; n++) runtime.deliver("SIGTERM");
    await runtime.advance(0);
    const report = await controller.done;
    assert.equal(report.forced, true);
    assert.deepEqual(child.sent, ["SIGKILL"]);
  }),
);

test(
  "adopt: after Ctrl-C the child gets half its time to stop on its own SIGINT",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild();
    // Wide windows: a loaded machine overslept a 300 ms wait past a 400 ms timeoutMs.
    adopt(child, { controller, timeoutMs: 2_000 });
    const sentAt = performance.now();
    runtime.deliver("SIGINT");
    await runtime.advance(0);
    await wait(50);
    assert.deepEqual(child.sent, [], "not hit twice");
    while (child.sent.length === 0 && performance.now() - sentAt < 1_900) await wait(10);
    const askedAfterMs = performance.now() - sentAt;
    assert.deepEqual(child.sent, ["SIGTERM"], "asked once the grace (1 s) is over");
    assert.ok(askedAfterMs >= 950, `asked ${Math.round(askedAfterMs)} ms after Ctrl-C`);
    child.die("SIGTERM");
    assert.deepEqual((await controller.done).steps.map((s) => s.outcome), ["ok"]);
  }),
);

test(
  "adopt: after Ctrl-C a detached child is asked at once",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild();
    adopt(child, { controller, timeoutMs: 400, detached: true });
    runtime.deliver("SIGINT");
    await runtime.advance(0);
    assert.deepEqual(child.sent, ["SIGTERM"]);
    child.die("SIGTERM");
    await controller.done;
  }),
);

test(
  "adopt: Bun's Subprocess and Deno's ChildProcess shapes",
  withController(async (controller, runtime) => {
    const sent: string[] = [];
    let exitBun!: () => void;
    const bun = {
      pid: 11,
      exitCode: null,
      signalCode: null,
      exited: new Promise<void>((resolve) => exitBun = resolve),
      kill: (signal: string) => void sent.push(`bun ${signal}`),
    };
    let exitDeno!: () => void;
    const deno = {
      pid: 12,
      status: new Promise<void>((resolve) => exitDeno = resolve),
      kill: (signal: string) => {
        if (sent.includes("deno SIGTERM")) {
          throw new TypeError("Child process has already terminated");
        }
        sent.push(`deno ${signal}`);
      },
    };
    adopt(bun, { controller });
    adopt(deno, { controller });
    controller.request();
    await runtime.advance(0);
    // Adopted one after the other: asked together.
    assert.deepEqual(sent, ["deno SIGTERM", "bun SIGTERM"]);
    exitDeno();
    await wait(0);
    exitBun();
    const report = await controller.done;
    assert.deepEqual(report.steps.map((s) => `${s.name}:${s.outcome}`), [
      "child 12:ok",
      "child 11:ok",
    ]);
  }),
);

test(
  "adopt: children adopted one after another are asked together, each within its own timeoutMs",
  withController(async (controller, runtime) => {
    const slow = new FakeNodeChild();
    slow.pid = 1001;
    const quick = new FakeNodeChild();
    quick.pid = 1002;
    const stubborn = new FakeNodeChild();
    stubborn.pid = 1003;
    const hook: string[] = [];
    const before = new FakeNodeChild();
    before.pid = 1000;
    adopt(before, { controller, name: "before" });
    controller.onShutdown(() => void hook.push(before.sent.join()), { name: "between" });
    adopt(stubborn, { controller, name: "stubborn", timeoutMs: 50 });
    adopt(quick, { controller, name: "quick" });
    adopt(slow, { controller, name: "slow" });
    controller.request();
    await runtime.advance(0);
    assert.deepEqual([slow.sent, quick.sent, stubborn.sent], [["SIGTERM"], ["SIGTERM"], [
      "SIGTERM",
    ]]);
    assert.deepEqual(before.sent, [], "behind a hook: asked after it");
    quick.die("SIGTERM");
    await wait(120);
    // Killed at its own 50 ms, while the step of "slow" still waits.
    assert.deepEqual(stubborn.sent, ["SIGTERM", "SIGKILL"]);
    stubborn.die("SIGKILL");
    slow.die("SIGTERM");
    await wait(0);
    assert.deepEqual(before.sent, ["SIGTERM"]);
    assert.deepEqual(hook, [""], "the hook ran before the child adopted before it was asked");
    before.die("SIGTERM");
    const report = await controller.done;
    assert.deepEqual(report.steps.map((s) => `${s.name}:${s.outcome}`), [
      "slow:ok",
      "quick:ok",
      "stubborn:threw",
      "between:ok",
      "before:ok",
    ]);
    assert.match(report.steps[1].detail ?? "", /asked together with slow/);
  }),
);

test(
  "adopt: a child that exits before the shutdown leaves the stack and keeps no listener",
  withController(async (controller, runtime) => {
    const children = Array.from({ length: 100 }, (_, n) => {
      const child = new FakeNodeChild();
      child.pid = 2000 + n;
      adopt(child, { controller });
      return child;
    });
    const live = new FakeNodeChild();
    adopt(live, { controller, name: "live" });
    for (const child of children) child.die("SIGTERM");
    assert.ok(children.every((child) => child.listeners.size === 0));
    controller.request();
    await runtime.advance(0);
    assert.deepEqual(live.sent, ["SIGTERM"]);
    live.die("SIGTERM");
    const report = await controller.done;
    assert.deepEqual(report.steps.map((s) => s.name), ["live"]);
    assert.ok(children.every((child) => child.sent.length === 0));
  }),
);

test(
  "adopt: a signal that may have reached the child's group: half its time, at most 5 s, before asking",
  withController(async (controller, runtime) => {
    const child = new FakeNodeChild();
    // No timeoutMs: half of the 10 s budget would be 5 s; the cap is 5 s too.
    adopt(child, { controller });
    runtime.deliver("SIGTERM");
    await runtime.advance(0);
    await wait(50);
    assert.deepEqual(child.sent, [], "not hit twice by SIGTERM");
    child.die("SIGTERM");
    assert.deepEqual((await controller.done).steps.map((s) => s.outcome), ["ok"]);
    assert.deepEqual(child.sent, []);
  }),
);
