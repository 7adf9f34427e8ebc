// drain() under real signals, for every server kind the runtime has:
// Deno.serve and node:http on Deno, Bun.serve and node:http on Bun, node:http on Node.
import assert from "node:assert/strict";
import { processTest as test, runtimeName } from "../_harness.ts";
import { type Child, delay, startFixture, until } from "../_child.ts";
import { RawConnection } from "../_raw_http.ts";

const kinds = runtimeName === "deno"
  ? ["deno", "node"]
  : runtimeName === "bun"
  ? ["bun", "node"]
  : ["node"];

async function start(kind: string, options: string[] = []): Promise<[Child, number]> {
  const child = startFixture("drain_server.ts", [kind, ...options]);
  const line = await child.waitFor(/^listening \d+$/);
  return [child, Number(line.split(" ")[1])];
}

function stats(lines: string[]): Record<string, unknown> {
  const line = lines.find((l) => l.startsWith("stats "));
  assert.ok(line, `no stats line in:\n${lines.join("\n")}`);
  return JSON.parse(line.slice("stats ".length));
}

async function refused(port: number): Promise<boolean> {
  const connection = new RawConnection(port);
  try {
    await connection.connected;
    // Accepted by a backlog that is being closed: it must not be served.
    const answer = await Promise.race([
      connection.get("/work?id=late").then(() => true),
      delay(3_000),
    ]);
    return answer !== true;
  } catch {
    return true;
  } finally {
    connection.close();
  }
}

for (const kind of kinds) {
  test(`${kind}: slow in-flight requests complete after SIGTERM, new connections are refused`, async () => {
    const [child, port] = await start(kind);
    const connections = [1, 2, 3].map(() => new RawConnection(port));
    const answers = connections.map((c, i) => c.get(`/slow?ms=800&id=s${i}`));
    await child.waitFor("begin s0");
    await child.waitFor("begin s1");
    await child.waitFor("begin s2");
    const sent = performance.now();
    child.kill("SIGTERM");
    await delay(250);
    assert.ok(await refused(port), "a new connection after the stop is not served");
    const responses = await Promise.all(answers);
    for (const [i, response] of responses.entries()) {
      assert.equal(response.status, 200);
      assert.equal(response.body, `done s${i}`);
      assert.equal(response.headers["connection"], "close");
    }
    const end = await child.ended;
    assert.ok(performance.now() - sent < 5_000);
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    assert.ok(end.lines.includes("report http server:ok"), end.lines.join("\n"));
    const counted = stats(end.lines);
    assert.deepEqual(
      [counted.phase, counted.inFlight, counted.served, counted.cut],
      ["closed", 3, 3, 0],
    );
    // The report's step says it too.
    assert.ok(
      end.lines.includes("detail 3 in flight at the stop, 3 served, 0 cut"),
      end.lines.join("\n"),
    );
  });

  test(`${kind}: idle keep-alive and never-used connections do not hold the shutdown`, async () => {
    const [child, port] = await start(kind);
    const idle = new RawConnection(port);
    const answer = await idle.get("/work?id=i1");
    assert.equal(answer.body, "ok i1");
    const unused = new RawConnection(port);
    await unused.connected;
    await delay(100);
    const sent = performance.now();
    child.kill("SIGTERM");
    const end = await child.ended;
    const took = performance.now() - sent;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    assert.ok(took < 2_000, `took ${took} ms`);
    await idle.peerClosed();
    await unused.peerClosed();
  });

  test(`${kind}: during drainDelayMs new requests are served while readiness says 503`, async () => {
    const [child, port] = await start(kind, ["delay=1000"]);
    const before = await new RawConnection(port).get("/ready");
    assert.equal(before.status, 200);
    const sent = performance.now();
    child.kill("SIGTERM");
    await delay(200);
    const probe = new RawConnection(port);
    const ready = await probe.get("/ready");
    assert.equal(ready.status, 503);
    const work = await new RawConnection(port).get("/work?id=d1");
    assert.deepEqual([work.status, work.body], [200, "ok d1"]);
    assert.equal(work.headers["connection"], "close", "responses say Connection: close");
    const end = await child.ended;
    const took = performance.now() - sent;
    assert.ok(took >= 950 && took < 5_000, `ended ${took} ms after SIGTERM with a 1000 ms delay`);
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
  });

  test(`${kind}: a never-ending stream is cut at timeoutMs`, async () => {
    const [child, port] = await start(kind, ["timeout=600"]);
    const stream = new RawConnection(port);
    const head = await stream.start("/stream?id=st");
    assert.match(head, /^HTTP\/1.1 200/);
    const sent = performance.now();
    child.kill("SIGTERM");
    await stream.closed;
    const cutAfter = performance.now() - sent;
    assert.ok(cutAfter >= 500 && cutAfter < 4_000, `cut ${cutAfter} ms after SIGTERM`);
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    const counted = stats(end.lines);
    assert.deepEqual([counted.inFlight, counted.cut], [1, 1]);
    const detail = end.lines.find((line) => line.startsWith("detail "));
    assert.match(detail ?? "", /^detail 1 in flight at the stop, \d+ served, 1 cut$/);
  });

  test(`${kind}: under keep-alive load, every request the server began reaches the client`, async () => {
    const [child, port] = await start(kind);
    const completed = new Set<string>();
    let next = 0;
    let sentAt = Infinity;
    let stopAt = Infinity; // the load goes on 1.6 s past SIGTERM
    async function client(n: number): Promise<void> {
      while (performance.now() < stopAt) {
        const connection = new RawConnection(port);
        try {
          await connection.connected;
        } catch {
          if (performance.now() > sentAt) return; // refused after the stop
          throw new Error("refused before SIGTERM");
        }
        try {
          while (performance.now() < stopAt) {
            const id = `c${n}-${next++}`;
            const response = await connection.get(`/work?id=${id}`);
            if (response.body === `ok ${id}`) completed.add(id);
            if (response.headers["connection"] === "close") break;
          }
        } catch {
          // The server closed an idle connection: reconnect.
        } finally {
          connection.close();
        }
      }
    }
    const clients = [0, 1, 2, 3].map(client);
    // Under load for real before the stop, however slow the machine is today.
    await until(() => completed.size > 20, 10_000);
    sentAt = performance.now();
    stopAt = sentAt + 1_600;
    child.kill("SIGTERM");
    await Promise.all(clients);
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    const begun = end.lines.filter((l) => l.startsWith("begin ")).map((l) => l.slice(6));
    assert.ok(begun.length > 20, `only ${begun.length} requests`);
    const lost = begun.filter((id) => !completed.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${begun.length} begun requests lost`);
  });
}
