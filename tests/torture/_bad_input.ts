// Property-based bad input: every public function and option gets arbitrary
// values; each call either succeeds or throws a TypeError/RangeError (or the
// documented Error for a second listener or a used-up controller), and a
// rejected call leaves nothing registered: the fake runtime's listeners and
// the controller's steps are unchanged.
import {
  adopt,
  drain,
  drainable,
  readiness,
  ShutdownController,
  watchdog,
  writeReadiness,
} from "../../mod.ts";
import { FakeRuntime } from "../../testing.ts";

/** What the property runs found. */
export interface BadInputResult {
  cases: number;
  failures: string[];
}

const OPTION_KEYS = [
  "budgetMs",
  "hookReserveMs",
  "maxAttempts",
  "terminateOnHup",
  "terminateOnLogoff",
  "onHup",
  "beforeTermination",
  "log",
  "signals",
  "bogus",
];

function typed(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError;
}

/** Runs the properties with `numRuns` cases each. */
export async function badInput(numRuns: number): Promise<BadInputResult> {
  // Deno reads it from node_modules too (run with --node-modules-dir=manual).
  const specifier = "Deno" in globalThis ? "npm:fast-check@4.11.0" : "fast-check";
  // deno-lint-ignore no-explicit-any
  const fc: any = (await import(specifier)).default;
  const failures: string[] = [];
  let cases = 0;
  const value = fc.oneof(
    fc.anything(),
    fc.constantFrom(-1, NaN, Infinity, -Infinity, 0, 1.5, 2 ** 40, "", "SIGKILL", null),
    // The `signals` option: lists of names, known, refused and unknown.
    fc.array(fc.constantFrom("SIGINT", "SIGTERM", "SIGUSR2", "SIGKILL", "SIGWINCH", "", 2), {
      maxLength: 3,
    }),
    fc.func(fc.anything()),
  );
  const bag = fc.dictionary(fc.constantFrom(...OPTION_KEYS), value, { maxKeys: 3 });

  // Controller options: typed error and no listener left, or a working controller.
  fc.assert(
    fc.property(fc.oneof(bag, value), (options: unknown) => {
      cases++;
      const runtime = new FakeRuntime();
      try {
        // deno-lint-ignore no-explicit-any
        const controller = new ShutdownController({ ...(options as any), runtime });
        controller[Symbol.dispose]();
        if (runtime.listenerCount !== 0) failures.push("listeners left after dispose");
      } catch (error) {
        if (!typed(error)) failures.push(`constructor threw ${error}`);
        else if (
          !/budgetMs|hookReserveMs|maxAttempts|terminateOn|onHup|beforeTermination|log|signals|option|runtime/
            .test(String(error))
        ) {
          failures.push(`constructor error does not name the option: ${error}`);
        }
        if (runtime.listenerCount !== 0) {
          failures.push("listeners left after a rejected constructor");
        }
      }
    }),
    { numRuns },
  );

  // Methods of one controller: a rejected call registers nothing.
  const runtime = new FakeRuntime();
  const controller = new ShutdownController({ runtime });
  let hooks = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(
        "onShutdown",
        "protect",
        "onReport",
        "run",
        "watchdog",
        "drain",
        "drainable",
        "readiness",
        "writeReadiness",
        "adopt",
      ),
      value,
      value,
      (method: string, a: unknown, b: unknown) => {
        cases++;
        try {
          // deno-lint-ignore no-explicit-any
          const x = a as any, y = b as any;
          if (method === "onShutdown") {
            controller.onShutdown(x, y);
            hooks++;
          } else if (method === "protect") controller.protect(x, y)[Symbol.dispose]();
          else if (method === "onReport") controller.onReport(x)[Symbol.dispose]();
          else if (method === "run") {
            const own = new ShutdownController({ runtime: new FakeRuntime() });
            own.run(x).catch(() => {});
            return;
          } else if (method === "watchdog") watchdog({ ...y, controller })[Symbol.dispose]();
          else if (method === "drain") drain(x, { ...y, controller })[Symbol.dispose]();
          else if (method === "drainable") drainable(x);
          else if (method === "readiness") readiness(x);
          else if (method === "writeReadiness") writeReadiness(x, y);
          else if (method === "adopt") adopt(x, { ...y, controller })[Symbol.dispose]();
        } catch (error) {
          if (!typed(error)) failures.push(`${method} threw ${String(error).slice(0, 120)}`);
        }
      },
    ),
    { numRuns: numRuns * 4 },
  );
  controller.request();
  await runtime.advance(0);
  const report = await controller.done;
  if (report.steps.length !== hooks) {
    failures.push(`${hooks} hooks accepted but ${report.steps.length} ran`);
  }
  return { cases, failures };
}
