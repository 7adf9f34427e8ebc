// adopt() with real child processes, started with every spawning API of the
// runtime under test; after each scenario, survivors are counted through /proc.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { processTest as test, runtimeName } from "../_harness.ts";
import { type Child, type ChildEnd, delay, startFixture } from "../_child.ts";
import { gone, running } from "../_proc.ts";

const kinds = { deno: ["deno", "node"], bun: ["bun", "node"], node: ["node"] }[runtimeName];
const skip: string | false = process.platform === "linux"
  ? false
  : "survivors are counted through /proc (Linux)";
const dir = skip ? "" : mkdtempSync(join(tmpdir(), "adopt-test-"));

interface Outcome {
  end: ChildEnd;
  /** What the child wrote about itself, without its pid. */
  notes: string[];
  report?: {
    forced: boolean;
    cause: string;
    steps: { name: string; outcome: string; durationMs: number; error?: string }[];
  };
  childPid: number;
  /** Children still running 500 ms after the parent ended: 0 or 1. */
  survivors: number;
}

/** Runs tests/fixtures/adopt_parent.ts through `scenario`; `act` does what the test does. */
async function scenario(
  kind: string,
  name: string,
  act: (parent: Child, childPid: number) => Promise<void>,
): Promise<Outcome> {
  const file = join(dir, `${kind}-${name}-${Date.now()}.log`);
  const parent = startFixture("adopt_parent.ts", [kind, name, file]);
  let childPid = 0;
  try {
    const ready = await parent.waitFor(/^parent ready \d+$/);
    childPid = Number(ready.split(" ")[2]);
    await act(parent, childPid);
    const end = await parent.ended;
    const survivors = await gone(childPid, 500) === -1 ? 1 : 0;
    // A child killed before it started wrote nothing.
    const written = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    const notes = (written === "" ? [] : written.split("\n")).map((line) =>
      line.replace(/^\d+ /, "")
    );
    const line = end.lines.find((l) => l.startsWith("report "));
    // On exit() the process ends before `done`'s callbacks can run.
    if (!name.startsWith("exit")) {
      assert.ok(line, `no report:\n${end.lines.join("\n")}\n${end.stderr}`);
    }
    const report = line === undefined ? undefined : JSON.parse(line.slice(7));
    return { end, notes, report, childPid, survivors };
  } finally {
    if (childPid && running(childPid)) process.kill(childPid, "SIGKILL");
  }
}

for (const kind of kinds) {
  const options = { skip, timeoutMs: 30_000 };

  test(
    `adopt (${kind}): SIGTERM reaches the child, the parent waits for it, then dies by the signal`,
    async () => {
      let tookMs = 0;
      const out = await scenario(kind, "graceful", async (parent, pid) => {
        parent.kill("SIGTERM");
        tookMs = await gone(pid, 10_000);
      });
      assert.deepEqual(out.notes, ["ready", "got SIGTERM", "exits"]);
      const [step] = out.report!.steps;
      assert.deepEqual([step.name, step.outcome], [`child ${out.childPid}`, "ok"]);
      assert.ok(step.durationMs >= 150, `the step waited ${step.durationMs} ms for a 200 ms stop`);
      assert.deepEqual([out.end.code, out.end.signal], [null, "SIGTERM"]);
      assert.equal(out.survivors, 0);
      assert.ok(tookMs >= 150 && tookMs < 10_000, `child gone ${tookMs} ms after SIGTERM`);
    },
    options,
  );

  test(`adopt (${kind}): a child ignoring SIGTERM is killed at timeoutMs`, async () => {
    const out = await scenario(kind, "stubborn", (parent) => {
      parent.kill("SIGTERM");
      return Promise.resolve();
    });
    assert.deepEqual(out.notes, ["ready", "got SIGTERM"]);
    const [step] = out.report!.steps;
    assert.equal(step.outcome, "threw");
    assert.match(step.error!, /did not exit within 500 ms of SIGTERM: killed it with SIGKILL/);
    assert.ok(step.durationMs >= 450 && step.durationMs < 5_000, `${step.durationMs} ms`);
    assert.deepEqual([out.end.code, out.end.signal], [null, "SIGTERM"]);
    assert.equal(out.survivors, 0);
  }, options);

  test(
    `adopt (${kind}): parent forced by the 3rd signal while waiting for the child: 0 orphans`,
    async () => {
      const out = await scenario(kind, "force-running", async (parent) => {
        // 400 ms apart: signals sent closer were merged into one by a loaded
        // machine, and no force came (the in-group grace is 5 s here).
        for (let n = 0; n < 3; n++) {
          parent.kill("SIGTERM");
          await delay(400);
        }
      });
      // The child shares the parent's group, so it is left to stop on its own
      // first (it may have got the signal too); forced meanwhile, it is killed.
      assert.deepEqual(out.notes, ["ready"]);
      assert.equal(out.report!.forced, true);
      assert.deepEqual(out.report!.steps.map((s) => s.outcome), ["cut"]);
      assert.deepEqual([out.end.code, out.end.signal], [null, "SIGTERM"]);
      assert.equal(out.survivors, 0);
    },
    options,
  );

  test(`adopt (${kind}): parent forced before the child's step started: 0 orphans`, async () => {
    const out = await scenario(kind, "force-pending", async (parent) => {
      for (let n = 0; n < 3; n++) {
        parent.kill("SIGTERM");
        await delay(400); // not merged into one by a loaded machine
      }
    });
    assert.deepEqual(out.notes, ["ready"], "the child was never asked: it was killed");
    assert.deepEqual(out.report!.steps.map((s) => `${s.name}:${s.outcome}`), [
      "hang:cut",
      `child ${out.childPid}:cut`,
    ]);
    assert.deepEqual([out.end.code, out.end.signal], [null, "SIGTERM"]);
    assert.equal(out.survivors, 0);
  }, options);

  test(
    `adopt (${kind}): parent crashes with an uncaught error: the child is stopped, 0 orphans`,
    async () => {
      const out = await scenario(kind, "crash", () => Promise.resolve());
      assert.deepEqual(out.notes, ["ready", "got SIGTERM", "exits"]);
      assert.equal(out.report!.cause, "error");
      assert.deepEqual(out.report!.steps.map((s) => s.outcome), ["ok"]);
      assert.deepEqual([out.end.code, out.end.signal], [1, null]);
      assert.equal(out.survivors, 0);
    },
    options,
  );

  test(
    `adopt (${kind}): exit(3) right after the first adopt(), before its code loaded: killed, 0 orphans`,
    async () => {
      const out = await scenario(kind, "exit-at-once", () => Promise.resolve());
      assert.deepEqual([out.end.code, out.end.signal], [3, null]);
      assert.equal(out.survivors, 0);
    },
    { skip, timeoutMs: 30_000 },
  );

  test(
    `adopt (${kind}): parent calls exit(3): a child ignoring SIGTERM is killed, 0 orphans`,
    async () => {
      const out = await scenario(kind, "exit", () => Promise.resolve());
      assert.deepEqual(out.notes, ["ready"]);
      assert.deepEqual([out.end.code, out.end.signal], [3, null]);
      assert.equal(out.survivors, 0);
    },
    { skip, timeoutMs: 30_000 },
  );
}

test(
  "adopt: Ctrl-C reached parent and child: the child stops on its SIGINT, no SIGTERM",
  async () => {
    const out = await scenario(kinds[0], "sigint", (parent, pid) => {
      // What a terminal does: the whole foreground process group gets SIGINT.
      parent.kill("SIGINT");
      process.kill(pid, "SIGINT");
      return Promise.resolve();
    });
    assert.deepEqual(out.notes, ["ready", "got SIGINT", "exits"]);
    assert.deepEqual(out.report!.steps.map((s) => s.outcome), ["ok"]);
    assert.deepEqual([out.end.code, out.end.signal], [null, "SIGINT"]);
    assert.equal(out.survivors, 0);
  },
  { skip, timeoutMs: 30_000 },
);

test(
  "adopt: SIGINT to the parent alone: the child gets SIGTERM after half of timeoutMs",
  async () => {
    const out = await scenario(kinds[0], "sigint-alone", (parent) => {
      parent.kill("SIGINT");
      return Promise.resolve();
    });
    assert.deepEqual(out.notes, ["ready", "got SIGTERM", "exits"]);
    const [step] = out.report!.steps;
    assert.equal(step.outcome, "ok");
    assert.ok(step.durationMs >= 450 && step.durationMs < 5_000, `${step.durationMs} ms`);
    assert.deepEqual([out.end.code, out.end.signal], [null, "SIGINT"]);
    assert.equal(out.survivors, 0);
  },
  { skip, timeoutMs: 30_000 },
);
