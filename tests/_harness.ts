// One way to declare a test that Deno's, Bun's and Node's test runners all
// understand, so every test file is one source of cases for all three.

/** A test body. */
export type TestFn = () => void | Promise<void>;

/** Options for a test. */
export interface TestOptions {
  /** Why the test is skipped here, if it is. */
  skip?: string | false;
  /** The runner's timeout for this test, in ms. */
  timeoutMs?: number;
}

/** Whether the runner checks that a test leaves no timer, promise op or resource behind. */
type Register = (name: string, fn: TestFn, options: TestOptions, sanitize: boolean) => void;

/** Which runtime runs the tests. */
export const runtimeName: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

async function _register(): Promise<Register> {
  if (runtimeName === "deno") {
    return (name, fn, options, sanitize) =>
      Deno.test({
        name,
        fn,
        ignore: Boolean(options.skip),
        sanitizeOps: sanitize,
        sanitizeResources: sanitize,
      });
  }
  // A variable keeps Deno's type checker from resolving the `bun:` scheme.
  const spec = runtimeName === "bun" ? "bun:test" : "node:test";
  const runner = await import(spec);
  if (runtimeName === "bun") {
    return (name, fn, options) =>
      options.skip
        ? runner.test.skip(name, fn)
        : runner.test(name, fn, options.timeoutMs ?? 60_000);
  }
  return (name, fn, options) =>
    runner.test(name, { skip: options.skip || false, timeout: options.timeoutMs ?? 60_000 }, fn);
}

const _registerTest = await _register();

/**
 * Declares a test for whichever runner loads this file. On Deno the test fails
 * if it leaves a timer, an async op or a resource behind.
 */
export function test(name: string, fn: TestFn, options: TestOptions = {}): void {
  _registerTest(_named(name, options), fn, options, true);
}

/**
 * Declares a test that owns child processes: their pipes and exit statuses
 * outlive single awaits, so Deno's leak checks stay off for it.
 */
export function processTest(name: string, fn: TestFn, options: TestOptions = {}): void {
  _registerTest(_named(name, options), fn, options, false);
}

/**
 * A skipped test's name carries its reason, `[skipped: why]`, as every runner
 * prints it: tests/run_all.sh reads the reasons from there for its summary
 * (Deno's and Bun's reporters print no reason of their own).
 */
function _named(name: string, options: TestOptions): string {
  return options.skip ? `${name} [skipped: ${options.skip}]` : name;
}
