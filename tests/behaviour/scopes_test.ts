// Protection scopes under real signals, in a child process of each runtime.
import assert from "node:assert/strict";
import { processTest as test, runtimeName } from "../_harness.ts";
import { startFixture } from "../_child.ts";

test("a step in progress completes and the next breakpoint throws ShutdownError", async () => {
  const child = startFixture("protected_steps.ts", ["300"]);
  await child.waitFor("step 2 start");
  child.kill("SIGTERM");
  const end = await child.ended;
  const requested = end.lines.indexOf("requested");
  assert.ok(requested > 0, end.lines.join("\n"));
  const stepDone = end.lines.indexOf("step 2 end");
  assert.ok(stepDone > requested, `step 2 finished after the request:\n${end.lines.join("\n")}`);
  assert.equal(end.lines.includes("step 3 start"), false);
  assert.equal(end.lines.at(-1), "stopped at breakpoint: ShutdownError pending");
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});

test("scope.signal aborts about one budget after the request", async () => {
  const child = startFixture("scope_budget.ts", ["400"]);
  await child.waitFor("ready");
  child.kill("SIGINT");
  const end = await child.ended;
  const line = end.lines.find((l) => l.startsWith("aborted after"));
  assert.ok(line, end.lines.join("\n") + end.stderr);
  const elapsed = Number(/aborted after (\d+) ms/.exec(line)![1]);
  assert.ok(elapsed >= 380 && elapsed < 3_000, `aborted after ${elapsed} ms, budget 400`);
  assert.match(line, /: budget$/);
  assert.deepEqual([end.code, end.signal], [null, "SIGINT"]);
});

test("renew() keeps scope.signal from aborting", async () => {
  // Budget 400 ms, renewed every 250 ms four times: 1 s of work, never cut.
  const child = startFixture("scope_budget.ts", ["400", "250", "4"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.ok(end.lines.includes("renewed 4"), end.lines.join("\n") + end.stderr);
  assert.ok(end.lines.includes("work finished, aborted: false"), end.lines.join("\n"));
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});

test("`using` closes the scope and the process then ends by the signal", async () => {
  const child = startFixture("using_scope.ts");
  await child.waitFor("step 1 end");
  child.kill("SIGINT");
  const end = await child.ended;
  assert.ok(
    end.lines.includes("left the scope at a breakpoint"),
    end.lines.join("\n") + end.stderr,
  );
  assert.ok(end.lines.indexOf("hook ran") > end.lines.indexOf("left the scope at a breakpoint"));
  assert.deepEqual([end.code, end.signal], [null, "SIGINT"]);
}, { skip: runtimeName === "node" && _nodeMajor() < 24 && "Node 22 has no `using` syntax" });

function _nodeMajor(): number {
  const versions = (globalThis as unknown as { process?: { versions: { node: string } } }).process
    ?.versions;
  return Number(versions?.node.split(".")[0] ?? 0);
}
