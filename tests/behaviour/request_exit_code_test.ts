// request(reason, { exitCode }) with a real exit, on every runtime.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

for (const code of [0, 3, 255]) {
  test(`request exitCode ${code}: the hooks run, then the process exits ${code}`, async () => {
    const end = await startFixture("request_exit_code.ts", [String(code)]).ended;
    assert.deepEqual(end.lines, ["ready", "hook ran"], end.stderr);
    assert.deepEqual([end.code, end.signal], [code, null], end.stderr);
  });
}
