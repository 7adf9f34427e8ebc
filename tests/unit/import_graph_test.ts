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
  "src/servers/_drain_run.ts",
  "src/servers/_drain_node.ts",
  "src/servers/_drain_fetch.ts",
  "src/servers/_drain_sockets.ts",
  "src/servers/_drain_body.ts",
  "src/core/_settles_within.ts",
  "src/children/_child_handle.ts",
  "src/children/_stop_child.ts",
  "src/runtime/_watchdog_start.ts",
  "src/runtime/_watchdog_worker.ts",
];

test("import graph: the parser sees static imports and skips type-only ones", () => {
  const graph = eagerGraph("mod.ts");
  assert.ok(graph.has("src/servers/drain.ts"), [...graph].join(", "));
  assert.ok(graph.has("src/core/shutdown_controller.ts"));
  // Imported by drain.ts with `import type` only.
  assert.ok(!graph.has("src/servers/_drain_types.ts"));
});

test("import graph: importing mod.ts loads no integration's heavy part", () => {
  const graph = eagerGraph("mod.ts");
  const loaded = LAZY.filter((file) => graph.has(file));
  assert.deepEqual(loaded, [], `loaded at import: ${loaded.join(", ")}`);
  // Loaded at the first use of drain(): the whole of it is reachable from there.
  const drain = eagerGraph("src/servers/_drain_run.ts");
  for (const file of LAZY.slice(0, 4)) assert.ok(drain.has(file), file);
});

// Every module costs 0.2-0.4 ms to resolve and compile on each runtime, so
// the count of what `import { shutdown }` loads is kept from growing. A
// program that registers one hook and ends naturally loads nothing more: the
// natural end imports no module (what import() loads is Windows' console
// code and the integrations, listed below). The goal is 12: in the way are
// the integrations mod.ts exports with the synchronous parts of their APIs
// (8 files), every runtime's adapter that runtime/detect.ts imports so that
// bundlers find them (6 files), and run()'s start-up, whose first start()
// is called at once (43 before the core's files that always load together
// became one file each, 31 before the adapters' did).
const MAX_EAGER = 25;

/** Every `import("x")` of the files in `graph`, as "file -> specifier". */
function dynamicImports(graph: Set<string>): string[] {
  const found: string[] = [];
  for (const file of graph) {
    const text = readFileSync(join(root, file), "utf8");
    for (const match of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) {
      found.push(`${file} -> ${match[1]}`);
    }
  }
  return found.sort();
}

test("import graph: importing mod.ts loads at most MAX_EAGER modules", () => {
  const graph = eagerGraph("mod.ts");
  assert.ok(graph.size <= MAX_EAGER, `${graph.size} modules: ${[...graph].join(", ")}`);
});

test("import graph: the core path imports nothing at run time but Windows' console code", () => {
  const graph = eagerGraph("mod.ts");
  const integrations = [
    "src/children/adopt.ts",
    "src/servers/drain.ts",
    "src/servers/drainable.ts",
    "src/watchdog/watchdog.ts",
  ];
  const core = dynamicImports(graph).filter((line) =>
    !integrations.some((file) => line.startsWith(`${file} -> `)) &&
    !/-> \.\/(bun\/)?windows_console\.ts$/.test(line)
  );
  assert.deepEqual(core, []);
});
