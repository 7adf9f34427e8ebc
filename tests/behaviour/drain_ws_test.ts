// drain() closes WebSockets with 1001 under a real SIGTERM, for every server
// kind the runtime has, seen by the runtime's own WebSocket client.
import assert from "node:assert/strict";
import { processTest as test, runtimeName } from "../_harness.ts";
import { startFixture } from "../_child.ts";

const kinds = runtimeName === "deno"
  ? ["deno", "node"]
  : runtimeName === "bun"
  ? ["bun", "node"]
  : ["node"];

const TIMEOUT_MS = 2_000;

for (const kind of kinds) {
  // Deno.serve closes upgraded sockets when it stops accepting; the others at timeoutMs.
  const when = kind === "deno" ? "when it stops accepting" : "at timeoutMs";
  test(`${kind}: an open WebSocket is closed with 1001 ${when}, the process ends by SIGTERM`, async () => {
    const child = startFixture("drain_server.ts", [kind, `timeout=${TIMEOUT_MS}`]);
    const port = Number((await child.waitFor(/^listening \d+$/)).split(" ")[1]);
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`);
    const closed = new Promise<{ code: number; reason: string; at: number }>((resolve) => {
      socket.addEventListener("close", (event) => {
        resolve({ code: event.code, reason: event.reason, at: performance.now() });
      });
    });
    await new Promise((resolve, reject) => {
      socket.addEventListener("open", resolve);
      socket.addEventListener("error", reject);
    });
    await child.waitFor("ws open");
    const sent = performance.now();
    child.kill("SIGTERM");
    const close = await closed;
    const after = close.at - sent;
    assert.equal(close.code, 1001, `close code ${close.code} (${close.reason})`);
    // Registered sockets get the documented reason; Bun.serve's own say "Server closed".
    if (kind !== "bun") assert.equal(close.reason, "server shutting down");
    if (kind === "deno") assert.ok(after < TIMEOUT_MS - 500, `closed ${after} ms after SIGTERM`);
    else {assert.ok(
        after >= TIMEOUT_MS - 200 && after < TIMEOUT_MS + 4_000,
        `closed after ${after} ms`,
      );}
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    assert.ok(performance.now() - sent < TIMEOUT_MS + 5_000);
    const line = end.lines.find((l) => l.startsWith("stats "));
    assert.ok(line, end.lines.join("\n"));
    assert.equal(JSON.parse(line.slice(6)).webSockets, 1);
    const detail = end.lines.find((l) => l.startsWith("detail "));
    assert.match(detail ?? "", /, 1 WebSocket closed \(1001\)$/);
  });
}
