// However the program ends, each hook runs exactly once and the status is honest.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

const endings: [mode: string, cause: string, code: number, stderr?: RegExp][] = [
  ["natural", "end", 0],
  ["natural-fail", "end", 1, /hook failed on purpose/],
  ["throw", "error", 1, /boom on purpose/],
  ["reject", "error", 1, /rejected on purpose/],
  ["request", "request", 0],
  ["request-error", "request", 1],
];

for (const [mode, cause, code, stderr] of endings) {
  test(`ending "${mode}" runs the hook once and exits ${code}`, async () => {
    const end = await startFixture("endings.ts", [mode]).ended;
    const runs = end.lines.filter((line) => line.startsWith("hook ran"));
    assert.deepEqual(runs, [`hook ran 1 cause=${cause}`], end.lines.join("\n") + end.stderr);
    assert.ok(end.lines.includes(`done cause=${cause}`), end.lines.join("\n"));
    assert.deepEqual([end.code, end.signal], [code, null], end.stderr);
    if (stderr) assert.match(end.stderr, stderr);
  });
}

test("an exit code the program set survives a SIGTERM shutdown", async () => {
  const child = startFixture("endings.ts", ["exit-code"]);
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.deepEqual(end.lines.filter((l) => l.startsWith("hook ran")), ["hook ran 1 cause=signal"]);
  assert.deepEqual([end.code, end.signal], [7, null], end.stderr);
});

test("an explicit exit(3) keeps its code and runs the hook's synchronous part once", async () => {
  const end = await startFixture("endings.ts", ["explicit-exit"]).ended;
  assert.deepEqual(end.lines.filter((l) => l.startsWith("hook ran")), ["hook ran 1 cause=exit"]);
  assert.deepEqual([end.code, end.signal], [3, null], end.stderr);
});
