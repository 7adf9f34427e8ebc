// A Bun.serve() server that stops on SIGTERM without dropping a request:
//
//   bun examples/server_bun.ts        then: kill -TERM <pid>
//
// PORT (default 8000) and DRAIN_DELAY_MS (default 5000, for Kubernetes) set it up.
import { drain, drainable, readiness, shutdown } from "../mod.ts";

declare const Bun: {
  serve(options: object): { port: number };
  env: Record<string, string | undefined>;
};

// Registered first, so it runs after the server has drained (last registered first).
shutdown.onShutdown(() => console.log("database closed"), { name: "database" });

// drainable() lets drain() say `Connection: close` on every response once draining.
const handler = drainable(async (request: Request) => {
  const url = new URL(request.url);
  // The readiness probe: 503 from SIGTERM on, so the load balancer moves away.
  if (url.pathname === "/ready") return readiness();
  await new Promise((resolve) => setTimeout(resolve, 100)); // some work
  return new Response(`hello from ${url.pathname}${url.search}\n`);
});
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(Bun.env.PORT ?? 8000),
  fetch: handler,
});
console.log(`listening on http://127.0.0.1:${server.port}/`);
drain(server, {
  handler,
  drainDelayMs: Number(Bun.env.DRAIN_DELAY_MS ?? 5_000),
  timeoutMs: 10_000,
});
shutdown.done.then((report) => {
  const steps = report.steps.map((step) => `${step.name} ${step.outcome}`).join(", ");
  console.log(`shutdown after ${Math.round(report.durationMs)} ms: ${steps}`);
});
