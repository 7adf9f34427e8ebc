// The reader of the program's output goes away during the shutdown (a log
// collector restarts, `program | head` ends): what the program and the library
// write then fails, and the shutdown must still end as the signal asks.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { processTest as test } from "../_harness.ts";
import { runtimeCommand, until } from "../_child.ts";

const fixture = fileURLToPath(new URL("../fixtures/services.ts", import.meta.url));

test(
  "the reader of stdout and stderr goes away at the stop: the process still dies by SIGINT",
  async () => {
    // Each service's stop writes a line after the reader has gone.
    const [command, argv] = runtimeCommand(fixture, ["120", "150"]);
    const child = spawn(command, argv, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout!.on("data", (chunk) => out += chunk);
    const ended = new Promise<[number | null, string | null]>((resolve) =>
      child.on("exit", (code, signal) => resolve([code, signal]))
    );
    await until(() => out.includes("listening"), 20_000);
    assert.ok(out.includes("listening"), out);
    child.kill("SIGINT");
    child.stdout!.destroy();
    child.stderr!.destroy();
    const limit = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const [code, signal] = await ended;
    clearTimeout(limit);
    // Before the fix Node printed each failed print as one more uncaught error,
    // a turn at a time, for good: the stop never ended and SIGKILL came.
    assert.deepEqual([code, signal], [null, "SIGINT"]);
  },
  { timeoutMs: 30_000 },
);
