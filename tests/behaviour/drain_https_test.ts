// drain() on a node:https server under a real SIGTERM, on every runtime, with a
// self-signed certificate made for the run by `openssl`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as connectTcp } from "node:net";
import { connect as connectTls } from "node:tls";
import { type ClientHttp2Session, connect as connectHttp2 } from "node:http2";
import { processTest as test, runtimeName } from "../_harness.ts";
import { type Child, delay, startFixture, until } from "../_child.ts";
import { RawConnection } from "../_raw_http.ts";

/** A directory with key.pem and cert.pem for 127.0.0.1, or why there is none. */
function certificate(): { dir: string } | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), "drain-tls-"));
  const made = spawnSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-days",
    "1",
    "-keyout",
    join(dir, "key.pem"),
    "-out",
    join(dir, "cert.pem"),
  ], { stdio: ["ignore", "ignore", "pipe"] });
  if (made.error !== undefined) return { skip: `openssl is not available: ${made.error.message}` };
  if (made.status !== 0) return { skip: `openssl failed: ${String(made.stderr)}` };
  return { dir };
}

const tls = certificate();
const skip = "skip" in tls ? tls.skip : false;

async function start(options: string[] = []): Promise<[Child, number]> {
  const dir = `tls=${"dir" in tls ? tls.dir : ""}`;
  const child = startFixture("drain_server.ts", ["node", dir, ...options]);
  const line = await child.waitFor(/^listening \d+$/);
  return [child, Number(line.split(" ")[1])];
}

test(
  "https: in-flight requests complete with Connection: close, the process ends by SIGTERM",
  async () => {
    const [child, port] = await start();
    const connections = [1, 2].map(() => new RawConnection(port, { tls: true }));
    const answers = connections.map((c, i) => c.get(`/slow?ms=800&id=t${i}`));
    await child.waitFor("begin t0");
    await child.waitFor("begin t1");
    const sent = performance.now();
    child.kill("SIGTERM");
    const responses = await Promise.all(answers);
    for (const [i, response] of responses.entries()) {
      assert.deepEqual([response.status, response.body], [200, `done t${i}`]);
      assert.equal(response.headers["connection"], "close");
    }
    const end = await child.ended;
    assert.ok(performance.now() - sent < 5_000);
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    assert.ok(
      end.lines.includes("detail 2 in flight at the stop, 2 served, 0 cut"),
      end.lines.join("\n"),
    );
  },
  { skip },
);

test(
  "https: idle TLS keep-alive and never-used TLS connections do not hold the shutdown",
  async () => {
    const [child, port] = await start();
    const idle = new RawConnection(port, { tls: true });
    assert.equal((await idle.get("/work?id=k1")).body, "ok k1");
    const unused = new RawConnection(port, { tls: true });
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
  },
  { skip },
);

test(
  "https: a connection accepted before the stop whose handshake ends after it is served",
  async () => {
    const [child, port] = await start();
    // Accepted before SIGTERM; the TLS handshake and the request come after the stop.
    const raw = connectTcp(port, "127.0.0.1");
    raw.on("error", () => {});
    await new Promise((resolve) => raw.once("connect", resolve));
    await delay(100);
    child.kill("SIGTERM");
    await delay(300);
    const secure = connectTls({ socket: raw, rejectUnauthorized: false });
    secure.on("error", () => {});
    let text = "";
    secure.setEncoding("latin1");
    secure.on("data", (chunk: string) => text += chunk);
    let handshaken = false;
    secure.once("secureConnect", () => {
      handshaken = true;
      secure.write("GET /work?id=late1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    });
    await new Promise((resolve) => secure.once("close", resolve));
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    // Bun's and Deno's node:https close a connection still in its handshake at
    // the stop: the client then knows it sent nothing. One that got through is served.
    if (runtimeName !== "node" && !handshaken) return;
    assert.ok(handshaken, "the handshake completed");
    assert.match(text, /^HTTP\/1.1 200 /, JSON.stringify(text));
    assert.match(text, /connection: close/i);
    assert.ok(text.includes("\r\nok late1\r\n"), JSON.stringify(text));
  },
  { skip },
);

/** One HTTP/2 session to 127.0.0.1:`port` (self-signed certificate). */
function http2Session(port: number, scheme = "https"): ClientHttp2Session {
  const session = connectHttp2(`${scheme}://127.0.0.1:${port}`, { rejectUnauthorized: false });
  session.on("error", () => {});
  return session;
}

/** A GET on `session`: its status and body, or the error that ended it. */
function http2Get(
  session: ClientHttp2Session,
  path: string,
  onHead?: () => void,
): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const stream = session.request({ ":path": path });
    let status = 0;
    let body = "";
    stream.setEncoding("utf8");
    stream.on("response", (headers) => {
      status = Number(headers[":status"]);
      onHead?.();
    });
    stream.on("data", (chunk: string) => body += chunk);
    stream.on("error", () => {});
    // Node's client emits "end" on a reset stream too: its code tells.
    stream.on("close", () => {
      const code = stream.rstCode ?? 0;
      resolve(code === 0 ? { status, body } : { error: `reset (code ${code}) after ${body}` });
    });
  });
}

test(
  "http2: streams in flight at the stop finish, the session gets GOAWAY, the process ends by SIGTERM",
  async () => {
    const [child, port] = await start(["h2"]);
    const session = http2Session(port);
    let heads = 0;
    const slow = http2Get(session, "/slow?ms=800&id=h0");
    const chunks = http2Get(session, "/chunks?n=8&id=h1", () => heads++);
    // The same server answers HTTP/1.1 too (allowHTTP1).
    const http1 = new RawConnection(port, { tls: true }).get("/slow?ms=800&id=h3");
    await child.waitFor("begin h0");
    await child.waitFor("begin h1");
    await child.waitFor("begin h3");
    while (heads < 1) await delay(20);
    const goaway = new Promise<boolean>((resolve) => {
      session.once("goaway", () => resolve(true));
      setTimeout(() => resolve(false), 5_000);
    });
    child.kill("SIGTERM");
    assert.deepEqual(await slow, { status: 200, body: "done h0" });
    const streamed = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => `chunk ${n}\n`).join("");
    assert.deepEqual(await chunks, { status: 200, body: streamed });
    assert.ok(await goaway, "the session got GOAWAY");
    const answer = await http1;
    assert.deepEqual([answer.status, answer.body], [200, "done h3"]);
    assert.equal(answer.headers["connection"], "close");
    session.close();
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    assert.ok(end.lines.includes("report http server:ok"), end.lines.join("\n"));
    assert.ok(
      end.lines.includes("detail 3 in flight at the stop, 3 served, 0 cut"),
      end.lines.join("\n"),
    );
  },
  { skip },
);

test(
  "http2: a never-ending stream is cut at timeoutMs and counted, idle sessions do not hold the shutdown",
  async () => {
    const [child, port] = await start(["h2", "timeout=600"]);
    const idle = http2Session(port);
    assert.equal("status" in await http2Get(idle, "/work?id=i0"), true);
    const session = http2Session(port);
    let heads = 0;
    const stream = http2Get(session, "/stream?id=h2", () => heads++);
    while (heads < 1) await delay(20);
    const sent = performance.now();
    child.kill("SIGTERM");
    const result = await stream;
    assert.ok("error" in result, JSON.stringify(result).slice(0, 200));
    const end = await child.ended;
    const took = performance.now() - sent;
    assert.ok(took >= 500 && took < 4_000, `ended ${took} ms after SIGTERM`);
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    assert.ok(end.lines.includes("report http server:cut"), end.lines.join("\n"));
    assert.ok(
      end.lines.includes("detail 1 in flight at the stop, 0 served, 1 cut"),
      end.lines.join("\n"),
    );
    idle.close();
    session.close();
  },
  { skip },
);

test("http2 without TLS: a stream in flight finishes, a never-ending one is cut", async () => {
  const child = startFixture("drain_server.ts", ["node", "h2", "timeout=800"]);
  const port = Number((await child.waitFor(/^listening \d+$/)).split(" ")[1]);
  const session = http2Session(port, "http");
  let heads = 0;
  const slow = http2Get(session, "/slow?ms=500&id=p0");
  const endless = http2Get(session, "/stream?id=p1", () => heads++);
  await child.waitFor("begin p0");
  while (heads < 1) await delay(20);
  child.kill("SIGTERM");
  assert.deepEqual(await slow, { status: 200, body: "done p0" });
  assert.ok("error" in await endless);
  session.close();
  const end = await child.ended;
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
  assert.ok(end.lines.includes("report http server:cut"), end.lines.join("\n"));
  assert.ok(
    end.lines.includes("detail 2 in flight at the stop, 1 served, 1 cut"),
    end.lines.join("\n"),
  );
});

test(
  "https: under TLS keep-alive load with a drain delay, every request the server began reaches the client",
  async () => {
    const [child, port] = await start(["delay=300"]);
    const completed = new Set<string>();
    let next = 0;
    let sentAt = Infinity;
    let stopAt = Infinity; // the load goes on 1.9 s past SIGTERM
    async function client(n: number): Promise<void> {
      while (performance.now() < stopAt) {
        const connection = new RawConnection(port, { tls: true });
        try {
          await connection.connected;
        } catch {
          if (performance.now() > sentAt) return; // refused after the stop
          continue;
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
    stopAt = sentAt + 1_900;
    child.kill("SIGTERM");
    await Promise.all(clients);
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    const begun = end.lines.filter((l) => l.startsWith("begin ")).map((l) => l.slice(6));
    assert.ok(begun.length > 20, `only ${begun.length} requests`);
    const lost = begun.filter((id) => !completed.has(id));
    assert.deepEqual(lost, [], `${lost.length} of ${begun.length} begun requests lost`);
    assert.ok(end.lines.includes("report http server:ok"), end.lines.join("\n"));
  },
  { skip },
);
