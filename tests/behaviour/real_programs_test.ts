// Programs as users write them, with real signals: each case once lost hook
// work, data or the exit status.
import assert from "node:assert/strict";
import { processTest as test, runtimeName } from "../_harness.ts";
import { startFixture } from "../_child.ts";
import { nodeMajor } from "../fixtures/_say.ts";

test("a budget past 2^31 - 1 ms is honoured: no 1 ms timer, no overflow warning", async () => {
  const child = startFixture("real_programs.ts", ["long-budget"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.ok(end.lines.includes("scope aborted=false"), end.lines.join("\n") + end.stderr);
  assert.ok(end.lines.includes("report hook:ok forced=false"), end.lines.join("\n"));
  assert.doesNotMatch(end.stderr, /TimeoutOverflowWarning|ran out of its/);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});

test("a scope that runs out its default budget still leaves the hooks their time", async () => {
  const child = startFixture("real_programs.ts", ["reserve"]);
  await child.waitFor("ready");
  const sent = performance.now();
  child.kill("SIGTERM");
  const end = await child.ended;
  const took = performance.now() - sent;
  const lines = end.lines.join("\n");
  assert.ok(end.lines.indexOf("scope ran out") < end.lines.indexOf("hook done"), lines);
  assert.ok(end.lines.includes("report flush:ok forced=false"), lines + end.stderr);
  assert.ok(took >= 5_000 && took < 15_000, `took ${took} ms`);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});

test("onReport: the report is shipped asynchronously before the process ends", async () => {
  const child = startFixture("real_programs.ts", ["ship"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.ok(end.lines.includes("shipped signal"), end.lines.join("\n") + end.stderr);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});

test("a scope forgotten at the natural end: hooks at once, the scope named, status 0", async () => {
  const started = performance.now();
  const child = startFixture("real_programs.ts", ["forgotten"]);
  const end = await child.ended;
  assert.ok(performance.now() - started < 15_000, "not held for the 80 s budget");
  assert.ok(end.lines.includes("hook ran"), end.lines.join("\n"));
  assert.match(end.stderr, /forgotten job still open/);
  assert.deepEqual([end.code, end.signal], [0, null], end.stderr);
});

for (const code of [0, 3]) {
  test(`a hook that calls exit(${code}) during a SIGTERM shutdown ends with ${code}`, async () => {
    const child = startFixture("real_programs.ts", ["exit-in-hook", String(code)]);
    await child.waitFor("ready");
    child.kill("SIGTERM");
    const end = await child.ended;
    assert.ok(end.lines.includes(`hook exits ${code}`), end.lines.join("\n"));
    assert.deepEqual([end.code, end.signal], [code, null], end.stderr);
  });
}

test("a hook offered after the shutdown ended gets a clear error, not silence", async () => {
  const child = startFixture("real_programs.ts", ["late"]);
  const end = await child.ended;
  assert.ok(
    end.lines.includes(
      "late: onShutdown() called after the shutdown ended; nothing would run it now",
    ),
    end.lines.join("\n"),
  );
  assert.deepEqual([end.code, end.signal], [0, null]);
});

for (const variant of ["using", "await"]) {
  test(
    `\`${
      variant === "await" ? "await using" : "using"
    }\` a controller: a block that ends mid-shutdown loses no hook and no status`,
    async () => {
      const child = startFixture("using_controller.ts", [variant]);
      await child.waitFor("ready");
      child.kill("SIGTERM");
      const end = await child.ended;
      assert.ok(end.lines.includes("hook done"), end.lines.join("\n") + end.stderr);
      assert.ok(end.lines.includes("report flush:ok"), end.lines.join("\n"));
      // `using` leaves its block at once, before the hook ends; `await using`
      // only once the shutdown has ended (the signal may end the process first).
      const left = end.lines.indexOf("left the block");
      const hookDone = end.lines.indexOf("hook done");
      if (variant === "using") assert.ok(left !== -1 && left < hookDone, end.lines.join("\n"));
      else assert.ok(left === -1 || left > hookDone, end.lines.join("\n"));
      assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    },
    { skip: runtimeName === "node" && nodeMajor() < 24 && "Node 22 has no `using` syntax" },
  );
}
