// The torture command: signal-timing fuzz, signal storms, misbehaving hooks,
// PID 1 and property-based bad input, on the runtime that runs this file.
// `TORTURE_RUNS` sets the fuzz runs (CI: 50; `npm run torture`: 1000).
// Ends with one line "N passed, M failed" (each check counts once).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { readRecords } from "./_record.ts";
import { command, runtime, send, sleep, start } from "./_spawn.ts";
import { badInput } from "./_bad_input.ts";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const runs = Number(process.env.TORTURE_RUNS ?? 50);
let passed = 0, failed = 0;
const figures: string[] = [];

function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAILED ${name} ${detail}`);
  }
}

const ONE: NodeJS.Signals[] = ["SIGTERM", "SIGINT"];
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)];

async function fuzz(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "torture-"));
  let committed = 0, torn = 0, lost = 0, bad = 0, doubleSignal = 0;
  const began = performance.now();
  for (let run = 0; run < runs; run++) {
    const file = join(dir, `r${run}.log`);
    const startMs = Math.floor(Math.random() * 150);
    const p = start(command(fixtures + "writer.ts", [file, String(startMs)]));
    const sent: string[] = [pick(ONE)];
    await sleep(Math.random() * 450);
    send(p.child.pid!, sent[0] as NodeJS.Signals);
    if (Math.random() < 0.3) {
      await sleep(Math.random() * 60);
      sent.push(sent[0] === "SIGTERM" ? "SIGINT" : "SIGTERM");
      if (send(p.child.pid!, sent[1] as NodeJS.Signals)) doubleSignal++;
    }
    const end = await p.ended;
    let text = "";
    try {
      text = readFileSync(file, "utf8");
    } catch { /* never opened */ }
    const records = readRecords(text);
    const said = end.lines.filter((l) => l.startsWith("committed ")).map((l) =>
      Number(l.slice(10))
    );
    committed += said.length;
    const missing = said.filter((seq) => !records.intact.has(seq));
    lost += missing.length;
    torn += records.torn;
    const counts = ["hook audit", "hook flush", "hook store"].map((h) =>
      end.lines.filter((l) => l === h).length
    );
    const armed = end.lines.includes("armed");
    const hooksOk = armed ? counts.every((c) => c === 1) : counts.every((c) => c <= 1);
    const statusOk = end.code === null && sent.includes(end.signal!) &&
      (sent.length === 2 || end.signal === sent[0]);
    const ok = missing.length === 0 && hooksOk && statusOk;
    if (!ok) {
      bad++;
      console.log(
        `FAILED fuzz run ${run}: sent ${sent} ended ${end.code}/${end.signal} hooks ${counts} ` +
          `armed ${armed} lost ${missing.length} stderr ${end.stderr.slice(0, 300)}`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const perRun = (performance.now() - began) / runs;
  check("fuzz", bad === 0);
  figures.push(
    `fuzz: ${runs} runs, ${bad} failed, ${committed} committed records, ${lost} lost, ` +
      `${torn} torn uncommitted tails, ${doubleSignal} runs with two signals, ` +
      `${perRun.toFixed(0)} ms per run`,
  );
}

async function storm(): Promise<void> {
  const kinds: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
  const p = start(command(fixtures + "storm.ts", []));
  await p.waitFor("ready");
  let sentCount = 0;
  for (let i = 0; i < 10_000; i++) {
    if (!send(p.child.pid!, kinds[i % 4])) break;
    sentCount++;
  }
  const end = await p.ended;
  const reportLine = end.lines.find((l) => l.startsWith("report "));
  const report = reportLine ? JSON.parse(reportLine.slice(7)) : undefined;
  const once = (h: string) => end.lines.filter((l) => l === h).length <= 1;
  check(
    "storm",
    report?.forcedBy === "attempts" && report?.attempts === 4 && once("hook slow") &&
      once("hook quick") && end.lines.filter((l) => l === "before termination").length === 1 &&
      kinds.includes(end.signal as NodeJS.Signals) && !/Uncaught|Unhandled|Error/.test(end.stderr),
    `report ${reportLine} end ${end.code}/${end.signal} stderr ${end.stderr.slice(0, 300)}`,
  );
  figures.push(
    `storm: ${sentCount} signals sent before the process ended; it counted ` +
      `${report?.attempts} attempts (forced at 4), ended by ${end.signal}`,
  );
}

async function misbehave(mode: string): Promise<number> {
  const p = start(command(fixtures + "misbehave.ts", [mode]));
  await p.waitFor("ready");
  const sentAt = performance.now();
  send(p.child.pid!, "SIGTERM");
  const end = await p.ended;
  const elapsed = performance.now() - sentAt;
  const report = end.lines.find((l) => l.startsWith("report ")) ?? "";
  const both = end.lines.includes("hook first-registered") &&
    end.lines.includes("hook registered-last");
  let ok = false;
  if (mode === "async") {
    ok = both && end.signal === "SIGTERM" && report.includes("forced=false") &&
      report.includes("throws:threw") && report.includes("rejects:threw") &&
      report.includes("hangs:timed-out") && elapsed > 250 && elapsed < 700;
  } else if (mode === "exit") {
    ok = both && end.code === 7;
  } else if (mode === "block") {
    ok = end.signal === "SIGTERM" && end.stderr.includes('hook "blocks" was running') &&
      end.lines.includes("hook registered-last") && elapsed > 950 && elapsed < 1_250;
  } else if (mode === "overrun") {
    ok = end.signal === "SIGTERM" && report.includes("forced=true by=deadline") &&
      report.includes("last:cut") && !end.lines.includes("hook first-registered");
  }
  check(`misbehave ${mode}`, ok, `${elapsed.toFixed(0)} ms ${end.code}/${end.signal} ${report}`);
  return elapsed;
}

async function pid1(signal: NodeJS.Signals): Promise<void> {
  const argv = [
    "unshare",
    "--pid",
    "--fork",
    "--mount-proc",
    ...command(fixtures + "storm.ts", []),
  ];
  const p = start(argv);
  const ready = await p.waitFor("ready");
  let inner = 0;
  try {
    const task = readFileSync(`/proc/${p.child.pid}/task/${p.child.pid}/children`, "utf8");
    inner = Number(task.trim().split(" ")[0]);
  } catch { /* no such process */ }
  if (inner > 0) send(inner, signal);
  const end = await p.ended;
  const status = 128 + (signal === "SIGTERM" ? 15 : 2);
  // As PID 1 the kernel ignores a re-raised signal: the right status is 128 + n.
  check(
    `pid1 ${signal}`,
    ready && inner > 0 && end.lines.includes("hook slow") && end.lines.includes("hook quick") &&
      (end.code === status || end.signal === signal),
    `ready ${ready} inner ${inner} ended ${end.code}/${end.signal} ${end.stderr.slice(0, 300)}`,
  );
}

const began = performance.now();
const only = process.env.TORTURE_ONLY;
if (!only || only === "fuzz") await fuzz();
if (!only || only === "storm") await storm();
if (!only || only === "misbehave") {
  const times: string[] = [];
  for (const mode of ["async", "exit", "block", "overrun"]) {
    times.push(`${mode} ${(await misbehave(mode)).toFixed(0)} ms`);
  }
  figures.push(`misbehaving hooks (deadline 1000 ms), signal to end: ${times.join(", ")}`);
}
if (!only || only === "pid1") {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    // `unshare --pid` needs root; said on a line of its own (tests/run_all.sh counts it).
    const uid = process.getuid?.();
    if (uid === 0) await pid1(signal);
    else console.log(`pid1 ${signal} [skipped: PID 1 needs root (unshare --pid); uid ${uid}]`);
  }
}
if (!only || only === "bad-input") {
  const result = await badInput(Number(process.env.TORTURE_PROPERTY_RUNS ?? 100));
  check("bad input", result.failures.length === 0, result.failures.slice(0, 5).join("; "));
  figures.push(`bad input: ${result.cases} generated cases, ${result.failures.length} failures`);
}
for (const line of figures) console.log(`${runtime}: ${line}`);
console.log(`${runtime}: total ${((performance.now() - began) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
