// What importing the library loads: the modules reached from mod.ts through
// static imports (not `import type`, not `import()`). A program that imports
// it and registers one hook must not load the integrations' heavy parts:
// they are loaded by import() when an integration is used.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "../_harness.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

// `import ... from "x"` / `export ... from "x"` / `import "x"`, at the start of a line.
const STATIC = /^(import|export)\s+(type\s+)?(?:[^;"']*?\sfrom\s+)?["']([^"']+)["']/gm;

/** The files (relative to the repository) mod.ts loads before its first line runs. */
function eagerGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(join(root, file), "utf8");
    for (const match of text.matchAll(STATIC)) {
      const [, , typeOnly, specifier] = match;
      if (typeOnly !== undefined || !specifier.startsWith(".")) continue;
      visit(normalize(join(dirname(file), specifier)).replaceAll("\\", "/"));
    }
  };
  visit(entry);
  return seen;
}

// Each loaded on first use of its integration.
const LAZY = [
  "src/_drain_run.ts",
  "src/_drain_node.ts",
  "src/_drain_fetch.ts",
  "src/_drain_sockets.ts",
  "src/_drain_body.ts",
  "src/_settles_within.ts",
  "src/_child_handle.ts",
  "src/_stop_child.ts",
  "src/runtime/_watchdog_start.ts",
  "src/runtime/_watchdog_worker.ts",
];

test("import graph: the parser sees static imports and skips type-only ones", () => {
  const graph = eagerGraph("mod.ts");
  assert.ok(graph.has("src/drain.ts"), [...graph].join(", "));
  assert.ok(graph.has("src/shutdown_controller.ts"));
  // Imported by drain.ts with `import type` only.
  assert.ok(!graph.has("src/_drain_types.ts"));
});

test("import graph: importing mod.ts loads no integration's heavy part", () => {
  const graph = eagerGraph("mod.ts");
  const loaded = LAZY.filter((file) => graph.has(file));
  assert.deepEqual(loaded, [], `loaded at import: ${loaded.join(", ")}`);
  // Loaded at the first use of drain(): the whole of it is reachable from there.
  const drain = eagerGraph("src/_drain_run.ts");
  for (const file of LAZY.slice(0, 4)) assert.ok(drain.has(file), file);
});
