// What the drain benchmarks share: their flags, the runtimes that run the
// server programs, and the line that says which machine and versions ran them.

import { execFileSync } from "node:child_process";
import { cpus, release, totalmem } from "node:os";
import process from "node:process";

const _argv = process.argv.slice(2);

/** The value after `--name` on the command line, or `fallback`. */
export function flag(name: string, fallback: string): string {
  const at = _argv.indexOf(name);
  return at === -1 ? fallback : _argv[at + 1];
}

/** The command and leading arguments that run a server program, per runtime. */
export const serverRuntimes: Record<string, [string, string[]]> = {
  deno: ["node_modules/.bin/deno", ["run", "--allow-all", "--quiet", "--no-lock"]],
  bun: ["node_modules/.bin/bun", []],
  node: ["node_modules/node24/bin/node", ["--disable-warning=ExperimentalWarning"]],
};

function _version(command: string): string {
  return execFileSync(command, ["--version"], { encoding: "utf8" }).split("\n")[0].trim();
}

/** The machine and the runtimes' versions, then `peers` (what else was measured). */
export function machineLine(peers: string): string {
  return `Linux ${release()}, ${process.arch}, ${cpus().length} × ${cpus()[0]?.model.trim()}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB; ${_version(serverRuntimes.deno[0])}, ` +
    `Bun ${_version(serverRuntimes.bun[0])}, Node ${_version(serverRuntimes.node[0])}, ${peers}`;
}
