// attach() and Web Workers the parent cannot tell apart: a Deno Web Worker has
// no threadId, so every attach() waiting for one welcomes whichever loads the
// library.
import assert from "node:assert/strict";
import { processTest as test, runtimeName } from "../_harness.ts";
import { delay, endAfter, startFixture } from "../_child.ts";

// Deno only: Bun's Web Workers have a threadId (attach_test.ts covers them),
// and Bun gives a Web Worker no `name`, which the fixture passes the mode in.
const options = {
  timeoutMs: 30_000,
  skip: runtimeName === "deno" ? false as const : "Deno Web Workers only",
};

test(
  "attach (web): an unattached worker's messages reach its handlers, none of the library's",
  async () => {
    const child = startFixture("attach_web.ts", ["stray"]);
    const end = await child.ended;
    const out = end.lines.join("\n") + end.stderr;
    assert.ok(end.lines.includes("worker: stray loaded"), out);
    const seen = end.lines.filter((line) => / (onmessage|listener) got /.test(line));
    assert.deepEqual(seen.sort(), [
      "parent: listener got stray up",
      "parent: onmessage got stray up",
    ], out);
    assert.deepEqual(
      end.lines.filter((line) => line.startsWith("parent: the worker's handler got")),
      ["parent: the worker's handler got loaded"],
      out,
    );
    // The attached worker is stopped; the unattached one, still holding its scope, holds nothing.
    assert.ok(end.lines.includes("worker: breakpoint threw"), out);
    assert.ok(end.lines.includes("worker: hook ran"), out);
    assert.ok(end.lines.includes("parent: report the worker:ok forced=false"), out);
    assert.equal(end.code, 0, out);
  },
  options,
);

for (const when of ["later", "sync"]) {
  test(
    `attach (web): a worker whose parent never loads the library behaves as without it (closes ${when})`,
    async () => {
      const child = startFixture("attach_web_unloaded.ts", [when]);
      const startedAt = Date.now();
      const end = await child.ended;
      const tookMs = Date.now() - startedAt;
      const out = end.lines.join("\n") + end.stderr;
      const seen = end.lines.filter((line) => / got /.test(line));
      const sent = when === "sync" ? ["bye"] : ["bye", "up"];
      const expected = ["listener", "onmessage"].flatMap((by) =>
        sent.map((message) => `parent: ${by} got "${message}"`)
      );
      assert.deepEqual(seen.sort(), expected, out);
      // It closed itself: the program ends naturally (the sync close waited 500 ms at most).
      assert.equal(end.code, 0, out);
      assert.ok(tookMs < 8_000, `took ${tookMs} ms\n${out}`);
    },
    options,
  );
}

// The program's own terminate() is seen (attach() wraps the worker's); a
// worker that closes itself before it read its welcome waits for it in
// self.close() (the welcome also sets a flag its hello carried).
for (const mode of ["terminate-early", "close-sync"]) {
  test(
    `attach (web): a worker that ended before it was welcomed holds nothing (${mode})`,
    async () => {
      const child = startFixture("attach_web.ts", [mode]);
      await child.waitFor(mode === "close-sync" ? "worker: closing" : "parent: ready");
      await delay(800);
      const { end, tookMs, out } = await endAfter(child, "SIGINT");
      // The controller's deadline is 3 s: a worker held for would take that long.
      assert.ok(tookMs < 2_000, `took ${tookMs} ms\n${out}`);
      assert.ok(end.lines.includes("parent: report  forced=false"), out);
    },
    options,
  );
}

// Open point (README, "Workers"): a Deno Web Worker that closes itself before
// it loads the library leaves its parent no trace (Deno 2.9.6, see
// tools/measure_deno_worker_close.ts): the deadline bounds it, and its step
// is never `ok`.
test(
  "attach (web): a worker that closed before it loaded the library is bounded by the deadline",
  async () => {
    const child = startFixture("attach_web.ts", ["close-early"]);
    await child.waitFor("worker: closing");
    await delay(300);
    const { end, tookMs, out } = await endAfter(child, "SIGINT");
    assert.ok(tookMs < 10_000, `took ${tookMs} ms\n${out}`);
    assert.ok(tookMs >= 2_500, `took ${tookMs} ms\n${out}`);
    assert.ok(end.lines.includes("parent: report the worker:cut forced=true"), out);
  },
  options,
);
