// A Deno program as a user writes it in a project that also has npm packages
// (package.json, node_modules holding @types/node): `deno check` there must
// pass (tests/npm/deno_consumer.sh). Type-checked, not run. Every entry point
// is imported, beside an npm package and node: modules.
import fc from "fast-check";
import { createServer } from "node:http";
import { Worker as NodeWorker } from "node:worker_threads";
import {
  attach,
  drain,
  drainable,
  readiness,
  shutdown,
  ShutdownController,
} from "@graceful/shutdown";
import { FakeRuntime } from "@graceful/shutdown/testing";
import { denoRuntime } from "@graceful/shutdown/runtime/deno";
import { bunRuntime } from "@graceful/shutdown/runtime/bun";
import { nodeRuntime } from "@graceful/shutdown/runtime/node";

shutdown.onShutdown(() => console.log(fc.sample(fc.integer(), 1)), { name: "npm beside" });
const controller = new ShutdownController({ runtime: new FakeRuntime() });
console.log(controller.state, [denoRuntime(), bunRuntime(), nodeRuntime()].length);

// Both kinds of worker, as Deno types them.
const webWorker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
using _web = attach(webWorker, { name: "web" });
const nodeWorker = new NodeWorker("0", { eval: true });
using _node = attach(nodeWorker, { name: "node" });

// Servers: node:http and Deno.serve.
using _http = drain(createServer((_req, res) => res.end("hello")));
const handler = drainable((_request: Request) => readiness());
const server = Deno.serve({ port: 0 }, handler);
using _serve = drain(server, { handler });
