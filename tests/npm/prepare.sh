#!/usr/bin/env bash
# The package as Node gets it: builds build/npm/ (tools/build_npm.mjs), packs it
# with `npm pack`, installs the tarball into a new project in DIR (no registry
# needed: the package has no dependencies), and copies the behaviour tests,
# their fixtures and examples/ there with imports of the source rewritten to
# the package name. tests/npm/run.sh then runs them on Node and Bun, and
# type-checks tests/npm/consumer.ts against the installed .d.ts.
#
#   bash tests/npm/prepare.sh DIR
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="${1:?usage: prepare.sh DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

node "$root/tools/build_npm.mjs" --quiet
tarball="$(cd "$root/build/npm" && npm pack --silent --pack-destination "$dir")"
echo "packed: $tarball"

cat >"$dir/package.json" <<'JSON'
{ "name": "graceful-shutdown-consumer", "private": true, "type": "module" }
JSON
(cd "$dir" && npm install "./$tarball" --offline --no-audit --no-fund --no-save --silent)
installed="$dir/node_modules/@graceful/shutdown"
[ -f "$installed/mod.js" ] || { echo "prepare: $installed/mod.js missing"; exit 1; }
# Nothing from the TypeScript sources may have been packed.
if find "$installed" -name '*.ts' ! -name '*.d.ts' | grep -q .; then
  echo "prepare: the package holds TypeScript sources:"; find "$installed" -name '*.ts' ! -name '*.d.ts'
  exit 1
fi
# The package says what deno.json (the one manifest) says.
node - "$root/deno.json" "$installed/package.json" <<'JS' || exit 1
const [manifest, pkg] = process.argv.slice(2).map((file) => require(file));
const same = pkg.name === manifest.name && pkg.version === manifest.version &&
  JSON.stringify(Object.keys(pkg.exports)) === JSON.stringify(Object.keys(manifest.exports));
if (!same) {
  console.error(`prepare: the package (${pkg.name}@${pkg.version}, ${Object.keys(pkg.exports)})` +
    ` differs from deno.json (${manifest.name}@${manifest.version}, ${Object.keys(manifest.exports)})`);
  process.exit(1);
}
JS
echo "installed: $(node -p "require('$installed/package.json').version") in $dir"

# Types for the consumer check, from this repository's pinned tools.
mkdir -p "$dir/node_modules/@types"
ln -sfn "$root/node_modules/@types/node" "$dir/node_modules/@types/node"
# The worker pools the attach() tests run (devDependencies).
for pool in piscina tinypool; do ln -sfn "$root/node_modules/$pool" "$dir/node_modules/$pool"; done

# The behaviour tests and what they run, importing the installed package.
mkdir -p "$dir/tests"
cp "$root"/tests/_*.ts "$dir/tests/"
cp -r "$root/tests/behaviour" "$root/tests/fixtures" "$dir/tests/"
cp -r "$root/examples" "$dir/"
cp "$root/tests/npm/consumer.ts" "$root"/tests/npm/tsconfig*.json "$dir/"
cat >"$dir/bun.test.ts" <<'TS'
// Bun's entry to the behaviour tests of the installed package.
declare const Bun: {
  Glob: new (pattern: string) => { scanSync(dir: string): Iterable<string> };
};
// `import.meta.dir` is Bun's; typed here so that `deno check` of the tree passes.
const bunDir = (import.meta as ImportMeta & { dir: string }).dir;
const files = [...new Bun.Glob("tests/behaviour/*_test.ts").scanSync(bunDir)];
for (const file of files.sort()) await import(`./${file}`);
TS
find "$dir/tests" "$dir/examples" -name '*.ts' -print0 | xargs -0 sed -i -E \
  -e 's#"(\.\./)+mod\.ts"#"@graceful/shutdown"#g' \
  -e 's#"(\.\./)+testing\.ts"#"@graceful/shutdown/testing"#g' \
  -e 's#"(\.\./)+src/[a-z_/]+\.ts"#"@graceful/shutdown"#g'
# A test left importing the source would not test the package: refuse.
if grep -rnE "from \"(\.\./)+(mod|testing)\.ts\"|\"(\.\./)+src/" "$dir/tests" "$dir/examples"; then
  echo "prepare: the imports above still point at the source"
  exit 1
fi
echo "copied: $(ls "$dir/tests/behaviour" | wc -l) behaviour test files, $(ls "$dir/examples" | wc -l) examples"
