/**
 * Deno's console handler protocol, checked on Linux: the HandlerRoutine
 * pointer is called from a native thread started by libc's pthread_create,
 * as Windows calls it from a thread of its own (same x64 register for the
 * event code and the result). Deno's Windows build does not start under
 * Wine 8, so this is the Deno evidence.
 *
 * POSIX only (pthreads); on Windows itself the real console delivers the events.
 *
 * Run: deno test --allow-ffi --allow-run --allow-read tests/windows/deno_ffi_hold_test.ts
 */

import assert from "node:assert/strict";
import {
  _installDenoHandlerForTests,
  installConsoleHandler,
} from "../../src/runtime/deno/windows_console.ts";
import type { StopEvent, StopEventListener } from "../../src/core/runtime_adapter.ts";

const CLEANUP_MS = 700;
const SLACK_MS = 400;

const libc = Deno.dlopen(Deno.build.os === "darwin" ? "/usr/lib/libSystem.B.dylib" : "libc.so.6", {
  pthread_create: { parameters: ["buffer", "pointer", "pointer", "pointer"], result: "i32" },
  pthread_join: { parameters: ["usize", "buffer"], result: "i32", nonblocking: true },
});

/** Calls `routine(code)` on a new native thread; resolves once it returned. */
async function callOnNativeThread(
  routine: Deno.PointerObject,
  code: number,
): Promise<{ returned: number; heldMs: number }> {
  const thread = new BigUint64Array(1);
  const started = performance.now();
  const argument = Deno.UnsafePointer.create(BigInt(code));
  assert.equal(libc.symbols.pthread_create(thread, null, routine, argument), 0);
  const result = new BigUint64Array(1);
  assert.equal(await libc.symbols.pthread_join(thread[0], result), 0);
  // A HandlerRoutine returns a BOOL in eax: the low 32 bits.
  return { returned: Number(result[0] & 0xffffffffn), heldMs: performance.now() - started };
}

/** Installs the handler with a stand-in for kernel32; resolves to its pointer. */
async function install(listener: StopEventListener, holdLimitMs?: number) {
  let unregistered = false;
  const pointer = Promise.withResolvers<Deno.PointerObject>();
  const uninstall = _installDenoHandlerForTests(
    listener,
    { writeStderr: (text) => assert.fail(text), holdLimitMs },
    (routine) => {
      pointer.resolve(routine);
      return () => unregistered = true;
    },
  );
  // The worker is unref'd, so something else must keep the test alive meanwhile.
  const keepAlive = setTimeout(() => {}, 10_000);
  const routine = await pointer.promise;
  clearTimeout(keepAlive);
  return { routine, uninstall, unregistered: () => unregistered };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

for (const [code, name] of [[2, "CTRL_CLOSE"], [5, "CTRL_LOGOFF"], [6, "CTRL_SHUTDOWN"]] as const) {
  Deno.test(`${name} holds the native thread until the async cleanup is done`, async () => {
    const log: string[] = [];
    const events: StopEvent[] = [];
    const handler = await install(async (event) => {
      events.push(event);
      await sleep(CLEANUP_MS);
      log.push("cleanup done");
    });
    const { returned, heldMs } = await callOnNativeThread(handler.routine, code);
    log.push("thread returned");
    handler.uninstall();
    console.log(`${name}: returned ${returned}, held ${heldMs.toFixed(0)} ms`);
    assert.deepEqual(events, [{ kind: "console", event: name }]);
    assert.deepEqual(log, ["cleanup done", "thread returned"]);
    assert.equal(returned, 1);
    assert.ok(heldMs >= CLEANUP_MS && heldMs < CLEANUP_MS + SLACK_MS, `held ${heldMs} ms`);
    assert.ok(handler.unregistered());
  });
}

for (const [code, name] of [[0, "CTRL_C"], [1, "CTRL_BREAK"]] as const) {
  Deno.test(`${name} returns FALSE at once and is left to the signal path`, async () => {
    let called = false;
    const handler = await install(() => {
      called = true;
    });
    const { returned, heldMs } = await callOnNativeThread(handler.routine, code);
    handler.uninstall();
    console.log(`${name}: returned ${returned}, held ${heldMs.toFixed(0)} ms`);
    assert.equal(returned, 0);
    assert.ok(heldMs < 200, `held ${heldMs} ms`);
    await sleep(50);
    assert.equal(called, false);
  });
}

Deno.test("a cleanup that never ends is cut at holdLimitMs", async () => {
  const handler = await install(() => new Promise<void>(() => {}), 1_000);
  const { returned, heldMs } = await callOnNativeThread(handler.routine, 5);
  handler.uninstall();
  console.log(`hanging cleanup: returned ${returned}, held ${heldMs.toFixed(0)} ms (limit 1000)`);
  assert.equal(returned, 1);
  assert.ok(heldMs >= 1_000 && heldMs < 1_000 + SLACK_MS, `held ${heldMs} ms`);
});

Deno.test("a cleanup that rejects or throws releases at once", async () => {
  for (
    const listener of [() => Promise.reject(new Error("boom")), () => {
      throw new Error("boom");
    }]
  ) {
    const handler = await install(listener, 3_000);
    const { returned, heldMs } = await callOnNativeThread(handler.routine, 2);
    handler.uninstall();
    assert.equal(returned, 1);
    assert.ok(heldMs < 200, `held ${heldMs} ms`);
  }
});

Deno.test("uninstalling releases a held thread and unregisters", async () => {
  const handler = await install(() => new Promise<void>(() => {}), 10_000);
  const call = callOnNativeThread(handler.routine, 6);
  await sleep(300);
  handler.uninstall();
  const { returned, heldMs } = await call;
  console.log(`uninstall during a hold: returned ${returned}, held ${heldMs.toFixed(0)} ms`);
  assert.equal(returned, 1);
  assert.ok(heldMs >= 300 && heldMs < 300 + SLACK_MS, `held ${heldMs} ms`);
  assert.ok(handler.unregistered());
});

Deno.test("holdLimitMs is validated", () => {
  for (const holdLimitMs of [-1, 1.5, NaN, Infinity]) {
    assert.throws(
      () => installConsoleHandler(() => {}, { writeStderr: () => {}, holdLimitMs }),
      (error: unknown) => error instanceof RangeError && error.message.includes("holdLimitMs"),
    );
  }
});

/** Runs a fixture in a fresh Deno; returns its status, output and duration. */
async function runFixture(name: string, flags: string[]) {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, new URL(`fixtures/${name}`, import.meta.url).pathname],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(20_000),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
    ms: performance.now() - started,
  };
}

Deno.test("an installed handler does not keep the program alive", async () => {
  const run = await runFixture("deno_natural_end.ts", ["--allow-ffi"]);
  console.log(`natural end with the handler installed: ${run.ms.toFixed(0)} ms`);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "registered\nend of program\n");
  // Held by the handler, it would run until the 20 s timeout.
  assert.ok(run.ms < 8_000, `${run.ms} ms`);
});

Deno.test("without --allow-ffi it writes one line and returns undefined", async () => {
  const run = await runFixture("deno_no_ffi.ts", []);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "undefined\n");
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /CTRL_CLOSE, CTRL_LOGOFF and CTRL_SHUTDOWN .*--allow-ffi/);
});
