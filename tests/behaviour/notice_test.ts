// Terminal manners: on an interactive terminal the first Ctrl-C prints one
// line saying how to force; off a terminal nothing is printed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { processTest as test } from "../_harness.ts";
import { runtimeCommand, startFixture } from "../_child.ts";

const fixture = fileURLToPath(new URL("../fixtures/notice.ts", import.meta.url));
const NOTICE = "shutting down gracefully (SIGINT); press Ctrl-C 2 more times to force";
const hasScript = spawnSync("script", ["--version"]).status === 0;

function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

test("on a terminal the first Ctrl-C prints one line on how to force", () => {
  const [command, args] = runtimeCommand(fixture);
  // `script` gives the fixture a pseudo-terminal, as an interactive shell would.
  const result = spawnSync("script", [
    "-qfec",
    [command, ...args].map(quote).join(" "),
    "/dev/null",
  ], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 30_000,
  });
  const lines = result.stdout.replaceAll("\r", "").split("\n");
  assert.equal(lines.filter((line) => line === NOTICE).length, 1, result.stdout + result.stderr);
  assert.ok(lines.includes("hook ran"), result.stdout);
}, { skip: !hasScript && "the `script` command (util-linux) is not installed" });

test("off a terminal a clean shutdown prints nothing on stderr", async () => {
  const end = await startFixture("notice.ts").ended;
  assert.deepEqual(end.lines, ["ready", "hook ran"], end.stderr);
  assert.equal(end.stderr, "");
  assert.deepEqual([end.code, end.signal], [null, "SIGINT"]);
});
