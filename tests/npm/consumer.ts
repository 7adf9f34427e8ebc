// A TypeScript program as a Node user writes it against the installed package
// (`tsc -p tests/npm/tsconfig.json` in the consumer project: strict, module
// nodenext, @types/node). It is type-checked, not run: every public name of
// every entry point is used here, so a .d.ts that loses or breaks one fails.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { Worker as NodeWorker } from "node:worker_threads";
import {
  adopt,
  type AdoptableChild,
  type AdoptOptions,
  type AdoptSignal,
  attach,
  type AttachableWorker,
  type AttachOptions,
  type BunSubprocessLike,
  type ConsoleEvent,
  type DenoChildProcessLike,
  drain,
  drainable,
  type DrainHandle,
  type DrainOptions,
  type DrainSocket,
  type DrainStats,
  type NodeChildProcessLike,
  type NodeWorkerLike,
  type ProtectionScope,
  type ProtectOptions,
  readiness,
  type ReadinessResponse,
  type Service,
  shutdown,
  type ShutdownCause,
  ShutdownController,
  type ShutdownControllerOptions,
  ShutdownError,
  type ShutdownErrorKind,
  type ShutdownErrorOptions,
  type ShutdownExit,
  type ShutdownHook,
  type ShutdownHookContext,
  type ShutdownHookOptions,
  type ShutdownLog,
  type ShutdownReport,
  type ShutdownState,
  type StepOutcome,
  type StepReport,
  type StopSignal,
  watchdog,
  type WatchdogHandle,
  type WatchdogOptions,
  type WebWorkerLike,
  writeReadiness,
} from "@graceful/shutdown";
import {
  detectRuntime,
  type DieOptions,
  type OsFamily,
  type OsPolicy,
  type ProcessEnd,
  type RuntimeAdapter,
  type StopEvent,
  type StopEventListener,
  type StopListenerOptions,
  type UncaughtKind,
  type Unsubscribe,
} from "@graceful/shutdown/runtime";
import { type FakeExit, FakeRuntime, type FakeRuntimeOptions } from "@graceful/shutdown/testing";
import { nodeRuntime } from "@graceful/shutdown/runtime/node";
import { denoRuntime } from "@graceful/shutdown/runtime/deno";
import { bunRuntime } from "@graceful/shutdown/runtime/bun";

// The process-wide controller: hooks with every option, `note`, the context.
const hook: ShutdownHook = async ({ signal, cause, note }: ShutdownHookContext) => {
  const kind: ShutdownCause["kind"] = cause.kind;
  const by: StopSignal | undefined = cause.signal;
  const event: ConsoleEvent | undefined = cause.event;
  note(`closing after ${kind} ${by ?? event ?? ""}`);
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
};
const hookOptions: ShutdownHookOptions = { name: "database", timeoutMs: 5_000 };
const unregister: Disposable = shutdown.onShutdown(hook, hookOptions);
unregister[Symbol.dispose]();

// `using` scopes, breakpoints, renew, remaining budget.
async function importAll(files: readonly string[]): Promise<number> {
  const options: ProtectOptions = { name: "import" };
  using scope: ProtectionScope = shutdown.protect(10_000, options);
  let done = 0;
  for (const _file of files) {
    scope.breakpoint();
    scope.renew();
    if (scope.signal.aborted || scope.remainingMs < 0) break;
    await Promise.resolve();
    done++;
  }
  const name: string = scope.name;
  return name.length + done;
}
try {
  await importAll(["a", "b"]);
} catch (error) {
  if (!(error instanceof ShutdownError)) throw error;
  const kind: ShutdownErrorKind = error.kind;
  console.log(kind, error.message);
}
const errorOptions: ShutdownErrorOptions = { kind: "forced", cause: new Error("x") };
const error: Error = new ShutdownError("stopped", errorOptions);

// A controller of one's own with every option.
const log: ShutdownLog = (message: string) => console.error(message);
const options: ShutdownControllerOptions = {
  budgetMs: 25_000,
  maxAttempts: 3,
  terminateOnHup: false,
  terminateOnLogoff: false,
  onHup: () => console.log("reload"),
  beforeTermination: () => console.log("forced"),
  log,
  runtime: detectRuntime(),
};
const controller = new ShutdownController(options);
const state: ShutdownState = controller.state;
const requested: boolean = controller.requested;
const budget: number = controller.budgetMs;
const aborted: AbortSignal = controller.signal;
console.log(state, requested, budget, aborted.aborted, error);

// Services: shielded start-up, stops with their own timeout.
const services: Service[] = [
  { name: "db", start: () => Promise.resolve(), stop: ({ signal }) => signal.aborted },
  { name: "cache", stopTimeoutMs: 1_000, stop: () => undefined },
];
await controller.run(services);
await controller.run({ name: "one", start: () => undefined });

// The report.
const report: ShutdownReport = await controller.done;
const steps: readonly StepReport[] = report.steps;
for (const step of steps) {
  const outcome: StepOutcome = step.outcome;
  console.log(step.name, outcome, step.startMs, step.durationMs, step.error, step.detail);
}
const exit: ShutdownExit = report.exit;
const forcedBy: "attempts" | "deadline" | undefined = report.forcedBy;
console.log(
  report.cause,
  report.forced,
  forcedBy,
  report.attempts,
  report.openScopes,
  report.startedAt,
  report.durationMs,
  exit.code,
  exit.signal,
);
controller.request(new Error("done"));
controller[Symbol.dispose]();

// Servers: node:http with writeReadiness, a fetch handler with drainable/readiness.
const server = createServer((req, res) => {
  if (req.url === "/ready") return writeReadiness(res);
  res.end("hello");
});
const drainOptions: DrainOptions = {
  controller: shutdown,
  name: "http",
  drainDelayMs: 5_000,
  timeoutMs: 10_000,
};
const handle: DrainHandle = drain(server, drainOptions);
const stats: DrainStats = handle.stats;
const phase: DrainStats["phase"] = stats.phase;
console.log(phase, stats.active, stats.inFlight, stats.served, stats.cut, stats.tracked);
handle[Symbol.dispose]();
const response: ReadinessResponse = { statusCode: 0, setHeader: () => {}, end: () => {} };
writeReadiness(response, controller);
const handler = drainable((request: Request) =>
  new URL(request.url).pathname === "/ready" ? readiness() : new Response("hello")
);
const answer: Promise<Response> = handler(new Request("http://127.0.0.1/ready"));
drain({ fetch: handler }, { handler });
void answer;
const fetched: Response = readiness(controller);
void fetched;

// Child processes: a node:child_process child, and the other runtimes' shapes.
const child = spawn("node", ["worker.js"], { stdio: "inherit" });
const signalName: AdoptSignal = "SIGTERM";
const adoptOptions: AdoptOptions = {
  controller: shutdown,
  name: "worker",
  signal: signalName,
  timeoutMs: 10_000,
  detached: false,
};
using _adopted = adopt(child, adoptOptions);
const asNode: NodeChildProcessLike = child;
declare const denoChild: DenoChildProcessLike;
declare const bunChild: BunSubprocessLike;
const children: AdoptableChild[] = [asNode, denoChild, bunChild];
console.log(children.length);

// Runtime adapters and their types.
const adapters: RuntimeAdapter[] = [nodeRuntime(), denoRuntime(), bunRuntime()];
const first = adapters[0];
if (first !== undefined) {
  const os: OsFamily = first.os;
  const policy: OsPolicy = first.policy;
  const listener: StopEventListener = (event: StopEvent) => {
    if (event.kind === "signal") console.log(event.signal);
    else console.log(event.event);
  };
  const listenerOptions: StopListenerOptions = { holdLimitMs: 1_000 };
  const off: Unsubscribe = first.addStopListener(["SIGTERM"], listener, listenerOptions);
  const offUncaught = first.onUncaught((_error: unknown, kind: UncaughtKind) =>
    kind === "rejection"
  );
  off();
  offUncaught();
  console.log(os, policy.defaultBudgetMs, policy.canReraise);
}

// Testing: FakeRuntime with a manual clock.
const fakeOptions: FakeRuntimeOptions = { os: "posix", terminal: false };
const runtime = new FakeRuntime(fakeOptions);
const tested = new ShutdownController({ runtime, budgetMs: 1_000 });
tested.onShutdown(() => undefined, { name: "fake" });
await runtime.deliver("SIGTERM");
await runtime.advance(1_000);
const exits: FakeExit[] = runtime.exits;
const tested_report: ShutdownReport = await tested.done;
console.log(exits, runtime.stderr, tested_report.exit);

// The shutdown's newer parts: the hooks' reserve, the report's listeners,
// `await using` a controller, workers.
{
  const reserveRuntime = new FakeRuntime();
  await using reserved = new ShutdownController({
    runtime: reserveRuntime,
    budgetMs: 10_000,
    hookReserveMs: 2_000,
  });
  const shipping: Disposable = reserved.onReport(async (report: ShutdownReport) => {
    await Promise.resolve(report.steps.length);
  });
  shipping[Symbol.dispose]();
}
const dieOptions: DieOptions = { withinMs: 1_000 };
const end: ProcessEnd = { signal: "SIGTERM" };
console.log(dieOptions.withinMs, end.signal);
const nodeWorker = new NodeWorker("console.log(1)", { eval: true });
const attachOptions: AttachOptions = { controller: shutdown, name: "thread" };
using _attached = attach(nodeWorker, attachOptions);
const asNodeWorker: NodeWorkerLike = nodeWorker;
declare const webWorker: WebWorkerLike;
const workers: AttachableWorker[] = [asNodeWorker, webWorker];
console.log(workers.length);

// The watchdog (on a fake runtime it starts nothing) and a drained server's WebSockets.
{
  const watched = new ShutdownController({ runtime: new FakeRuntime() });
  const watchdogOptions: WatchdogOptions = { controller: watched, graceMs: 50 };
  using dog: WatchdogHandle = watchdog(watchdogOptions);
  console.log(await dog.ready);
  watched[Symbol.dispose]();
}
declare const socket: DrainSocket;
declare const drainedServer: DrainHandle;
using _tracked = drainedServer.track(socket);
