// adopt() with many children, group-wide signals, the watchdog, a child
// signalled before it was adopted, and children that end on their own. Real
// children (sh, or the runtime running adopt_child.ts); survivors are counted
// through /proc after the parent has ended.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { processTest as test, runtimeName } from "../_harness.ts";
import { type ChildEnd, startFixture } from "../_child.ts";
import { gone, running } from "../_proc.ts";

const skip: string | false = process.platform === "linux"
  ? false
  : "survivors are counted through /proc (Linux)";
const dir = skip ? "" : mkdtempSync(join(tmpdir(), "adopt-many-test-"));
const options = { skip, timeoutMs: 60_000 };

interface Run {
  end: ChildEnd;
  pids: number[];
  /** Every line the children noted. */
  notes: string[];
  report?: {
    forced: boolean;
    tookMs: number;
    steps: { name: string; outcome: string; durationMs: number }[];
  };
  /** Processes (children, grandchildren) still running 500 ms after the parent ended. */
  survivors: number[];
  /** The file the children note to. */
  file: string;
}

/** Runs adopt_many.ts `scenario`; `act` signals it once it is ready. */
async function run(
  scenario: string,
  arg: string,
  act: (parent: { pid: number; kill(signal: NodeJS.Signals): void }) => void,
  detached = false,
): Promise<Run> {
  const file = join(dir, `${scenario}-${Date.now()}.log`);
  const parent = startFixture("adopt_many.ts", [scenario, file, arg], {
    detached,
    limitMs: 40_000,
  });
  let pids: number[] = [];
  const all = (): number[] => {
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    const grandchildren = [...text.matchAll(/^(\d+) grandchild$/gm)].map((m) => Number(m[1]));
    return [...pids, ...grandchildren];
  };
  try {
    const ready = await parent.waitFor(/^parent ready/, 20_000);
    pids = ready.split(" ").slice(2).map(Number);
    act(parent);
    const end = await parent.ended;
    await Promise.all(all().map((pid) => gone(pid, 500)));
    const survivors = all().filter(running);
    const notes = existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
    const line = end.lines.find((l) => l.startsWith("report "));
    const report = line === undefined ? undefined : JSON.parse(line.slice(7));
    return { end, pids, notes, report, survivors, file };
  } finally {
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    // The program's own execSync child (not adopted) outlives a SIGKILLed parent.
    const native = [...text.matchAll(/^(\d+) native$/gm)].map((m) => Number(m[1]));
    for (const pid of [...all(), ...native]) if (running(pid)) process.kill(pid, "SIGKILL");
  }
}

/** How many lines `pid <text>` the children noted, per pid. */
function count(out: Run, text: string): number[] {
  return out.pids.map((pid) => out.notes.filter((line) => line === `${pid} ${text}`).length);
}

test(
  "adopt: 20 children needing 300 ms each are asked at once: the shutdown takes ~300 ms, not 6 s",
  async () => {
    const out = await run("many", "20", (parent) => parent.kill("SIGTERM"));
    assert.deepEqual(count(out, "got TERM"), out.pids.map(() => 1), out.notes.join("\n"));
    assert.deepEqual(count(out, "exits"), out.pids.map(() => 1));
    // One after another they need 20 × 300 ms = 6 s; together, about 300 ms.
    assert.ok(out.report!.tookMs < 3_000, `the shutdown took ${out.report!.tookMs} ms`);
    // Each child is still a step of its own, in LIFO order, each ok.
    assert.deepEqual(
      out.report!.steps.map((s) => `${s.name}:${s.outcome}`),
      [...out.pids].reverse().map((pid) => `child ${pid}:ok`),
    );
    assert.deepEqual(out.survivors, []);
    assert.deepEqual([out.end.code, out.end.signal], [null, "SIGTERM"]);
  },
  options,
);

test(
  "adopt: budgetMs 2000 and 20 children needing 300 ms each: every child is asked, none killed unasked",
  async () => {
    const out = await run("many-budget", "20", (parent) => parent.kill("SIGTERM"));
    assert.deepEqual(count(out, "got TERM"), out.pids.map(() => 1), out.notes.join("\n"));
    assert.deepEqual(count(out, "exits"), out.pids.map(() => 1));
    assert.equal(out.report!.forced, false);
    assert.deepEqual(out.survivors, []);
  },
  options,
);

for (const kind of runtimeName === "node" ? ["node"] : [runtimeName, "node"]) {
  test(
    `adopt (${kind}): SIGTERM to the parent's whole process group reaches each child once`,
    async () => {
      const out = await run("group", kind, (parent) => process.kill(-parent.pid, "SIGTERM"), true);
      const notes = out.pids.map((_, n) =>
        readFileSync(`${out.file}.${n}`, "utf8").trim().split("\n")
          .map((line) => line.replace(/^\d+ /, "")).filter((line) => line !== "ready")
      );
      // It stops 800 ms after its SIGTERM; a second SIGTERM would be noted.
      assert.deepEqual(notes, out.pids.map(() => ["got SIGTERM", "exits"]));
      assert.deepEqual(out.report!.steps.map((s) => s.outcome), ["ok", "ok"]);
      assert.deepEqual(out.survivors, []);
    },
    options,
  );
}

test(
  "adopt: forced by the deadline: no child left, nor anything in a detached child's group",
  async () => {
    const out = await run("deadline", "", (parent) => parent.kill("SIGTERM"));
    assert.equal(out.report!.forced, true);
    assert.equal(out.pids.length, 2);
    assert.ok(out.notes.some((line) => line.endsWith(" grandchild")), out.notes.join("\n"));
    // The detached sh stops on SIGTERM at once and leaves its `sleep 60` behind.
    assert.deepEqual(out.survivors, [], `left running: ${out.survivors.join(", ")}`);
  },
  options,
);

test(
  "adopt: the watchdog kills adopted children and the groups they lead before it ends a stuck process",
  async () => {
    const out = await run("watchdog-spin", "", (parent) => parent.kill("SIGTERM"));
    assert.match(out.end.stderr, /graceful-shutdown watchdog: the main thread is stuck/);
    assert.deepEqual([out.end.code, out.end.signal], [null, "SIGTERM"]);
    assert.equal(out.pids.length, 2);
    assert.deepEqual(out.survivors, [], `left running: ${out.survivors.join(", ")}`);
  },
  options,
);

test(
  "adopt: the watchdog ends a process stuck in a native call (execSync), children and all",
  async () => {
    let sentAt = 0;
    const out = await run("watchdog-native", "", (parent) => {
      sentAt = performance.now();
      parent.kill("SIGTERM");
    });
    const tookMs = performance.now() - sentAt;
    assert.match(out.end.stderr, /graceful-shutdown watchdog: the main thread is stuck/);
    // execSync("sleep 12") would hold it 12 s (its sh and sleep outlive a SIGKILLed parent: not adopted).
    assert.ok(tookMs < 8_000, `the parent ended ${Math.round(tookMs)} ms after SIGTERM`);
    if (runtimeName === "node") {
      assert.match(out.end.stderr, /native call .*SIGKILL instead \(status 137\)/);
      assert.equal(out.end.signal, "SIGKILL");
    } else {
      assert.deepEqual([out.end.code, out.end.signal], [null, "SIGTERM"]);
    }
    assert.deepEqual(out.survivors, [], `left running: ${out.survivors.join(", ")}`);
  },
  options,
);

test(
  "adopt: a node:child_process child signalled before adopt() (SIGHUP, a reload) is still stopped",
  async () => {
    const out = await run("hup", "", (parent) => parent.kill("SIGTERM"));
    const [pid] = out.pids;
    assert.ok(out.notes.includes(`${pid} got HUP`), out.notes.join("\n"));
    assert.ok(out.notes.includes(`${pid} got TERM`), out.notes.join("\n"));
    assert.deepEqual(out.report!.steps.map((s) => s.outcome), ["ok"]);
    assert.deepEqual(out.survivors, []);
  },
  options,
);

test("adopt: 200 children that ended on their own leave no step behind", async () => {
  const out = await run("reap", "200", () => {});
  assert.ok(out.notes.includes("reaped"));
  assert.deepEqual(out.report!.steps, []);
  assert.deepEqual([out.end.code, out.end.signal], [0, null]);
}, options);
