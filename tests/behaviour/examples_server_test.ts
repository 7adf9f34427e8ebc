// The server example of the runtime running the tests, under load, with a real SIGTERM.
import assert from "node:assert/strict";
import { processTest as test, runtimeName } from "../_harness.ts";
import { delay, startFixture } from "../_child.ts";
import { RawConnection } from "../_raw_http.ts";

test(`examples/server_${runtimeName}.ts drains under keep-alive load on SIGTERM`, async () => {
  const child = startFixture(`../../examples/server_${runtimeName}.ts`, [], {
    env: { PORT: "0", DRAIN_DELAY_MS: "300" },
  });
  const line = await child.waitFor(/^listening on http:\/\/127\.0\.0\.1:\d+\/$/);
  const port = Number(line.match(/:(\d+)\//)![1]);
  let sentAt = Infinity;
  const answered: string[] = [];
  const failed: string[] = [];
  const stopAt = performance.now() + 2_000;
  async function client(n: number): Promise<void> {
    let i = 0;
    while (performance.now() < stopAt) {
      const connection = new RawConnection(port);
      try {
        await connection.connected;
      } catch {
        if (performance.now() > sentAt) return; // refused once the server stopped
        throw new Error("refused before SIGTERM");
      }
      try {
        while (performance.now() < stopAt) {
          const path = `/c${n}?i=${i++}`;
          // A request sent on a connection the server closed while idle never began.
          const response = await connection.get(path).catch(() => undefined);
          if (response === undefined) break;
          if (response.body === `hello from ${path}\n`) answered.push(path);
          else failed.push(`${path}: ${response.status} ${response.body}`);
          if (response.headers["connection"] === "close") break;
        }
      } finally {
        connection.close();
      }
    }
  }
  const clients = [0, 1, 2, 3].map(client);
  await delay(400);
  const readyBefore = await new RawConnection(port).get("/ready");
  sentAt = performance.now();
  child.kill("SIGTERM");
  await delay(100);
  const readyAfter = await new RawConnection(port).get("/ready");
  await Promise.all(clients);
  const end = await child.ended;
  const took = performance.now() - sentAt;
  assert.deepEqual([readyBefore.status, readyAfter.status], [200, 503]);
  assert.deepEqual(failed, []);
  assert.ok(answered.length > 10, `${answered.length} answers`);
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
  assert.ok(took >= 300 && took < 5_000, `ended ${took} ms after SIGTERM`);
  assert.ok(end.lines.includes("database closed"), end.lines.join("\n"));
  assert.match(end.lines.at(-1)!, /^shutdown after \d+ ms: http server ok, database ok$/);
});
