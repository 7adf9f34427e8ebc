// A Deno.serve() server that stops on SIGTERM without dropping a request:
//
//   deno run --allow-net --allow-env examples/server_deno.ts   then: kill -TERM <pid>
//
// PORT (default 8000) and DRAIN_DELAY_MS (default 5000, for Kubernetes) set it up.
import { drain, drainable, readiness, shutdown } from "../mod.ts";

// Registered first, so it runs after the server has drained (last registered first).
shutdown.onShutdown(() => console.log("database closed"), { name: "database" });

// drainable() lets drain() count requests, say `Connection: close` and cut streams.
const handler = drainable(async (request: Request) => {
  const url = new URL(request.url);
  // The readiness probe: 503 from SIGTERM on, so the load balancer moves away.
  if (url.pathname === "/ready") return readiness();
  await new Promise((resolve) => setTimeout(resolve, 100)); // some work
  return new Response(`hello from ${url.pathname}${url.search}\n`);
});
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: Number(Deno.env.get("PORT") ?? 8000),
  onListen: (addr: Deno.NetAddr) => console.log(`listening on http://127.0.0.1:${addr.port}/`),
}, handler);
drain(server, {
  handler,
  drainDelayMs: Number(Deno.env.get("DRAIN_DELAY_MS") ?? 5_000),
  timeoutMs: 10_000,
});
shutdown.done.then((report) => {
  const steps = report.steps.map((step) => `${step.name} ${step.outcome}`).join(", ");
  console.log(`shutdown after ${Math.round(report.durationMs)} ms: ${steps}`);
});
