/**
 * Ready-made readiness answers for a health route: `503` while `run()` still
 * starts services, `200` while the process serves, `503` from the moment its
 * shutdown is requested, so a load balancer (a Kubernetes readiness probe)
 * sends no traffic before the services are up, and stops sending it while
 * `drain()` keeps serving for its `drainDelayMs`.
 *
 * @module
 */

import type { ShutdownController } from "../core/shutdown_controller.ts";
import { shutdown } from "../core/shutdown_controller.ts";

/**
 * The parts of a node:http `ServerResponse` that {@linkcode writeReadiness} uses.
 *
 * @example
 * ```ts
 * import { type ReadinessResponse, ShutdownController, writeReadiness } from "@graceful/shutdown";
 * import { FakeRuntime } from "@graceful/shutdown/testing";
 *
 * using controller = new ShutdownController({ runtime: new FakeRuntime() });
 * // Any object with these three members will do, a node:http response among them.
 * const response: ReadinessResponse = {
 *   statusCode: 0,
 *   setHeader: () => undefined,
 *   end: (body) => console.log(response.statusCode, body),
 * };
 * writeReadiness(response, controller); // 200 ready
 * ```
 */
export interface ReadinessResponse {
  /** The status code to send. */
  statusCode: number;
  /** Sets one header. */
  setHeader(name: string, value: string): unknown;
  /** Sends the body and ends the response. */
  end(body: string): unknown;
}

function _answer(controller: ShutdownController): [number, string] {
  if (controller.requested) return [503, "shutting down\n"];
  return controller.started ? [200, "ready\n"] : [503, "starting\n"];
}

function _checkController(controller: unknown): ShutdownController {
  if (typeof (controller as Partial<ShutdownController>)?.onShutdown !== "function") {
    throw new TypeError(`controller must be a ShutdownController, got ${String(controller)}`);
  }
  return controller as ShutdownController;
}

/**
 * The readiness answer for a fetch-style server (`Deno.serve()`,
 * `Bun.serve()`, Hono...): `503 starting` while `run()` starts services
 * (`controller.started` is false), `200 ready` while running, `503 shutting
 * down` once `controller.requested`. Never cached.
 *
 * @example
 * ```ts
 * import { readiness, ShutdownController } from "@graceful/shutdown";
 *
 * using controller = new ShutdownController();
 * const handler = (request: Request): Response =>
 *   new URL(request.url).pathname === "/ready"
 *     ? readiness(controller)
 *     : new Response("hello");
 * console.log((await handler(new Request("http://localhost/ready"))).status); // 200
 * ```
 *
 * @param controller Whose shutdown to report. @default {shutdown}
 * @returns A new `Response`.
 */
export function readiness(controller: ShutdownController = shutdown): Response {
  const [status, body] = _answer(_checkController(controller));
  return new Response(body, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * The readiness answer written to a node:http response: `503 starting`
 * while `run()` starts services, `200 ready` while running, `503 shutting
 * down` once `controller.requested`. Never cached.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { writeReadiness } from "@graceful/shutdown";
 *
 * const server = createServer((req, res) => {
 *   if (req.url === "/ready") return writeReadiness(res);
 *   res.end("hello");
 * });
 * server.close();
 * ```
 *
 * @param response The node:http `ServerResponse` (or anything with the same three members).
 * @param controller Whose shutdown to report. @default {shutdown}
 */
export function writeReadiness(
  response: ReadinessResponse,
  controller: ShutdownController = shutdown,
): void {
  const [status, body] = _answer(_checkController(controller));
  response.statusCode = status;
  response.setHeader("content-type", "text/plain; charset=utf-8");
  response.setHeader("cache-control", "no-store");
  response.end(body);
}
