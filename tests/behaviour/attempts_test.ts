// maxAttempts with real Ctrl-C (SIGINT) in a child of each runtime.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { delay, startFixture } from "../_child.ts";

test("two Ctrl-C let the protected work finish", async () => {
  const child = startFixture("attempts.ts", ["1500"]);
  await child.waitFor("ready");
  child.kill("SIGINT");
  await delay(200);
  child.kill("SIGINT");
  const end = await child.ended;
  assert.ok(end.lines.includes("work done"), end.lines.join("\n") + end.stderr);
  assert.ok(end.lines.includes("hook ran"));
  assert.ok(end.lines.includes("done forced=false attempts=2"), end.lines.join("\n"));
  assert.equal(end.lines.includes("before termination"), false);
  assert.deepEqual([end.code, end.signal], [null, "SIGINT"]);
});

test("the third Ctrl-C forces: scope aborts, hooks are cut, beforeTermination runs", async () => {
  const child = startFixture("attempts.ts", ["5000"]);
  await child.waitFor("ready");
  for (let i = 0; i < 3; i++) {
    child.kill("SIGINT");
    await delay(400); // apart: a loaded machine merged signals sent 150 ms apart
  }
  const end = await child.ended;
  assert.ok(end.lines.includes("scope aborted: forced"), end.lines.join("\n") + end.stderr);
  assert.ok(end.lines.includes("before termination"));
  assert.ok(end.lines.includes("done forced=true attempts=3"));
  assert.equal(end.lines.includes("work done"), false);
  assert.equal(end.lines.includes("hook ran"), false);
  assert.deepEqual([end.code, end.signal], [null, "SIGINT"]);
});

test("SIGHUP with terminateOnHup: false reloads and keeps running", async () => {
  const child = startFixture("hup_reload.ts");
  await child.waitFor("ready");
  child.kill("SIGHUP");
  await child.waitFor("reloaded 1");
  child.kill("SIGHUP");
  await child.waitFor("tick reloads=2");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.ok(end.lines.includes("hook ran"), end.lines.join("\n") + end.stderr);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});
