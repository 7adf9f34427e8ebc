// drain() under clients that behave like real ones: a slow reader of a large
// response, a keep-alive connection whose stream is in flight at the stop, a
// TLS handshake that completes after the stop, several servers in one process.
// Real signals, every server kind the runtime has.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { processTest as test, runtimeName } from "../_harness.ts";
import { type Child, delay, startFixture } from "../_child.ts";
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

/** A raw connection that counts every byte it receives, and can stop reading. */
class Reader {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  #chunks: Buffer[] = [];
  /** How many bytes arrived. */
  length = 0;
  #wake: (() => void) | undefined;
  #ended = false;
  constructor(port: number) {
    this.socket = connect(port, "127.0.0.1");
    this.socket.on("error", () => {});
    this.socket.on("data", (chunk: Buffer) => {
      // Only the head (and short bodies) are kept as text.
      if (this.length < 65_536) this.#chunks.push(chunk);
      this.length += chunk.length;
      this.#wake?.();
    });
    this.closed = new Promise((resolve) =>
      this.socket.once("close", () => {
        this.#ended = true;
        this.#wake?.();
        resolve();
      })
    );
  }
  send(path: string): void {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  }
  async until(ready: () => boolean): Promise<boolean> {
    while (!ready()) {
      if (this.#ended) return false;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    return true;
  }
  get text(): string {
    return Buffer.concat(this.#chunks).toString("latin1");
  }
}

for (const kind of kinds) {
  test(`${kind}: a 16 MiB response to a client that pauses reading arrives whole`, async () => {
    const [child, port] = await start(kind);
    const client = new Reader(port);
    client.send("/big?mb=16&id=b1");
    await client.until(() => client.text.includes("\r\n\r\n"));
    client.socket.pause();
    await child.waitFor("begin b1");
    await delay(100);
    child.kill("SIGTERM");
    await delay(500);
    client.socket.resume();
    await client.closed;
    const head = client.text.slice(0, client.text.indexOf("\r\n\r\n"));
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1]);
    assert.equal(length, 16 * 1024 * 1024, head);
    const body = client.length - head.length - 4;
    assert.equal(body, length, `${body} of ${length} bytes arrived`);
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    const counted = stats(end.lines);
    // Deno.serve tells the wrapper a response has gone out once Deno holds all of
    // it, before the client read it: there it may count as served before the stop.
    const seen = kind === "deno" ? counted.inFlight as number : 1;
    assert.deepEqual([counted.inFlight, counted.served, counted.cut], [seen, seen, 0]);
  });
}

for (const kind of kinds.filter((k) => k !== "node")) {
  test(`${kind}: a request still waiting for its handler at timeoutMs is answered 503`, async () => {
    const [child, port] = await start(kind, ["timeout=500"]);
    const client = new Reader(port);
    client.send("/slow?ms=10000&id=w1");
    await child.waitFor("begin w1");
    child.kill("SIGTERM");
    await client.closed;
    assert.match(client.text, /^HTTP\/1.1 503 /, JSON.stringify(client.text));
    assert.match(client.text, /connection: close/i);
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    const counted = stats(end.lines);
    assert.deepEqual([counted.inFlight, counted.served, counted.cut], [1, 0, 1]);
  });
}

for (const kind of kinds) {
  // Its headers said keep-alive before the stop, so the client sends its next
  // request on the same connection as soon as the stream ends.
  // Deno.serve, Bun.serve and Deno's node:http close the connection themselves
  // once the response ends: the client then sees a clean close, nothing begun.
  const answers = kind === "node" && runtimeName !== "deno";
  const what = answers ? "is answered with Connection: close" : "is never begun";
  test(`${kind}: the next request on a keep-alive connection whose stream was in flight ${what}`, async () => {
    const [child, port] = await start(kind);
    const connections = [0, 1, 2, 3].map(() => new RawConnection(port));
    const streams = connections.map((c, i) => c.get(`/chunks?n=8&id=k${i}`));
    for (const i of [0, 1, 2, 3]) await child.waitFor(`begin k${i}`);
    await delay(250); // the heads (keep-alive) and the first chunks are out
    child.kill("SIGTERM");
    const nexts = streams.map(async (stream, i) => {
      const response = await stream;
      assert.equal(response.body, [0, 1, 2, 3, 4, 5, 6, 7].map((n) => `chunk ${n}\n`).join(""));
      return await connections[i].get(`/work?id=n${i}`).catch(() => undefined);
    });
    const replies = await Promise.all(nexts);
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    for (const [i, answer] of replies.entries()) {
      if (answer !== undefined) {
        assert.deepEqual([answer.status, answer.body], [200, `ok n${i}`]);
        assert.equal(answer.headers["connection"], "close");
      } else {
        // Closed before reading it: the handler must not have begun it.
        assert.ok(!end.lines.includes(`begin n${i}`), `n${i} begun and never answered`);
      }
    }
    if (answers) assert.equal(replies.filter((a) => a === undefined).length, 0);
    const counted = stats(end.lines);
    const answered = replies.filter((a) => a !== undefined).length;
    assert.deepEqual([counted.inFlight, counted.served, counted.cut], [4, 4 + answered, 0]);
  });
}

/** Whether a request on a new connection to `port` goes unanswered (refused, or closed). */
async function refused(port: number): Promise<boolean> {
  const connection = new RawConnection(port);
  try {
    await connection.connected;
    const answer = await Promise.race([
      connection.get("/work?id=late").then(() => true),
      delay(1_500),
    ]);
    return answer !== true;
  } catch {
    return true;
  } finally {
    connection.close();
  }
}

for (const kind of kinds) {
  test(`${kind}: three drained servers all stop at the stop and end within one timeoutMs`, async () => {
    const child = startFixture("drain_server.ts", [kind, "servers=3", "timeout=1500"]);
    await child.waitFor(/^listening \d+$/);
    while (child.lines.filter((l) => l.startsWith("listening ")).length < 3) await delay(20);
    const ports = child.lines.filter((l) => l.startsWith("listening ")).map((l) =>
      Number(l.split(" ")[1])
    );
    const streams = ports.map((port) => new RawConnection(port));
    for (const [i, stream] of streams.entries()) await stream.start(`/stream?id=st${i}`);
    const sent = performance.now();
    child.kill("SIGTERM");
    await delay(300);
    const late = await Promise.all(ports.map(refused));
    assert.deepEqual(late, [true, true, true], "every server refuses after the stop");
    const end = await child.ended;
    const took = performance.now() - sent;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    assert.ok(took < 2_900, `ended ${took} ms after SIGTERM with timeoutMs 1500 for each`);
    const report = end.lines.find((l) => l.startsWith("report ")) ?? "";
    for (const name of ["server 1", "server 2", "server 3"]) {
      assert.match(report, new RegExp(`${name}:`), report);
    }
    for (const stream of streams) stream.close();
  });
}

for (const kind of kinds) {
  test(`${kind}: a stream cut at timeoutMs makes the step "cut", said on stderr`, async () => {
    const [child, port] = await start(kind, ["timeout=400"]);
    const stream = new RawConnection(port);
    await stream.start("/stream?id=c1");
    child.kill("SIGTERM");
    await stream.closed;
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
    assert.ok(end.lines.includes("report http server:cut"), end.lines.join("\n"));
    assert.ok(
      end.lines.includes("detail 1 in flight at the stop, 0 served, 1 cut"),
      end.lines.join("\n"),
    );
    assert.match(end.stderr, /cut .*http server.*1 cut/, end.stderr);
    assert.doesNotMatch(end.stderr, /\n\s+at /, "no stack trace");
  });

  test(`${kind}: on a forced end the step's detail counts the request it cut`, async () => {
    const [child, port] = await start(kind, ["timeout=10000"]);
    const stream = new RawConnection(port);
    await stream.start("/stream?id=f1");
    for (const _ of [1, 2, 3]) {
      child.kill("SIGTERM");
      await delay(150);
    }
    await stream.closed;
    const end = await child.ended;
    const counted = stats(end.lines);
    assert.equal(counted.cut, 1);
    assert.ok(end.lines.includes("report http server:cut"), end.lines.join("\n"));
    assert.ok(
      end.lines.includes("detail 1 in flight at the stop, 0 served, 1 cut"),
      end.lines.join("\n"),
    );
  });
}

for (const kind of kinds) {
  test(`${kind}: an upload in progress at the stop is read to its end and answered`, async () => {
    const [child, port] = await start(kind);
    const client = new Reader(port);
    const size = 200_000;
    client.socket.write(
      `POST /upload?id=u1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${size}\r\n\r\n`,
    );
    client.socket.write(Buffer.alloc(size / 2, 97));
    await delay(300);
    child.kill("SIGTERM");
    await delay(300);
    client.socket.write(Buffer.alloc(size / 2, 98));
    await client.until(() => client.text.includes(`got ${size}`));
    assert.match(client.text, /^HTTP\/1.1 200 /, client.text);
    assert.ok(client.text.includes(`\r\ngot ${size}`), client.text);
    client.socket.destroy();
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
  });
}

for (const kind of kinds.filter((k) => k !== "node")) {
  test(`${kind}: a complete response during drainDelayMs keeps its Content-Length`, async () => {
    const [child, port] = await start(kind, ["delay=600"]);
    child.kill("SIGTERM");
    await delay(200);
    const connection = new RawConnection(port);
    const response = await connection.get("/big?mb=1&id=l1");
    connection.close();
    assert.equal(response.headers["connection"], "close");
    assert.equal(
      response.headers["content-length"],
      String(1024 * 1024),
      JSON.stringify(response.headers),
    );
    assert.equal(response.body.length, 1024 * 1024);
    const end = await child.ended;
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
  });
}
