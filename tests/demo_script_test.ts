// `npm run demo` (tools/demo.mjs): success when the demo dies by SIGINT as it
// should, and a loud failure (a message, a non-zero status) otherwise: a demo
// that crashes, a runtime that is not installed, an unknown runtime. Run by
// tests/run_all.sh with `deno test --allow-all`.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { processTest as test } from "./_harness.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const node = join(root, "node_modules", "node24", "bin", "node");

function demo(args: string[], script = join(root, "tools", "demo.mjs")) {
  const end = spawnSync(node, [script, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: end.status, stdout: end.stdout, stderr: end.stderr };
}

for (const runtime of ["deno", "bun", "node"]) {
  test(`npm run demo on ${runtime}: the demo dies by SIGINT, the script succeeds`, () => {
    const end = demo([runtime]);
    assert.equal(end.status, 0, end.stdout + end.stderr);
    assert.match(end.stdout, /sending SIGINT to myself/);
    assert.match(end.stderr, new RegExp(`the ${runtime} process died by SIGINT .*: ok`));
  });
}

test("npm run demo: a demo that fails makes the script fail, saying so", () => {
  const dir = mkdtempSync(join(tmpdir(), "demo-script-"));
  try {
    const file = join(dir, "broken.ts");
    writeFileSync(file, 'throw new Error("broken on purpose");\n');
    for (const runtime of ["deno", "bun", "node"]) {
      const end = demo([runtime, "--file", file]);
      assert.notEqual(end.status, 0, `${runtime}: ${end.stderr}`);
      assert.match(end.stderr, new RegExp(`demo: the ${runtime} process exited with status \\d+`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("npm run demo: no runtime installed (no npm ci) fails, saying what to do", () => {
  const dir = mkdtempSync(join(tmpdir(), "demo-script-"));
  try {
    mkdirSync(join(dir, "tools"));
    copyFileSync(join(root, "tools", "demo.mjs"), join(dir, "tools", "demo.mjs"));
    const end = demo(["deno"], join(dir, "tools", "demo.mjs"));
    assert.equal(end.status, 1, end.stderr);
    assert.match(end.stderr, /deno not found: run `npm ci` first/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("npm run demo: an unknown runtime is refused with status 2", () => {
  const end = demo(["python"]);
  assert.equal(end.status, 2);
  assert.match(end.stderr, /unknown argument "python": expected one of deno, bun, node/);
});
