// examples/supervisor.ts under real signals: its two workers stop with it,
// are asked once only, and none outlives it.
import assert from "node:assert/strict";
import process from "node:process";
import { processTest as test } from "../_harness.ts";
import { type Child, startFixture } from "../_child.ts";
import { gone, running } from "../_proc.ts";

const skip: string | false = process.platform === "linux"
  ? false
  : "survivors are counted through /proc (Linux)";

async function start(): Promise<{ supervisor: Child; workers: number[] }> {
  const supervisor = startFixture("../../examples/supervisor.ts");
  const workers: number[] = [];
  for (const name of ["worker A", "worker B"]) {
    const line = await supervisor.waitFor(new RegExp(`^${name}: ready \\(pid \\d+\\)$`));
    workers.push(Number(/pid (\d+)/.exec(line)![1]));
  }
  await supervisor.waitFor(/^worker [AB]: tick 1$/);
  return { supervisor, workers };
}

async function survivors(workers: number[]): Promise<number> {
  let count = 0;
  for (const pid of workers) {
    if (await gone(pid, 500) === -1) {
      count++;
      process.kill(pid, "SIGKILL");
    }
  }
  return count;
}

for (const [signal, group] of [["SIGTERM", false], ["SIGINT", true]] as const) {
  const how = group ? "Ctrl-C (SIGINT to the whole group)" : "SIGTERM to the supervisor";
  test(`examples/supervisor.ts: ${how} stops both workers, each asked once`, async () => {
    const { supervisor, workers } = await start();
    try {
      supervisor.kill(signal);
      if (group) { for (const pid of workers) process.kill(pid, "SIGINT"); }
      const end = await supervisor.ended;
      const said = (line: string) => end.lines.includes(line);
      for (const name of ["worker A", "worker B"]) {
        assert.ok(said(`${name}: stopping (${signal})`), end.lines.join("\n") + end.stderr);
        assert.ok(said(`${name}: stopped`));
        assert.ok(said(`${name}: asked to stop 1 time(s)`), "never hit twice");
      }
      assert.ok(
        said(`supervisor: worker B: ok, worker A: ok; ending by {"signal":"${signal}"}`),
        end.lines.join("\n"),
      );
      assert.deepEqual([end.code, end.signal], [null, signal]);
      assert.equal(await survivors(workers), 0);
    } finally {
      for (const pid of workers) if (running(pid)) process.kill(pid, "SIGKILL");
    }
  }, { skip, timeoutMs: 30_000 });
}
