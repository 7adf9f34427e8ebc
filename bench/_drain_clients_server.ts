// The server side of bench/drain_clients_bench.ts:
// `_drain_clients_server.ts <kind> <mode> <certdir>` over TLS.
// kind: "node" (node:https), "deno" (Deno.serve), "bun" (Bun.serve).
// mode: "library" (drain(), drainDelayMs 500), "http-terminator" (node:https
// only: 500 ms of serving after SIGTERM, then terminate()), "naive" (exit on
// SIGTERM). Routes: /work (0-20 ms), /chunks (5 chunks 50 ms apart), /big
// (16 MiB at once). Prints "listening <port>", "begin <id>" per request and,
// at the end, "stats <json>" (library) then "end". Written with writeSync so
// every line is out before the process ends.
import { createServer } from "node:https";
import { readFileSync, writeSync } from "node:fs";
import process from "node:process";
import { drain, drainable, shutdown } from "../mod.ts";

const [kind, mode, certs] = process.argv.slice(2);
const key = readFileSync(`${certs}/key.pem`, "utf8");
const cert = readFileSync(`${certs}/cert.pem`, "utf8");
const g = globalThis as unknown as {
  Deno?: { serve(options: object, handler: unknown): { addr: { port: number } } };
  Bun?: { serve(options: object): { port: number } };
};
const say = (line: string): void => void writeSync(1, `${line}\n`);
const BIG = new Uint8Array(16 * 1024 * 1024);
const DELAY_MS = 500;

async function app(request: Request): Promise<Response> {
  const url = new URL(request.url);
  say(`begin ${url.searchParams.get("id")}`);
  if (url.pathname === "/big") return new Response(BIG);
  if (url.pathname === "/chunks") {
    let sent = 0;
    let timer: ReturnType<typeof setInterval>;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        timer = setInterval(() => {
          controller.enqueue(new TextEncoder().encode(`chunk ${sent}\n`));
          if (++sent === 5) {
            clearInterval(timer);
            controller.close();
          }
        }, 50);
      },
      cancel: () => clearInterval(timer),
    });
    return new Response(body);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 21)));
  return new Response("ok");
}

let stats = (): string => "";
if (mode === "naive") {
  process.on("SIGTERM", () => {
    say("end");
    process.exit(0);
  });
} else if (mode === "library") {
  shutdown.done.then(() => {
    say(`stats ${stats()}`);
    say("end");
  });
}
const options = { drainDelayMs: DELAY_MS, timeoutMs: 10_000 };

if (kind === "node") {
  const server = createServer({ key, cert }, async (req, res) => {
    const response = await app(new Request(`https://127.0.0.1${req.url}`));
    res.statusCode = response.status;
    if (req.url?.startsWith("/big")) return res.end(BIG);
    const reader = response.body!.getReader();
    res.on("close", () => reader.cancel().catch(() => {}));
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return res.end();
      res.write(value);
    }
  });
  if (mode === "library") {
    const handle = drain(server, options);
    stats = () => JSON.stringify(handle.stats);
  }
  if (mode === "http-terminator") {
    const { createHttpTerminator } = await import("http-terminator");
    const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: 10_000 });
    process.on("SIGTERM", async () => {
      await new Promise((resolve) => setTimeout(resolve, DELAY_MS));
      await terminator.terminate();
      say("end");
      process.exit(0);
    });
  }
  server.listen(0, "127.0.0.1", () => {
    say(`listening ${(server.address() as { port: number }).port}`);
  });
} else if (kind === "deno") {
  const handler = mode === "library" ? drainable(app) : app;
  const server = g.Deno!.serve(
    { port: 0, hostname: "127.0.0.1", key, cert, onListen() {} },
    handler,
  );
  if (mode === "library") {
    const handle = drain(server, { ...options, handler });
    stats = () => JSON.stringify(handle.stats);
  }
  say(`listening ${server.addr.port}`);
} else {
  const handler = mode === "library" ? drainable(app) : app;
  const server = g.Bun!.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls: { key, cert },
    fetch: handler,
  });
  if (mode === "library") {
    const handle = drain(server, { ...options, handler });
    stats = () => JSON.stringify(handle.stats);
  }
  say(`listening ${server.port}`);
}
