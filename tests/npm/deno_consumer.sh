#!/usr/bin/env bash
# `deno check` as a user's Deno project runs it: a package.json whose
# node_modules hold @types/node (the pinned one) and an npm package used beside
# the library, which is mapped in deno.json to this checkout's entry points
# (the exports of deno.json). tests/npm/deno_consumer.ts is the program.
#
#   bash tests/npm/deno_consumer.sh [DIR]
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
if [ $# -ge 1 ]; then dir=$1; else
  dir=$(mktemp -d "${TMPDIR:-/tmp}/graceful-deno.XXXXXX")
  trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir/node_modules/@types"
dir="$(cd "$dir" && pwd)"

for pkg in @types/node fast-check; do ln -sfn "$root/node_modules/$pkg" "$dir/node_modules/$pkg"; done
node - "$root" "$dir" <<'JS'
const [root, dir] = process.argv.slice(2);
const fs = require("node:fs");
const version = (pkg) => require(`${root}/node_modules/${pkg}/package.json`).version;
const deps = Object.fromEntries(["@types/node", "fast-check"].map((p) => [p, version(p)]));
fs.writeFileSync(`${dir}/package.json`, JSON.stringify({
  name: "deno-consumer", private: true, type: "module", dependencies: deps,
}, null, 2));
const manifest = require(`${root}/deno.json`);
const imports = {};
for (const [sub, target] of Object.entries(manifest.exports)) {
  imports[`${manifest.name}${sub.slice(1)}`] = new URL(target, `file://${root}/`).href;
}
fs.writeFileSync(`${dir}/deno.json`, JSON.stringify({ imports }, null, 2));
JS
cp "$root/tests/npm/deno_consumer.ts" "$dir/main.ts"
echo 'self.onmessage = () => {};' >"$dir/worker.ts"
echo "@types/node $(node -p "require('$dir/node_modules/@types/node/package.json').version") in $dir"
cd "$dir" && "$root/node_modules/.bin/deno" check main.ts
