// README.md as the package page shows it: every fenced code block either runs
// here, on each runtime it names, or is marked as a fragment; every link works
// there (a relative link must point at a published file; links into the
// repository must point at files that exist).
//
// The marker is an HTML comment on the line before the fence (invisible on the
// page):
//   <!-- fragment -->                    not a whole program (names your own db, server…)
//   <!-- run: deno bun node -->          runs on each (node: Node 22, 24 and 26),
//                                        must exit 0 with nothing on stderr
//   <!-- run: deno bun node; SIGINT after "unit 2" -->
//                                        gets SIGINT once it printed that, must
//                                        die by it with nothing on stderr
// A ```text block is not code. A block of several files starts each with a
// line `// name.ts`; the first is the program. `@graceful/shutdown` is this
// checkout. Run by tests/run_all.sh with `deno test --allow-all`.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { processTest as test } from "./_harness.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const readme = readFileSync(join(root, "README.md"), "utf8");
/** The repository README's links point into (it has no other). */
export const REPOSITORY = "https://github.com/graceful-shutdown/shutdown";

interface Block {
  line: number;
  info: string;
  marker: string | undefined;
  code: string;
}

function blocks(text: string): Block[] {
  const lines = text.split("\n");
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(.*)$/.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence, info] = open;
    let end = i + 1;
    while (end < lines.length && lines[end].trim() !== fence) end++;
    const before = lines.slice(0, i).reverse().find((line) => line.trim() !== "") ?? "";
    const marker = /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(before)?.[1];
    const code = lines.slice(i + 1, end).map((line) => line.slice(indent.length)).join("\n");
    found.push({ line: i + 1, info: info.trim(), marker, code });
    i = end;
  }
  return found;
}

interface Run {
  runtimes: string[];
  signal?: "SIGINT" | "SIGTERM";
  after?: string;
}

function parseRun(marker: string): Run | undefined {
  const match = /^run:\s*([a-z0-9 ]+?)\s*(?:;\s*(SIGINT|SIGTERM) after "([^"]+)")?$/.exec(marker);
  if (match === null) return undefined;
  const runtimes = match[1].split(/\s+/).flatMap((name) =>
    name === "node" ? ["node22", "node24", "node26"] : [name]
  );
  return { runtimes, signal: match[2] as Run["signal"], after: match[3] };
}

const all = blocks(readme);
const code = all.filter((block) => block.info !== "text");

test("README: every code block is marked: a fragment, or run on the runtimes it names", () => {
  const unmarked = code.filter((block) =>
    block.marker !== "fragment" && (block.marker === undefined || !parseRun(block.marker))
  ).map((block) => `line ${block.line} (${block.info || "no language"}): ${block.marker ?? ""}`);
  assert.deepEqual(unmarked, [], "mark each with <!-- fragment --> or <!-- run: … -->");
  for (const block of code.filter((block) => block.marker?.startsWith("run:"))) {
    const run = parseRun(block.marker!)!;
    for (const name of run.runtimes) {
      assert.ok(
        ["deno", "bun", "node22", "node24", "node26"].includes(name),
        `${block.line}: ${name}`,
      );
    }
    assert.equal(block.info, "ts", `line ${block.line}: only TypeScript blocks run`);
  }
});

test("README: relative links point at published files, repository links at files that exist", () => {
  const manifest = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
  const include: string[] = manifest.publish.include;
  const published = (path: string) =>
    include.some((pattern) =>
      pattern === path ||
      (pattern.endsWith("/**/*.ts") && path.startsWith(pattern.slice(0, -7)) &&
        path.endsWith(".ts"))
    );
  const problems: string[] = [];
  const inline = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
  const defined = [...readme.matchAll(/^\[[^\]]+\]:\s*(\S+)/gm)].map((match) => match[1]);
  for (const target of [...inline, ...defined]) {
    if (target.startsWith("#")) continue;
    if (
      target.startsWith(`${REPOSITORY}/blob/main/`) || target.startsWith(`${REPOSITORY}/tree/main/`)
    ) {
      const path = target.slice(`${REPOSITORY}/blob/main/`.length).replace(/#.*$/, "");
      if (!existsSync(join(root, path))) problems.push(`${target}: no ${path} in the repository`);
    } else if (!/^https?:\/\//.test(target)) {
      const path = target.replace(/#.*$/, "").replace(/^\.\//, "");
      if (!published(path)) problems.push(`${target}: not published (deno.json publish.include)`);
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(readme.includes(REPOSITORY), `README names no repository (${REPOSITORY})`);
});

function command(runtime: string, file: string): [string, string[]] {
  if (runtime === "deno") return [process.execPath, ["run", "--allow-all", "--quiet", file]];
  if (runtime === "bun") return [join(root, "node_modules", ".bin", "bun"), [file]];
  return [
    join(root, "node_modules", runtime, "bin", "node"),
    ["--disable-warning=ExperimentalWarning", file],
  ];
}

interface End {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function runBlock(dir: string, runtime: string, run: Run, file: string): Promise<End> {
  const [bin, args] = command(runtime, join(dir, file));
  const child = spawn(bin, args, {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "", stderr = "", sent = false;
  const limit = setTimeout(() => child.kill("SIGKILL"), 30_000);
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    if (run.signal && !sent && stdout.includes(run.after!)) {
      sent = true;
      child.kill(run.signal);
    }
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
  return new Promise((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stdout, stderr });
    })
  );
}

for (const block of code.filter((block) => block.marker?.startsWith("run:"))) {
  const run = parseRun(block.marker!);
  if (run === undefined) continue;
  // Files: `// name.ts` lines start each; the first is the program.
  const files: [string, string][] = [];
  for (const line of block.code.split("\n")) {
    const name = /^\/\/ ([\w.-]+\.ts)$/.exec(line)?.[1];
    if (name !== undefined) files.push([name, ""]);
    else if (files.length === 0) files.push(["main.ts", `${line}\n`]);
    else files[files.length - 1][1] += `${line}\n`;
  }
  for (const runtime of run.runtimes) {
    test(`README line ${block.line} (${files.map(([name]) => name).join(", ")}) on ${runtime}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), "readme-block-"));
      try {
        writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
        for (const [name, text] of files) {
          const source = text
            .replaceAll(
              '"@graceful/shutdown/testing"',
              `"${pathToFileURL(join(root, "testing.ts"))}"`,
            )
            .replaceAll('"@graceful/shutdown"', `"${pathToFileURL(join(root, "mod.ts"))}"`);
          writeFileSync(join(dir, name), source);
        }
        const end = await runBlock(dir, runtime, run, files[0][0]);
        const shown = `stdout:\n${end.stdout}\nstderr:\n${end.stderr}`;
        if (run.signal) {
          assert.ok(end.stdout.includes(run.after!), `never printed "${run.after}"\n${shown}`);
          assert.equal(end.signal, run.signal, `ended ${end.code}/${end.signal}\n${shown}`);
        } else {
          assert.equal(end.code, 0, `ended ${end.code}/${end.signal}\n${shown}`);
        }
        assert.equal(end.stderr, "", `something on stderr\n${shown}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
}
