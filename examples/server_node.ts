// A node:http server (Express, Fastify and Hono's node server work alike) that
// stops on SIGTERM without dropping a request. Run it with Node >= 22.18:
//
//   node examples/server_node.ts        then: kill -TERM <pid>
//
// PORT (default 8000) and DRAIN_DELAY_MS (default 5000, for Kubernetes) set it up.
import { createServer } from "node:http";
import process from "node:process";
import { drain, shutdown, writeReadiness } from "../mod.ts";

// Registered first, so it runs after the server has drained (last registered first).
shutdown.onShutdown(() => console.log("database closed"), { name: "database" });

const server = createServer((req, res) => {
  // The readiness probe: 503 from SIGTERM on, so the load balancer moves away.
  if (req.url === "/ready") return writeReadiness(res);
  setTimeout(() => res.end(`hello from ${req.url}\n`), 100); // some work
});
drain(server, {
  drainDelayMs: Number(process.env.DRAIN_DELAY_MS ?? 5_000),
  timeoutMs: 10_000,
});
server.listen(Number(process.env.PORT ?? 8000), "127.0.0.1", () => {
  const { port } = server.address() as { port: number };
  console.log(`listening on http://127.0.0.1:${port}/`);
});
shutdown.done.then((report) => {
  const steps = report.steps.map((step) => `${step.name} ${step.outcome}`).join(", ");
  console.log(`shutdown after ${Math.round(report.durationMs)} ms: ${steps}`);
});
