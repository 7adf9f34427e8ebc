/**
 * Drain under real clients: keep-alive TLS load of short requests, streamed
 * responses and 16 MiB responses read by slow readers, with a 500 ms drain
 * delay and SIGTERM in the middle, for each runtime and server kind, with the
 * library's drain() beside http-terminator (node:https) and a naive exit.
 * Run from the project root with Node >= 22.18 and `openssl` on PATH:
 *
 *   node bench/drain_clients_bench.ts [--runs N] [--out bench/RESULTS_drain_clients.md]
 *
 * Per run: 6 TLS keep-alive connections for 3 s, each asking in turn for
 * /work (0-20 ms), /work, /chunks (5 chunks 50 ms apart) and /big (16 MiB,
 * read after a 300 ms pause); SIGTERM after 1 s. Columns:
 *   lost       requests the server began that never reached the client
 *              complete (ids in its "begin" lines minus the complete ones); goal 0
 *   cut        the drain's report: requests it cut (goal: equal to lost)
 *   served     the report's served count / responses completed after SIGTERM
 *              as the clients saw them (goal: equal, within the few
 *              responses that end while the signal is on its way)
 *   gone ms    from SIGTERM until the process is gone (>= 500: the delay)
 * Each cell is the worst of `--runs` runs (default 3).
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { connect, type TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnServer } from "./_spawn_server.ts";
import { flag, machineLine, serverRuntimes } from "./_drain_common.ts";

const runs = Number(flag("--runs", "3"));
const out = flag("--out", "bench/RESULTS_drain_clients.md");
const runtimes = serverRuntimes;
const cases: [string, string, string][] = [
  ["deno", "deno", "library"],
  ["deno", "node", "library"],
  ["bun", "bun", "library"],
  ["bun", "node", "library"],
  ["node", "node", "library"],
  ["node", "node", "http-terminator"],
  ["node", "node", "naive"],
];

const certs = mkdtempSync(join(tmpdir(), "drain-bench-tls-"));
spawnSync("openssl", [
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
  join(certs, "key.pem"),
  "-out",
  join(certs, "cert.pem"),
], { stdio: "ignore" });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One TLS keep-alive connection that reads whole responses, counting body bytes only. */
class Connection {
  readonly socket: TLSSocket;
  readonly connected: Promise<void>;
  #pending: Buffer[] = [];
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(port: number) {
    this.socket = connect({ port, host: "127.0.0.1", rejectUnauthorized: false });
    this.socket.on("error", () => {});
    this.connected = new Promise((resolve, reject) => {
      this.socket.once("secureConnect", () => resolve());
      this.socket.once("error", reject);
      this.socket.once("close", () => reject(new Error("closed")));
    });
    this.connected.catch(() => {});
    this.socket.on("data", (chunk: Buffer) => {
      this.#pending.push(chunk);
      this.#wake?.();
    });
    this.socket.once("close", () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  /** Waits for more data; false once the connection closed with nothing more. */
  async #more(): Promise<boolean> {
    if (this.#closed) return false;
    await new Promise<void>((resolve) => this.#wake = resolve);
    this.#wake = undefined;
    return true;
  }

  #joined(): Buffer {
    const all = Buffer.concat(this.#pending);
    this.#pending = [all];
    return all;
  }

  /** A GET: whether its response arrived whole, and whether it said Connection: close. */
  async get(path: string, slow: boolean): Promise<{ whole: boolean; close: boolean }> {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    let end = -1;
    while ((end = this.#joined().indexOf("\r\n\r\n")) === -1) {
      if (!await this.#more()) return { whole: false, close: true };
    }
    const all = this.#joined();
    const head = all.subarray(0, end).toString("latin1").toLowerCase();
    this.#pending = [all.subarray(end + 4)];
    const close = /\r\nconnection: *close/.test(head);
    if (slow) {
      this.socket.pause();
      await sleep(300);
      this.socket.resume();
    }
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    if (length !== null) {
      const whole = await this.#skip(Number(length[1]));
      return { whole, close: close || !whole };
    }
    // Chunked (Deno.serve sends a body it does not know the length of so), read as it comes.
    for (;;) {
      const line = await this.#line();
      if (line === undefined) return { whole: false, close: true };
      const size = parseInt(line, 16);
      if (!await this.#skip(size + 2)) return { whole: false, close: true };
      if (size === 0) return { whole: true, close };
    }
  }

  /** The next CRLF-ended line (a chunk size), or undefined once the connection closed. */
  async #line(): Promise<string | undefined> {
    for (;;) {
      let start = Buffer.alloc(0);
      for (const chunk of this.#pending) {
        start = Buffer.concat([start, chunk.subarray(0, 64 - start.length)]);
        if (start.length >= 64) break;
      }
      const end = start.indexOf("\r\n");
      if (end !== -1) {
        await this.#skip(end + 2);
        return start.subarray(0, end).toString("latin1");
      }
      if (!await this.#more()) return undefined;
    }
  }

  /** Drops `count` bytes as they come; false if the connection closed first. */
  async #skip(count: number): Promise<boolean> {
    let left = count;
    for (;;) {
      while (this.#pending.length > 0 && left > 0) {
        const chunk = this.#pending.shift()!;
        if (chunk.length > left) this.#pending.unshift(chunk.subarray(left));
        left -= Math.min(left, chunk.length);
      }
      if (left === 0) return true;
      if (!await this.#more()) return false;
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

interface Run {
  lost: number;
  cut: number | undefined;
  served: number | undefined;
  completedAfter: number;
  goneMs: number;
  requests: number;
}

async function once(runtime: string, kind: string, mode: string): Promise<Run> {
  const [command, args] = runtimes[runtime];
  const { child, port, output } = await spawnServer(command, [
    ...args,
    "bench/_drain_clients_server.ts",
    kind,
    mode,
    certs,
  ]);
  const gone = new Promise<number>((resolve) =>
    child.once("exit", () => resolve(performance.now()))
  );
  const complete = new Set<string>();
  let completedAfter = 0;
  let sentAt = Infinity;
  const stopAt = performance.now() + 3_000;
  const routes = ["work", "work", "chunks", "big"];
  async function client(n: number): Promise<void> {
    let i = 0;
    while (performance.now() < stopAt) {
      const connection = new Connection(port);
      try {
        await connection.connected;
      } catch {
        if (performance.now() > sentAt) return; // refused once the server stopped
        continue;
      }
      try {
        while (performance.now() < stopAt) {
          const route = routes[i % routes.length];
          const id = `c${n}-${i++}`;
          const { whole, close } = await connection.get(`/${route}?id=${id}`, route === "big");
          if (whole) {
            complete.add(id);
            if (performance.now() > sentAt) completedAfter++;
          }
          if (!whole || close) break;
        }
      } finally {
        connection.close();
      }
    }
  }
  const clients = [0, 1, 2, 3, 4, 5].map(client);
  await sleep(1_000);
  sentAt = performance.now();
  child.kill("SIGTERM");
  const goneMs = (await gone) - sentAt;
  await Promise.all(clients);
  const lines = output().split("\n");
  const begun = lines.filter((l) => l.startsWith("begin ")).map((l) => l.slice(6));
  const stats = lines.find((l) => l.startsWith("stats "));
  const counted = stats === undefined ? undefined : JSON.parse(stats.slice(6));
  return {
    lost: begun.filter((id) => !complete.has(id)).length,
    cut: counted?.cut,
    served: counted?.served,
    completedAfter,
    goneMs,
    requests: begun.length,
  };
}

const rows: string[] = [];
const header =
  "| runtime | server (TLS) | shutdown | lost (goal 0) | cut (report) | served: report / clients | gone ms | requests |";
console.log(header);
for (const [runtime, kind, mode] of cases) {
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(await once(runtime, kind, mode));
  const show = (values: (number | undefined)[]): string =>
    values.every((v) => v === undefined) ? "-" : values.map((v) => v ?? "-").join(", ");
  const lost = results.map((r) => r.lost);
  const gone = results.map((r) => Math.round(r.goneMs));
  const served = results.map((r) =>
    r.served === undefined ? `- / ${r.completedAfter}` : `${r.served} / ${r.completedAfter}`
  );
  const label = kind === "node" ? "node:https" : `${kind === "deno" ? "Deno" : "Bun"}.serve`;
  const row = `| ${runtime} | ${label} | ${mode} | ${Math.max(...lost)} (${lost.join(", ")}) | ` +
    `${show(results.map((r) => r.cut))} | ${served.join(", ")} | ${gone.join(", ")} | ` +
    `${Math.min(...results.map((r) => r.requests))} |`;
  rows.push(row);
  console.log(row);
}
const table = [header, "|---|---|---|---|---|---|---|---|", ...rows].join("\n");
const machine = machineLine("http-terminator from npm");
writeFileSync(
  out,
  `# Drain under real clients\n\n` +
    `\`node bench/drain_clients_bench.ts --runs ${runs}\` on ${
      new Date().toISOString().slice(0, 10)
    }. Machine: ${machine}.\n\n` +
    `6 TLS keep-alive connections for 3 s, each asking in turn for a short request (twice), a ` +
    `stream of 5 chunks over 250 ms and a 16 MiB response read after a 300 ms pause; SIGTERM ` +
    `after 1 s; drainDelayMs 500 (http-terminator: 500 ms of serving, then terminate()). ` +
    `"lost": requests the server began that never reached the client whole; "cut": the drain's ` +
    `count; "served": the drain's count beside the responses the clients completed after ` +
    `SIGTERM; "gone": ms from SIGTERM to the process gone. Worst of ${runs} runs, then each run.\n\n` +
    `${table}\n`,
);
console.log(`\nwritten to ${out}`);
