// Signals by process id, for what a child object cannot do: SIGKILL the
// process group an adopted child leads (spawned `detached: true`, or after
// `setsid`), so that its own children do not outlive it. Loaded with the
// child code only.

interface _Globals {
  Deno?: { kill(pid: number, signal: string): void; pid: number };
  process?: { kill(pid: number, signal: string | number): boolean; pid: number };
}

/**
 * SIGKILLs the process group whose id is `pid`, if there is one. Only a
 * process that made itself a group leader gives a group its pid, and a pid
 * is not reused while its group lives, so this never reaches a stranger.
 * Never throws (no such group, or no process groups here).
 */
export function _killGroup(pid: number): void {
  if (!(pid > 1)) return;
  const g = globalThis as unknown as _Globals;
  try {
    if (g.Deno !== undefined) g.Deno.kill(-pid, "SIGKILL");
    else g.process?.kill(-pid, "SIGKILL");
  } catch {
    // No such group (the child shares ours), or gone already.
  }
}

/**
 * True when this process is PID 1 (a container's init): container runtimes
 * (`docker stop`, Kubernetes) signal PID 1 alone, never its process group.
 */
export function _isInit(): boolean {
  const g = globalThis as unknown as _Globals;
  return (g.Deno?.pid ?? g.process?.pid) === 1;
}
