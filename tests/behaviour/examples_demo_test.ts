// examples/demo.ts (`npm run demo`, `demo:bun`, `demo:node`) under real signals: the
// step that runs when the signal comes finishes, the job leaves at the next
// breakpoint, the hooks run last registered first, and the process dies by
// the signal it got.
import assert from "node:assert/strict";
import { processTest as test } from "../_harness.ts";
import { startFixture } from "../_child.ts";

function texts(lines: string[]): string[] {
  return lines.map((line) => line.replace(/^\[\d+\.\d s\] /, ""));
}

test("examples/demo.ts: SIGTERM mid-step lets the step finish, then the hooks run", async () => {
  const child = startFixture("../../examples/demo.ts");
  await child.waitFor(/step 1\/12: working/);
  child.kill("SIGTERM");
  const end = await child.ended;
  const lines = texts(end.lines);
  const at = (text: string) => lines.findIndex((line) => line.startsWith(text));
  assert.ok(at("step 1/12: committed") !== -1, lines.join("\n"));
  assert.equal(at("step 2/12: working"), -1, "no step starts after the signal");
  assert.ok(at("left the job at a breakpoint") > at("step 1/12: committed"), lines.join("\n"));
  assert.ok(at("hook 'close'") < at("hook 'flush': writing"), "last registered first");
  assert.ok(at("hook 'flush': done") !== -1, lines.join("\n"));
  assert.match(
    lines[lines.length - 1],
    /^report: close: ok, flush: ok; forced: false; next: \{"signal":"SIGTERM"\}$/,
  );
  assert.deepEqual([end.code, end.signal], [null, "SIGTERM"], end.stderr);
});

test(
  "examples/demo.ts: left alone it sends itself SIGINT after step 4 and dies by it",
  async () => {
    const child = startFixture("../../examples/demo.ts");
    const end = await child.ended;
    const lines = texts(end.lines);
    assert.ok(lines.includes("nobody pressed Ctrl-C: sending SIGINT to myself, as Ctrl-C would"));
    assert.ok(lines.includes("step 4/12: committed"), lines.join("\n"));
    assert.ok(!lines.some((line) => line.startsWith("step 6/12")), lines.join("\n"));
    assert.match(lines[lines.length - 1], /next: \{"signal":"SIGINT"\}$/);
    assert.deepEqual([end.code, end.signal], [null, "SIGINT"], end.stderr);
  },
);
