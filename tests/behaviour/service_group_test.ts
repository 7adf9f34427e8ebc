// A group of services stops together under a real SIGTERM, on every runtime.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

test("groups: under SIGTERM the members' stops run together, each within its own timeout", async () => {
  const child = startFixture("service_group.ts");
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.deepEqual(end.lines.slice(1, 6), [
    "stop http begins",
    "stop grpc begins", // before http ended: together
    "stop http ends",
    "stop db", // after the group: grpc was cut at its 400 ms
    "report http:ok grpc:timed-out db:ok",
  ], end.stderr);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
});
