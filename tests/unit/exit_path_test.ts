// The Node and Bun exit path over a hand-made `process`: the program's exit
// listeners run before the final flush (and once), the notice when the end is
// left to another listener, and the status of a signal that differs by OS.

import assert from "node:assert/strict";
import { _processAdapter } from "../../src/runtime/_process_adapter.ts";
import { test } from "../_harness.ts";
import { StubProcess } from "./_stub_process.ts";

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A stub whose stdout records writes and its end, in order. */
function withStdout(platform: "linux" | "win32" = "linux") {
  const proc = new StubProcess(platform);
  const order: string[] = [];
  const stdout = {
    write: (text: string, callback?: () => void) => {
      order.push(`write ${text.trim()}`);
      callback?.();
      return true;
    },
    end: (callback?: () => void) => {
      order.push("end");
      callback?.();
    },
  };
  Object.defineProperty(proc, "stdout", { value: stdout });
  return { proc, order, stdout };
}

test("exit path (bun): exit listeners write before the streams end, and run once", async () => {
  const { proc, order, stdout } = withStdout();
  proc.exitThrows = false;
  const codes: unknown[] = [];
  proc.on("exit", (code) => {
    codes.push(code);
    stdout.write("last words\n");
  });
  const adapter = _processAdapter("bun", proc);
  await adapter.flush!({ signal: "SIGTERM" }, 100);
  assert.deepEqual(order, ["write last words", "end"]);
  adapter.dieBy("SIGTERM");
  assert.deepEqual(codes, [143], "not run a second time by the death");
  assert.deepEqual(proc.kills, [[4242, "SIGTERM"]]);
  await delay(600); // the re-raise fallback
});

test("exit path (bun): with an exit code, the listeners run before the flush and not again", async () => {
  const { proc, order, stdout } = withStdout();
  let really: number | undefined;
  Object.defineProperty(proc, "reallyExit", { value: (code: number) => really = code });
  const codes: unknown[] = [];
  proc.on("exit", (code) => {
    codes.push(code);
    stdout.write("bye\n");
  });
  const adapter = _processAdapter("bun", proc);
  await adapter.flush!({ code: 3 }, 100);
  assert.deepEqual(order, ["write bye", "end"]);
  assert.equal(proc.exitCode, 3, "listeners see the code, as with exit()");
  adapter.exit(3);
  assert.equal(really, 3);
  assert.deepEqual(proc.exits, [], "exit(), which would run them again, is not called");
  assert.deepEqual(codes, [3]);
});

test("exit path: leaving the end to another listener says so once, with the status and until when", async () => {
  const proc = new StubProcess("linux");
  proc.exitThrows = false;
  proc.on("SIGTERM", () => {});
  const lines: string[] = [];
  const adapter = _processAdapter("node", proc);
  adapter.dieBy("SIGTERM", { withinMs: 50, say: (line) => lines.push(line) });
  assert.equal(lines.length, 1);
  assert.match(lines[0], /another SIGTERM listener \(the program's or a library's\) is left/);
  assert.match(lines[0], /by \d{4}-\d\d-\d\dT[\d:.]+Z \(in 0\.1 s\), it exits with 143$/);
  assert.equal(proc.exitCode, 143);
  await delay(100);
  assert.deepEqual(proc.exits, [143], "the deadline ends it");
});

test("exit path: no notice when the end is not waited for", () => {
  const proc = new StubProcess("linux");
  proc.exitThrows = false;
  proc.on("SIGTERM", () => {});
  const lines: string[] = [];
  _processAdapter("node", proc).dieBy("SIGTERM", { withinMs: 0, say: (line) => lines.push(line) });
  assert.deepEqual(lines, []);
  assert.deepEqual(proc.exits, [143]);
});

test("exit path: SIGUSR2's status is 140 on Linux, 159 on macOS (its number differs)", () => {
  for (const [platform, status] of [["linux", 140], ["darwin", 159]] as const) {
    const proc = new StubProcess(platform as "linux");
    Object.defineProperty(proc, "platform", { value: platform });
    proc.exitThrows = false;
    proc.on("SIGUSR2", () => {});
    _processAdapter("node", proc).dieBy("SIGUSR2");
    assert.deepEqual(proc.exits, [status], platform);
  }
});
