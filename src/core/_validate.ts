// Argument checks shared by every public entry point. Each names the option
// and shows the value, so a caller sees at once what was wrong.

/** Shows a value in an error message. */
export function _show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return value.toString();
  if (value === null || typeof value !== "object") return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A finite, non-negative number of milliseconds. */
export function _checkMs(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be a number of milliseconds, got ${_show(value)}`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `${name} must be a finite number of milliseconds >= 0, got ${_show(value)}`,
    );
  }
  return value;
}

/** An integer of at least 1. */
export function _checkCount(name: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new TypeError(`${name} must be an integer, got ${_show(value)}`);
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer >= 1, got ${_show(value)}`);
  }
  return value;
}

/** A boolean. */
export function _checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(`${name} must be a boolean, got ${_show(value)}`);
  }
  return value;
}

/** A function, or absent. */
export function _checkOptionalFunction<T>(name: string, value: T): T {
  if (value !== undefined && typeof value !== "function") {
    throw new TypeError(`${name} must be a function, got ${_show(value)}`);
  }
  return value;
}

/** A string, or absent. */
export function _checkOptionalString(name: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== "string") {
    throw new TypeError(`${name} must be a string, got ${_show(value)}`);
  }
  return value;
}

/** An options bag: an object, or absent. */
export function _checkOptions(name: string, value: unknown): void {
  if (value !== undefined && (value === null || typeof value !== "object")) {
    throw new TypeError(`${name} must be an object, got ${_show(value)}`);
  }
}

/** Rejects option names the function does not know, so typos do not pass silently. */
export function _checkKnownKeys(
  name: string,
  value: object | undefined,
  known: readonly string[],
): void {
  if (value === undefined) return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `${name} has an unknown option ${_show(key)}; known options: ${known.join(", ")}`,
      );
    }
  }
}
