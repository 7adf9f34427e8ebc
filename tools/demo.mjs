#!/usr/bin/env node
// `npm run demo [-- deno|bun|node]` (also `demo:bun`, `demo:node`): runs
// examples/demo.ts on the runtime named (Deno by default) with the pinned
// tools of node_modules, and says how it ended. The demo ends by SIGINT (its
// own, or Ctrl-C), as the same program without the library would: that is
// success here. Anything else (the runtime missing, a crash, another status)
// is printed and fails the script.
//
//   node tools/demo.mjs [deno|bun|node] [--file FILE]

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const RUNTIMES = ["deno", "bun", "node"];

function fail(message, status = 1) {
  console.error(`demo: ${message}`);
  process.exit(status);
}

const args = process.argv.slice(2);
let runtime = "deno";
let file = join(repo, "examples", "demo.ts");
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--file") file = resolve(args[++i] ?? "");
  else if (RUNTIMES.includes(args[i])) runtime = args[i];
  else {fail(
      `unknown argument ${JSON.stringify(args[i])}: expected one of ${RUNTIMES.join(", ")}`,
      2,
    );}
}

// Node runs TypeScript by type stripping from 22.18 on; older Nodes (the one
// running this script may be 20) get the pinned Node 24.
function nodeBinary() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return process.execPath;
  return join(repo, "node_modules", "node24", "bin", "node");
}

const command = {
  deno: [join(repo, "node_modules", ".bin", "deno"), ["run", file]],
  bun: [join(repo, "node_modules", ".bin", "bun"), [file]],
  node: [nodeBinary(), ["--disable-warning=ExperimentalWarning", file]],
}[runtime];
if (!existsSync(command[0])) {
  fail(`${command[0]} not found: run \`npm ci\` first (it installs the pinned Deno, Bun and Node)`);
}

// Ctrl-C reaches the whole process group: this script stays to report the end.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => {});
const child = spawn(command[0], command[1], { stdio: "inherit" });
child.on("error", (error) => fail(`could not start ${command[0]}: ${error.message}`));
child.on("exit", (code, signal) => {
  if (signal === "SIGINT" || signal === "SIGTERM") {
    const status = signal === "SIGINT" ? 130 : 143;
    console.error(
      `demo: the ${runtime} process died by ${signal} (status ${status} in a shell), ` +
        "as it would have without the library: ok",
    );
    process.exit(0);
  }
  fail(
    `the ${runtime} process ${signal ? `died by ${signal}` : `exited with status ${code}`}; ` +
      "it should have died by SIGINT (see the output above)",
    code || 1,
  );
});
