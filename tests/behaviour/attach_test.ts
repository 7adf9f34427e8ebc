// attach() with real workers of every kind the runtime under test has, and a
// real SIGINT: the worker's scope holds the exit, its hooks run, its budget is
// honoured, its crash holds nothing, and no library message reaches the
// program's own handlers.
import assert from "node:assert/strict";
import { processTest as test, runtimeName } from "../_harness.ts";
import { type ChildEnd, delay, endAfter, startFixture } from "../_child.ts";

const kinds = runtimeName === "node" ? ["threads"] : ["threads", "web"];
const options = { timeoutMs: 30_000 };
// Open points (see the README's "Workers"): the fixture passes its mode in the
// worker's URL, which Bun's Web Worker drops; Deno's worker_threads worker gave
// the parent no sign of its crash in the time this was written.

function noLibraryMessages(end: ChildEnd): void {
  const seen = end.lines.filter((line) => line.includes("user handler got"));
  assert.deepEqual(seen.sort(), [
    'parent: user handler got "pong"',
    'worker: user handler got "ping"',
  ]);
}

for (const kind of kinds) {
  test(
    `attach (${kind}): SIGINT waits for the worker's iteration, its hook runs, then death by SIGINT`,
    async () => {
      const child = startFixture("attach_parent.ts", [kind, "loop"]);
      await child.waitFor("worker: iteration 2 starts");
      const { end, tookMs, out } = await endAfter(child, "SIGINT");
      const lines = end.lines.filter((line) => !line.includes("user handler"));
      const at = (line: string) => lines.indexOf(line);
      assert.ok(at("worker: signal aborted") >= 0, out);
      assert.ok(at("worker: iteration 2 ends") > at("worker: signal aborted"), out);
      assert.equal(at("worker: iteration 3 starts"), -1, out);
      assert.ok(
        at("worker: breakpoint threw after iteration 2") > at("worker: iteration 2 ends"),
        out,
      );
      assert.ok(at("worker: hook ran") > at("worker: breakpoint threw after iteration 2"), out);
      assert.ok(
        lines.includes('parent: report the worker:ok forced=false exit={"signal":"SIGINT"}'),
        out,
      );
      assert.deepEqual([end.code, end.signal], [null, "SIGINT"], out);
      assert.ok(tookMs < 10_000, `took ${tookMs} ms`);
      noLibraryMessages(end);
    },
    options,
  );

  test(
    `attach (${kind}): the 3rd Ctrl-C forces the end: the worker is terminated at once`,
    async () => {
      const child = startFixture("attach_parent.ts", [kind, "force"]);
      await child.waitFor("worker: iteration 1 starts");
      const sentAt = Date.now();
      for (let i = 0; i < 3; i++) {
        child.kill("SIGINT");
        // Apart, or the kernel merges them: 60 ms was too close on a loaded machine.
        await delay(400);
      }
      const end = await child.ended;
      const tookMs = Date.now() - sentAt;
      const out = end.lines.join("\n") + end.stderr;
      assert.ok(!end.lines.includes("worker: iteration 1 ends"), out);
      assert.ok(end.lines.some((line) => /^parent: report .*forced=true/.test(line)), out);
      assert.ok(tookMs < 5_000, `a 20 s iteration was not waited for: ${tookMs} ms`);
      assert.deepEqual([end.code, end.signal], [null, "SIGINT"], out);
    },
    options,
  );

  test(`attach (${kind}): a worker scope's budget is honoured, then the process ends`, async () => {
    const child = startFixture("attach_parent.ts", [kind, "budget"]);
    await child.waitFor("worker: iteration 1 starts");
    const { end, tookMs, out } = await endAfter(child, "SIGINT");
    assert.ok(end.lines.includes("worker: scope signal aborted (budget)"), out);
    assert.ok(end.lines.includes("worker: hook ran"), out);
    assert.ok(tookMs >= 350 && tookMs < 10_000, `the 400 ms budget ended after ${tookMs} ms`);
    assert.deepEqual([end.code, end.signal], [null, "SIGINT"], out);
  }, options);

  test(`attach (${kind}): a crashed worker does not hold the shutdown`, async () => {
    const child = startFixture("attach_parent.ts", [kind, "crash"]);
    await child.waitFor("parent: the worker crashed");
    const { end, tookMs, out } = await endAfter(child, "SIGINT");
    assert.ok(tookMs < 5_000, `took ${tookMs} ms`);
    assert.deepEqual([end.code, end.signal], [null, "SIGINT"], out);
  }, options);
}

// Issue 17: workers the way programs use them.
const styles = ["on", "once", "add", "onmessage", "after", "plain"];
for (const kind of kinds) {
  for (const style of styles) {
    test(
      `attach (${kind}): importing the library leaves the worker's lifetime alone (${style})`,
      async () => {
        const child = startFixture("attach_cases.ts", [kind, `lifetime-${style}`]);
        const end = await child.ended;
        const out = end.lines.join("\n") + end.stderr;
        assert.ok(end.lines.includes('worker: got "ping"'), out);
        assert.ok(end.lines.includes('parent: got "pong"'), out);
        assert.ok(!out.includes("@graceful/shutdown attach"), out);
      },
      options,
    );
  }

  if (kind === "threads") {
    for (const mode of ["plain", "attached"]) {
      test(
        `attach (threads): a worker with nothing to do but load the library ends at once (${mode})`,
        async () => {
          const child = startFixture("attach_idle.ts", [mode]);
          const end = await child.ended;
          const out = end.lines.join("\n") + end.stderr;
          const ended = end.lines.find((line) => line.startsWith("parent: the worker ended"));
          const ms = Number(/after (\d+) ms/.exec(ended ?? "")?.[1] ?? NaN);
          assert.ok(end.lines.includes("worker: loaded"), out);
          // Generous: it took 0.1 s, and 10 s when Deno's channel kept it alive.
          assert.ok(ms < 5_000, out);
          assert.deepEqual([end.code, end.signal], [0, null], out);
        },
        options,
      );
    }
  }

  for (const mode of ["late", "late0"]) {
    test(
      `attach (${kind}): a worker that loads the library late is attached (${mode})`,
      async () => {
        const child = startFixture("attach_cases.ts", [kind, mode]);
        await child.waitFor("worker: iteration 2 starts");
        child.kill("SIGINT");
        const end = await child.ended;
        const out = end.lines.join("\n") + end.stderr;
        // The iteration in progress when the stop reached the worker (the 2nd, or
        // a later one on a loaded machine) ends, and the next breakpoint throws.
        const threw = end.lines.map((l) =>
          /^worker: breakpoint threw after iteration (\d+)$/.exec(l)
        )
          .find((match) => match !== null);
        const n = Number(threw?.[1]);
        assert.ok(n >= 2, out);
        assert.ok(end.lines.includes(`worker: iteration ${n} ends`), out);
        assert.ok(!end.lines.includes(`worker: iteration ${n + 1} starts`), out);
        assert.ok(end.lines.includes("worker: hook ran"), out);
        assert.ok(end.lines.includes("parent: report the worker:ok forced=false"), out);
        assert.deepEqual([end.code, end.signal], [null, "SIGINT"], out);
      },
      options,
    );
  }

  for (const mode of ["closed", "terminated"]) {
    test(`attach (${kind}): a worker that has ended holds nothing (${mode})`, async () => {
      const child = startFixture("attach_cases.ts", [kind, mode]);
      // Ended for sure (a loaded machine can take longer than the program's 300 ms).
      await child.waitFor(mode === "closed" ? "worker: closing" : "parent: terminated");
      await delay(mode === "closed" ? 600 : 300);
      const { end, tookMs, out } = await endAfter(child, "SIGINT");
      assert.ok(tookMs < 5_000, `took ${tookMs} ms\n${out}`);
      // Ended before the stop: no step is left for it (memory follows live workers).
      assert.ok(end.lines.includes("parent: report  forced=false"), out);
    }, options);
  }

  test(`attach (${kind}): the controller's budgetMs governs the worker's scopes`, async () => {
    const child = startFixture("attach_cases.ts", [kind, "budget"]);
    await child.waitFor("worker: iteration 1 starts");
    const { end, tookMs, out } = await endAfter(child, "SIGINT");
    assert.ok(tookMs < 8_000, `a 1.5 s budget took ${tookMs} ms\n${out}`);
    assert.ok(!end.lines.includes("parent: report the worker:ok forced=false"), out);
  }, options);

  test(`attach (${kind}): a worker still loading at the stop gets its chance`, async () => {
    const child = startFixture("attach_cases.ts", [kind, "loading"]);
    await child.waitFor("parent: ready");
    await delay(500);
    child.kill("SIGTERM");
    const end = await child.ended;
    const out = end.lines.join("\n") + end.stderr;
    assert.ok(end.lines.includes("worker: hook ran"), out);
    assert.ok(end.lines.includes("parent: report the worker:ok forced=false"), out);
  }, options);

  test(
    `attach (${kind}): a worker that crashes during the shutdown is not reported ok`,
    async () => {
      const child = startFixture("attach_cases.ts", [kind, "crash"]);
      await child.waitFor("worker: loaded");
      const { end, tookMs, out } = await endAfter(child, "SIGINT");
      assert.ok(tookMs < 10_000, `took ${tookMs} ms\n${out}`);
      assert.ok(end.lines.includes("parent: report the worker:threw forced=false"), out);
    },
    options,
  );
}

// Where a worker's crash ends the parent: Deno's Web Workers, Node's and Bun's worker_threads.
for (const kind of kinds.filter((kind) => (runtimeName === "deno") === (kind === "web"))) {
  test(
    `attach (${kind}): a crash left to the runtime is printed as without the library`,
    async () => {
      const child = startFixture("attach_cases.ts", [kind, "unhandled"]);
      const end = await child.ended;
      const out = end.lines.join("\n") + end.stderr;
      assert.ok(end.stderr.includes("the worker crashes on purpose"), out);
      assert.ok(!end.stderr.includes("Uncaught null"), out);
      assert.notEqual(end.code, 0, out);
    },
    options,
  );
}

for (const kind of kinds) {
  // Deno's Web Workers have no unref().
  if (runtimeName !== "deno" || kind === "threads") {
    test(
      `attach (${kind}): at the natural end an unref()'d worker is stopped, its hooks run`,
      async () => {
        const child = startFixture("attach_cases.ts", [kind, "unref"]);
        const end = await child.ended;
        const out = end.lines.join("\n") + end.stderr;
        const at = (line: string) => end.lines.indexOf(line);
        assert.ok(at("parent: main work over") >= 0, out);
        assert.ok(end.lines.some((line) => line.startsWith("worker: breakpoint threw")), out);
        assert.ok(at("worker: hook ran") > at("parent: main work over"), out);
        assert.ok(end.lines.includes("parent: report the worker:ok forced=false"), out);
        assert.deepEqual([end.code, end.signal], [0, null], out);
      },
      options,
    );
  }

  if (kind === "threads") {
    test(
      "attach (threads): an unref()'d worker that never loads the library lets the program end naturally",
      async () => {
        const child = startFixture("attach_unref_unloaded.ts", []);
        const end = await child.ended;
        const out = end.lines.join("\n") + end.stderr;
        assert.ok(end.lines.includes("parent: main work over"), out);
        // Given the controller's budget (1.5 s) to load the library; lost work is never `ok`.
        assert.ok(end.lines.includes("parent: report the worker:cut"), out);
        assert.deepEqual([end.code, end.signal], [1, null], out);
      },
      options,
    );
  }

  for (const mode of ["request", "request-early"]) {
    test(
      `attach (${kind}): shutdown.request(error) in the worker stops the process (${mode})`,
      async () => {
        const child = startFixture("attach_cases.ts", [kind, mode]);
        const end = await child.ended;
        const out = end.lines.join("\n") + end.stderr;
        assert.ok(end.lines.includes("worker: hook ran"), out);
        // request-early: a worker that ended before its request was heard may
        // have been forgotten (no step), as any worker that ended before a stop.
        const report = mode === "request"
          ? /^parent: report the worker:ok forced=false$/
          : /^parent: report (the worker:ok)? forced=false$/;
        assert.ok(end.lines.some((line) => report.test(line)), out);
        assert.deepEqual([end.code, end.signal], [1, null], out);
      },
      options,
    );
  }
}

// Worker pools, with the README's recipe: tasks protected in the threads, the
// pool closed as a step.
const pools = [["piscina", "busy"], ["tinypool", "busy"], ["tinypool", "replaced"], [
  "piscina",
  "idle",
], ["tinypool", "idle"]];
for (const [pool, mode] of pools) {
  test(
    `attach (${pool} pool, ${mode}): SIGTERM lets every task in flight end, then closes the pool`,
    async () => {
      const child = startFixture("attach_pool.ts", [pool, mode]);
      if (mode === "idle") await child.waitFor("parent: ready");
      else for (let id = 1; id <= 4; id++) await child.waitFor(`task ${id} starts`);
      const { end, tookMs, out } = await endAfter(child, "SIGTERM");
      const tasks = mode === "idle" ? [] : [1, 2, 3, 4];
      for (const id of tasks) assert.ok(end.lines.includes(`parent: task ${id} resolved`), out);
      assert.ok(!end.lines.some((line) => line.includes("rejected")), out);
      const report = end.lines.find((line) => line.startsWith("parent: report")) ?? "";
      assert.match(report, /pool:ok forced=false$/, out);
      assert.doesNotMatch(report, /:(threw|cut|timed-out)/, out);
      assert.ok(tookMs < 8_000, `took ${tookMs} ms\n${out}`);
      assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], out);
    },
    options,
  );
}
