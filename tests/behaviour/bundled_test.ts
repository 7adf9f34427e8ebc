// A program bundled into one file by its own tool (as apps for serverless,
// containers and `bun build --compile` are) still shuts down gracefully: the
// library must hold no module path that only exists beside its own files.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { processTest as test, runtimeName } from "../_harness.ts";
import { startFixture } from "../_child.ts";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, "..", "fixtures");

/** Bun's bundler: named by the suite, from the pinned tools, or the running Bun itself. */
function bundler(): string | undefined {
  const named = process.env.GRACEFUL_BUNDLER;
  if (named !== undefined && named !== "") return named;
  const pinned = join(here, "..", "..", "node_modules", ".bin", "bun");
  if (existsSync(pinned)) return pinned;
  return runtimeName === "bun" ? process.execPath : undefined;
}

const bun = bundler();

test("a program bundled into one file: the hooks run and it dies by SIGTERM", async () => {
  const dir = mkdtempSync(join(tmpdir(), "graceful-bundled-"));
  try {
    const out = join(dir, "hooks_bundled.mjs");
    execFileSync(bun!, [
      "build",
      join(fixtures, "hooks.ts"),
      "--target=node",
      `--outfile=${out}`,
    ], { stdio: "pipe" });
    const child = startFixture(relative(fixtures, out), ["lifo"]);
    await child.waitFor("ready");
    child.kill("SIGTERM");
    const end = await child.ended;
    const hooks = end.lines.filter((line) => line.startsWith("hook "));
    assert.deepEqual(hooks, ["hook C", "hook B", "hook A"], end.stderr);
    assert.ok(end.lines.includes("report C:ok B:ok A:ok"), end.lines.join("\n") + end.stderr);
    assert.deepEqual([end.code, end.signal], [null, "SIGTERM"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, { skip: bun === undefined ? "no bundler here (set GRACEFUL_BUNDLER to Bun's binary)" : false });
