// Whether a process still runs, read from /proc (Linux): tests count the
// children a parent left behind.
import { readFileSync } from "node:fs";
import { delay } from "./_child.ts";

/** True while `pid` runs; a zombie has exited (only nobody reaped it yet). */
export function running(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  // The state follows the command name, which is in parentheses and may hold spaces.
  const state = stat.charAt(stat.lastIndexOf(")") + 2);
  return state !== "Z" && state !== "X";
}

/** Polls until `pid` no longer runs; resolves with the ms it took, or -1 after `limitMs`. */
export async function gone(pid: number, limitMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if (!running(pid)) return performance.now() - start;
    await delay(5);
  }
  return running(pid) ? -1 : performance.now() - start;
}
