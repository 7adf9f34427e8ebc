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

type Register = (name: string, fn: TestFn, options: TestOptions) => void;

/** Which runtime runs the tests. */
export const runtimeName: "deno" | "bun" | "node" = "Deno" in globalThis
  ? "deno"
  : "Bun" in globalThis
  ? "bun"
  : "node";

async function _register(): Promise<Register> {
  if (runtimeName === "deno") {
    return (name, fn, options) =>
      Deno.test({
        name,
        fn,
        ignore: Boolean(options.skip),
        // Behaviour tests own child processes and timers across awaits.
        sanitizeOps: false,
        sanitizeResources: false,
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

/** Declares a test for whichever runner loads this file. */
export function test(name: string, fn: TestFn, options: TestOptions = {}): void {
  _registerTest(name, fn, options);
}
