// examples/worker_loop.ts (the seed's thread example) under a real SIGINT:
// the process waits for the thread's current iteration, the thread's hook
// runs, then the process dies by SIGINT.
import assert from "node:assert/strict";
import { processTest as test, runtimeName } from "../_harness.ts";
import { startFixture } from "../_child.ts";

const kinds = runtimeName === "node" ? ["threads"] : ["threads", "web"];

for (const kind of kinds) {
  test(`examples/worker_loop.ts (${kind}): Ctrl-C waits for the iteration, then the hook, then SIGINT`, async () => {
    const child = startFixture("../../examples/worker_loop.ts", [kind]);
    await child.waitFor("thread: iteration 2 starts");
    child.kill("SIGINT");
    const end = await child.ended;
    const lines = end.lines;
    const out = lines.join("\n") + end.stderr;
    // The iteration in progress when the stop reached the thread: the 2nd, or a
    // later one when a loaded machine took longer than an iteration (400 ms).
    const stopped = lines.map((line) => /^thread: stopped after iteration (\d+)$/.exec(line))
      .find((match) => match !== null);
    const n = Number(stopped?.[1]);
    assert.ok(n >= 2, out);
    const ends = lines.indexOf(`thread: iteration ${n} ends`);
    assert.ok(ends !== -1, `the current iteration finished:\n${out}`);
    assert.ok(lines.indexOf(`thread: stopped after iteration ${n}`) > ends, out);
    assert.ok(
      !lines.includes(`thread: iteration ${n + 1} starts`),
      "no new iteration after Ctrl-C",
    );
    assert.ok(lines.indexOf("thread: cleanup hook ran") > ends, out);
    assert.deepEqual([end.code, end.signal], [null, "SIGINT"], out);
  });
}
