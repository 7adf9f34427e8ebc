// The server side of bench/drain_throughput.ts: `_drain_hello.ts <kind> <mode>`.
// kind: "deno" (Deno.serve) or "bun" (Bun.serve); mode: "plain" (the bare
// handler), "drainable" (wrapped, drained), "stream" (wrapped, a streamed body).
// Answers "hello" at once; prints "listening <port>".
import { writeSync } from "node:fs";
import process from "node:process";
import { drain, drainable } from "../mod.ts";

const [kind, mode] = process.argv.slice(2);
const g = globalThis as unknown as {
  Deno?: { serve(options: object, handler: unknown): { addr: { port: number } } };
  Bun?: { serve(options: object): { port: number } };
};
const hello = new TextEncoder().encode("hello");
const app = mode.startsWith("stream")
  ? (_request: Request): Response =>
    new Response(
      new ReadableStream({
        start(controller): void {
          controller.enqueue(hello);
          controller.close();
        },
      }),
    )
  : (_request: Request): Response => new Response("hello");
const bare = mode === "plain" || mode === "stream-plain";
const handler = bare ? app : drainable(app);
let port: number;
if (kind === "deno") {
  const server = g.Deno!.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
  if (!bare) drain(server, { handler });
  port = server.addr.port;
} else {
  const server = g.Bun!.serve({ port: 0, hostname: "127.0.0.1", fetch: handler });
  if (!bare) drain(server, { handler });
  port = server.port;
}
writeSync(1, `listening ${port}\n`);
