// Starts a benchmark server program and waits for its "listening <port>" line.

import { type ChildProcess, spawn } from "node:child_process";

/** A started server: the process, its port, and all it printed so far. */
export interface SpawnedServer {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything the server printed on stdout (it keeps growing). */
  output(): string;
}

/** Runs `command args`; resolves once it printed `listening <port>`, rejects if it dies first. */
export async function spawnServer(command: string, args: string[]): Promise<SpawnedServer> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout!.setEncoding("utf8");
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      const match = output.match(/listening (\d+)/);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", () => reject(new Error(`${args.join(" ")} died: ${output}`)));
  });
  return { child, port, output: () => output };
}
