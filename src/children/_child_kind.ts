// Which kind of child process an object is, by its properties alone: the
// cheap part of adopt() that must run at once (the rest loads on first use).

import { _show } from "../core/_validate.ts";

/** Which kind of child an object is. */
export type _ChildKind = "node" | "bun" | "deno";

function _isThenable(value: unknown): boolean {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

/** Tells which kind of child `value` is, reading properties only; undefined: none. */
export function _childKind(value: unknown): _ChildKind | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const child = value as Record<string, unknown>;
  if (typeof child.kill !== "function") return undefined;
  // An EventEmitter with exit fields: node:child_process on any runtime.
  if (
    typeof child.on === "function" && typeof child.removeListener === "function" &&
    "exitCode" in child && "signalCode" in child
  ) {
    return "node";
  }
  if (typeof child.pid !== "number") return undefined;
  if ("exited" in child && _isThenable(child.exited)) return "bun";
  if ("status" in child && _isThenable(child.status)) return "deno";
  return undefined;
}

/** Describes a value that is not a child, for an error message. */
export function _describeNonChild(value: unknown): string {
  if (value === null || typeof value !== "object") return _show(value);
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  const shown = _show(value);
  const brief = shown.length > 60 ? `${shown.slice(0, 57)}...` : shown;
  return name && name !== "Object" ? `a ${name} ${brief}` : brief;
}
