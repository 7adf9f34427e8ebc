// One manifest: deno.json is what `deno publish` reads (name, version,
// exports, the published files) and what tools/build_npm.mjs builds the npm
// form from. A second manifest beside it (jsr.json) drifted once: a version
// bumped there alone was ignored by `deno publish`.

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "../_harness.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

interface Manifest {
  name: string;
  version: string;
  exports: Record<string, string>;
  imports: Record<string, string>;
  publish: { include: string[] };
}

function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(root, "deno.json"), "utf8")) as Manifest;
}

test("manifest: deno.json is the only one (no jsr.json or jsr.jsonc to drift from it)", () => {
  for (const name of ["jsr.json", "jsr.jsonc", "deno.jsonc"]) {
    assert.ok(
      !existsSync(join(root, name)),
      `${name} beside deno.json: deno publish reads deno.json; keep name, version and exports there only`,
    );
  }
});

test("manifest: name and version are a JSR package's", () => {
  const { name, version } = readManifest();
  assert.match(name, /^@[a-z0-9-]+\/[a-z0-9-]+$/);
  assert.match(version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
});

test("manifest: every export exists and is published", () => {
  const { exports, publish } = readManifest();
  assert.ok(Object.keys(exports).includes("."), "no main entry");
  for (const [subpath, target] of Object.entries(exports)) {
    assert.ok(existsSync(join(root, target)), `export ${subpath} -> ${target} does not exist`);
    const path = target.replace(/^\.\//, "");
    const included = publish.include.some((pattern) =>
      pattern === path ||
      (pattern.endsWith("/**/*.ts") && path.startsWith(pattern.slice(0, -"**/*.ts".length)))
    );
    assert.ok(included, `export ${subpath} -> ${target} is not in publish.include`);
  }
});

test("manifest: the imports that map the package to itself follow its exports", () => {
  const { name, exports, imports } = readManifest();
  const own = Object.fromEntries(
    Object.entries(imports).filter(([specifier]) =>
      specifier === name || specifier.startsWith(`${name}/`)
    ),
  );
  const expected = Object.fromEntries(
    Object.entries(exports).map(([subpath, target]) => [`${name}${subpath.slice(1)}`, target]),
  );
  assert.deepEqual(own, expected);
});
