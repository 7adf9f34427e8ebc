// The writer's record format: `seq:payload:checksum`, one per line.

/** FNV-1a of `text`, as hex. */
export function checksum(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16);
}

/** The intact records of a file's text, by sequence number; torn lines are counted. */
export function readRecords(text: string): { intact: Set<number>; torn: number } {
  const intact = new Set<number>();
  let torn = 0;
  const lines = text.split("\n");
  const last = lines.pop(); // after the final newline: empty unless the tail is torn
  if (last !== "" && last !== undefined) torn++;
  for (const line of lines) {
    const parts = line.split(":");
    if (parts.length === 3 && checksum(`${parts[0]}:${parts[1]}`) === parts[2]) {
      intact.add(Number(parts[0]));
    } else torn++;
  }
  return { intact, torn };
}
