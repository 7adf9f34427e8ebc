// The server side of bench/drain_bench.ts: `_drain_server.ts <kind> <mode>`.
// kind: "node" (node:http), "deno" (Deno.serve), "bun" (Bun.serve).
// mode: "library" (drain()), "naive" (exit on SIGTERM), "http-terminator",
// "terminus" (the last two on node:http only). Each request takes 0-20 ms.
// Prints "listening <port>" and, once it has stopped serving, "begun <n>":
// how many requests the server began handling. Written with writeSync so the
// line is out before the process ends.
import { createServer } from "node:http";
import { writeSync } from "node:fs";
import process from "node:process";
import { drain, drainable, shutdown } from "../mod.ts";

const [kind, mode] = process.argv.slice(2);
const g = globalThis as unknown as {
  Deno?: { serve(options: object, handler: unknown): { addr: { port: number } } };
  Bun?: { serve(options: object): { port: number } };
};
let begun = 0;
const say = (line: string): void => void writeSync(1, `${line}\n`);
const work = (): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 21)));

async function app(_request: Request): Promise<Response> {
  begun++;
  await work();
  return new Response("ok");
}

if (mode === "naive") {
  process.on("SIGTERM", () => {
    say(`begun ${begun}`);
    process.exit(0);
  });
} else if (mode === "library") {
  shutdown.done.then(() => say(`begun ${begun}`));
}

if (kind === "node") {
  const server = createServer(async (_req, res) => {
    begun++;
    await work();
    res.end("ok");
  });
  if (mode === "library") drain(server);
  if (mode === "http-terminator") {
    const { createHttpTerminator } = await import("http-terminator");
    const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: 5_000 });
    process.on("SIGTERM", async () => {
      await terminator.terminate();
      say(`begun ${begun}`);
      process.exit(0);
    });
  }
  if (mode === "terminus") {
    const { createTerminus } = await import("@godaddy/terminus");
    createTerminus(server, {
      signals: ["SIGTERM"],
      timeout: 5_000,
      onShutdown: () => Promise.resolve(say(`begun ${begun}`)),
    });
  }
  server.listen(0, "127.0.0.1", () => {
    say(`listening ${(server.address() as { port: number }).port}`);
  });
} else if (kind === "deno") {
  const handler = mode === "library" ? drainable(app) : app;
  const server = g.Deno!.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
  if (mode === "library") drain(server, { handler });
  say(`listening ${server.addr.port}`);
} else {
  const handler = mode === "library" ? drainable(app) : app;
  const server = g.Bun!.serve({ port: 0, hostname: "127.0.0.1", fetch: handler });
  if (mode === "library") drain(server, { handler });
  say(`listening ${server.port}`);
}
