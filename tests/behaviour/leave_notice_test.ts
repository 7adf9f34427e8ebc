// When the library leaves the end to the program's own signal listener, it
// says so in one line on stderr: which signal, the status, until when.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

test("an own SIGTERM listener and a timer alive: one stderr line says what the process waits for", async () => {
  const child = startFixture("own_stubborn.ts");
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.deepEqual(end.lines, ["ready", "own listener", "hook ran"], end.stderr);
  const notices = end.stderr.split("\n").filter((line) =>
    line.includes("another SIGTERM listener")
  );
  assert.equal(notices.length, 1, end.stderr);
  assert.match(
    notices[0],
    /is left to end the process: if it has not ended by \d{4}-\d\d-\d\dT[\d:.]+Z \(in \d\.\d s\), it exits with 143$/,
  );
  assert.deepEqual([end.code, end.signal], [143, null]);
});

test("no own listener: the process dies by the signal and says nothing of the kind", async () => {
  const child = startFixture("signals_option.ts");
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.doesNotMatch(end.stderr, /listener/);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});
