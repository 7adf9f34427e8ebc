// A supervisor of two worker processes, on Deno, Bun or Node:
//
//   deno run --allow-run --allow-read examples/supervisor.ts
//   bun examples/supervisor.ts
//   node examples/supervisor.ts
//
// Press Ctrl-C: the terminal sends SIGINT to the supervisor and both workers
// at once; each worker finishes its current tick and stops, and the
// supervisor waits for them (it does not hit them a second time) before it
// ends. `kill -TERM <supervisor pid>` instead: the supervisor sends each
// worker SIGTERM, then waits. A worker that crashes on its own is restarted.
// Whatever happens to the supervisor short of SIGKILL, no worker outlives it.
import process from "node:process";
import { fileURLToPath } from "node:url";
import { adopt, type AdoptableChild, shutdown } from "../mod.ts";

const [role = "supervisor", name = ""] = process.argv.slice(2);
const say = (text: string) => console.log(text);

/** Starts a worker, adopts it, and restarts it if it ends while nobody asked. */
function supervise(worker: string): void {
  const child = start(worker);
  const adoption = adopt(child, { name: worker, timeoutMs: 5_000 });
  exited(child).then(() => {
    if (shutdown.requested) return;
    adoption[Symbol.dispose]();
    say(`supervisor: ${worker} ended on its own; restarting it`);
    supervise(worker);
  });
}

// Each runtime's own way to start a process; adopt() takes any of them.
interface Runtimes {
  Deno?: {
    execPath(): string;
    Command: new (cmd: string, options: { args: string[] }) => { spawn(): AdoptableChild };
  };
  Bun?: { spawn(cmd: string[], options: { stdio: string[] }): AdoptableChild };
}
const runtimes = globalThis as unknown as Runtimes;
const script = fileURLToPath(import.meta.url);

function start(worker: string): AdoptableChild {
  if (runtimes.Deno) {
    const args = ["run", "--quiet", script, "worker", worker];
    return new runtimes.Deno.Command(runtimes.Deno.execPath(), { args }).spawn();
  }
  const args = [...process.execArgv, script, "worker", worker];
  if (runtimes.Bun) {
    return runtimes.Bun.spawn([process.execPath, ...args], {
      stdio: ["inherit", "inherit", "inherit"],
    });
  }
  return startNode(args);
}

// node:child_process only where it is the native API; loaded on Node alone.
const nodeChildProcess = runtimes.Deno || runtimes.Bun
  ? undefined
  : await import("node:child_process");

function startNode(args: string[]): AdoptableChild {
  return nodeChildProcess!.spawn(process.execPath, args, { stdio: "inherit" });
}

function exited(child: AdoptableChild): Promise<unknown> {
  if ("status" in child) return Promise.resolve(child.status);
  if ("exited" in child) return Promise.resolve(child.exited);
  return new Promise<void>((resolve) => child.on("exit", () => resolve()));
}

if (role === "worker") {
  // A worker uses the library too: its own hook, the signal in the cause.
  let tick = 0;
  const timer = setInterval(() => say(`${name}: tick ${++tick}`), 500);
  shutdown.onShutdown(async ({ cause }) => {
    say(`${name}: stopping (${cause.signal ?? cause.kind})`);
    clearInterval(timer);
    await new Promise((resolve) => setTimeout(resolve, 300)); // flush, close, …
    say(`${name}: stopped`);
  }, { name });
  shutdown.done.then((report) => say(`${name}: asked to stop ${report.attempts} time(s)`));
  say(`${name}: ready (pid ${process.pid})`);
} else {
  for (const worker of ["worker A", "worker B"]) supervise(worker);
  shutdown.done.then((report) => {
    const steps = report.steps.map((step) => `${step.name}: ${step.outcome}`);
    say(`supervisor: ${steps.join(", ")}; ending by ${JSON.stringify(report.exit)}`);
  });
  say(`supervisor: pid ${process.pid}; press Ctrl-C to stop`);
}
