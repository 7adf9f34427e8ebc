// The library living with the program's own handlers, other libraries and
// whatever else ends the process (README, "Living with other handlers").
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { processTest as test, runtimeName } from "../_harness.ts";
import { type ChildEnd, delay, runtimeCommand, startFixture } from "../_child.ts";

async function stopped(mode: string, signal: "SIGTERM" | "SIGINT" = "SIGTERM"): Promise<ChildEnd> {
  const child = startFixture("others.ts", [mode]);
  await child.waitFor("ready");
  child.kill(signal);
  return await child.ended;
}

function count(end: ChildEnd, line: string): number {
  return end.lines.filter((l) => l === line).length;
}

const show = (end: ChildEnd): string => `${end.lines.join("\n")}\n${end.stderr}`;

test("after a signal, the program's exit listeners run once, then it dies by the signal", async () => {
  const end = await stopped("exit-listeners");
  assert.equal(count(end, "hook ran"), 1, show(end));
  assert.equal(count(end, "own exit listener"), 1, show(end));
  assert.equal(count(end, "own before-exit 1"), 0, show(end));
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});

test("at the natural end, the program's end and exit listeners run once each", async () => {
  const end = await startFixture("others.ts", ["natural-end"]).ended;
  assert.equal(count(end, "hook ran"), 1, show(end));
  assert.equal(count(end, "own before-exit 1"), 1, show(end));
  assert.equal(count(end, "own before-exit 2"), 0, show(end));
  assert.equal(count(end, "own exit listener"), 1, show(end));
  assert.deepEqual([end.code, end.signal], [0, null]);
});

test("a rejection handled by process.on('unhandledRejection') stays handled", async () => {
  const end = await startFixture("others.ts", ["rejection-process"]).ended;
  assert.ok(end.lines.includes("handled oops"), show(end));
  assert.ok(end.lines.includes("still running"), show(end));
  assert.doesNotMatch(end.stderr, /Uncaught|oops/);
  assert.deepEqual([end.code, end.signal], [0, null]);
});

test("a rejection cancelled by a later unhandledrejection listener stays handled", async () => {
  const end = await startFixture("others.ts", ["rejection-event"]).ended;
  assert.ok(end.lines.includes("handled oops"), show(end));
  assert.ok(end.lines.includes("still running"), show(end));
  assert.doesNotMatch(end.stderr, /Uncaught|oops/);
  assert.deepEqual([end.code, end.signal], [0, null]);
}, {
  skip: runtimeName !== "deno" &&
    `${runtimeName} dispatches no unhandledrejection event on globalThis`,
});

test("the program's own SIGTERM listener runs once, and one SIGTERM is one attempt", async () => {
  const end = await stopped("own-listener");
  assert.equal(count(end, "own listener 1"), 1, show(end));
  assert.equal(count(end, "own listener 2"), 0, show(end));
  assert.ok(end.lines.includes("attempts 1"), show(end));
  assert.deepEqual([end.code, end.signal], [143, null]);
});

test("an own SIGTERM listener added before the library's first use also runs once", async () => {
  const end = await stopped("own-listener-first");
  assert.equal(count(end, "own listener 1"), 1, show(end));
  assert.equal(count(end, "own listener 2"), 0, show(end));
  assert.ok(end.lines.includes("attempts 1"), show(end));
  assert.deepEqual([end.code, end.signal], [143, null]);
});

test("two Ctrl-C with the program's own SIGINT listener do not force the end", async () => {
  const child = startFixture("others.ts", ["own-listener"]);
  await child.waitFor("ready");
  child.kill("SIGINT");
  const end = await child.ended;
  assert.ok(end.lines.includes("attempts 1"), show(end));
  assert.deepEqual([end.code, end.signal], [null, "SIGINT"]);
});

test("the program's own async SIGTERM cleanup finishes and its exit(0) wins", async () => {
  const end = await stopped("own-async");
  assert.equal(count(end, "own cleanup starts"), 1, show(end));
  assert.ok(end.lines.includes("own cleanup done"), show(end));
  assert.ok(end.lines.includes("hook ran"), show(end));
  assert.deepEqual([end.code, end.signal], [0, null]);
});

test("an own listener that never ends the process: the deadline ends it with 143", async () => {
  const child = startFixture("own_stubborn.ts");
  await child.waitFor("ready");
  const sent = performance.now();
  child.kill("SIGTERM");
  const end = await child.ended;
  const took = performance.now() - sent;
  assert.ok(end.lines.includes("own listener"), show(end));
  assert.ok(end.lines.includes("hook ran"), show(end));
  assert.ok(took < 20_000, `took ${took} ms`);
  assert.deepEqual([end.code, end.signal], [143, null]);
});

test("a worker that uses shutdown does not swallow the main thread's signal", async () => {
  const end = await stopped("worker");
  assert.ok(end.lines.includes("attempts 1"), show(end));
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
}, { skip: runtimeName === "node" && "Node has no global Web Worker" });

test("a hook's 2 MiB on a slowly read stdout all arrive before the process dies", async () => {
  const [command, argv] = runtimeCommand(
    fileURLToPath(new URL("../fixtures/others.ts", import.meta.url)),
    ["big-output"],
  );
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
  const ended = new Promise<[number | null, string | null]>((resolve) =>
    child.on("close", (code, signal) => resolve([code, signal]))
  );
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  let bytes = 0;
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => stderr += chunk);
  const ready = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (chunk.includes("ready")) {
        child.stdout!.off("data", onData);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
  });
  await ready;
  child.stdout!.pause();
  child.kill("SIGTERM");
  await delay(300); // a slow reader: the pipe fills, the rest waits in the child
  child.stdout!.on("data", (chunk: Buffer) => bytes += chunk.length);
  child.stdout!.resume();
  const status = await ended;
  clearTimeout(killer);
  assert.ok(bytes >= 2 * 1024 * 1024, `${bytes} bytes arrived\n${stderr}`);
  assert.deepEqual(status, [null, "SIGTERM"], stderr);
});

test("two copies of the library share one shutdown and know each other's errors", async () => {
  const child = startFixture("two_copies.ts");
  await child.waitFor("ready");
  child.kill("SIGTERM");
  const end = await child.ended;
  assert.ok(end.lines.includes("instanceof across copies true true"), show(end));
  assert.ok(end.lines.includes("plain errors false"));
  assert.equal(count(end, "hook of the second copy"), 1, show(end));
  assert.equal(count(end, "hook of the first copy"), 1, show(end));
  assert.ok(end.lines.includes("report second first temp"), show(end));
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
});

const unshare = ["--pid", "--fork", "--mount-proc"];
const noNamespace = spawnSync("unshare", [...unshare, "true"]).status === 0
  ? false
  : "`unshare --pid --fork --mount-proc` failed here (it needs root or user namespaces)";

test("as PID 1, where a re-raised signal cannot end it, the status is still 143", async () => {
  const [command, argv] = runtimeCommand(
    fileURLToPath(new URL("../fixtures/others.ts", import.meta.url)),
    ["pid1"],
  );
  const child = spawn("unshare", [...unshare, command, ...argv], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => out += chunk);
  child.stderr!.on("data", (chunk: Buffer) => out += chunk);
  const killer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const status = await new Promise<[number | null, string | null]>((resolve) =>
    child.on("close", (code, signal) => resolve([code, signal]))
  );
  clearTimeout(killer);
  assert.match(out, /hook ran/);
  assert.deepEqual(status, [143, null], out);
}, { skip: noNamespace });
