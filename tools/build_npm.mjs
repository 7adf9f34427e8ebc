#!/usr/bin/env node
// Builds what JSR's npm compatibility layer gives Node: every module reachable
// from the `exports` of deno.json, compiled to ESM JavaScript plus `.d.ts`, in
// build/npm/ with a generated package.json. Run it from anywhere with Node:
//
//   node tools/build_npm.mjs                      this checkout -> build/npm/
//   node tools/build_npm.mjs --src DIR --out DIR  the library in DIR (holding
//                                                 mod.ts, src/, ideally deno.json)
//   node tools/build_npm.mjs --check              also report type errors
//
// The entry points are read from deno.json (the one manifest: `deno publish`
// reads it) at run time, so the build follows
// any change of paths. Like JSR, it does not type-check for the JavaScript
// emit (`noCheck`): the Deno- and Bun-only files use globals that no single
// set of types declares. Declarations are emitted from the same program.

import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function parseArgs(argv) {
  const options = { src: repo, out: join(repo, "build", "npm"), check: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--src") options.src = resolve(argv[++i]);
    else if (arg === "--out") options.out = resolve(argv[++i]);
    else if (arg === "--check") options.check = true;
    else if (arg === "--quiet") options.quiet = true;
    else {
      console.error(`build_npm: unknown argument ${JSON.stringify(arg)}`);
      process.exit(2);
    }
  }
  return options;
}

// deno.json of the library (jsr.json in trees from before it was dropped); a
// tree extracted without either (e.g. `git archive REV mod.ts src`) borrows
// this checkout's, keeping the entries that exist there.
function readManifest(src) {
  for (const dir of [src, repo]) {
    for (const name of ["deno.json", "jsr.json"]) {
      const file = join(dir, name);
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, "utf8"));
      if (manifest.exports === undefined) continue;
      if (dir !== src) console.error(`build_npm: no deno.json in ${src}; using ${file}`);
      return manifest;
    }
  }
  throw new Error(`build_npm: no deno.json with "exports" in ${src}`);
}

function entriesOf(manifest, src) {
  const exports = typeof manifest.exports === "string"
    ? { ".": manifest.exports }
    : manifest.exports;
  const entries = [];
  for (const [subpath, target] of Object.entries(exports)) {
    const file = resolve(src, target);
    if (!existsSync(file)) {
      console.error(`build_npm: export ${subpath} -> ${target} does not exist in ${src}; skipped`);
      continue;
    }
    entries.push({ subpath, target, file });
  }
  if (entries.length === 0) throw new Error("build_npm: no export to build");
  return entries;
}

const compilerOptions = {
  target: ts.ScriptTarget.ES2022,
  // ESNext + Bundler: ESM output whatever package.json sits above the sources
  // (an extracted tree in /tmp has none).
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  rewriteRelativeImportExtensions: true,
  allowImportingTsExtensions: true,
  verbatimModuleSyntax: true,
  declaration: true,
  strict: true,
  skipLibCheck: true,
  noCheck: true,
  lib: ["lib.esnext.d.ts", "lib.dom.d.ts"],
  types: ["node"],
  typeRoots: [join(repo, "node_modules", "@types")],
  newLine: ts.NewLineKind.LineFeed,
};

function walk(dir) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...walk(path));
    else files.push(path);
  }
  return files;
}

function _rewriteSpecifiers(text) {
  return text.replace(
    /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g,
    (_, head, path, quote) => `${head}${path}.js${quote}`,
  );
}

function build({ src, out, check, quiet }) {
  const manifest = readManifest(src);
  const entries = entriesOf(manifest, src);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  const options = { ...compilerOptions, rootDir: src, outDir: out };
  const program = ts.createProgram(entries.map((entry) => entry.file), options);
  const own = program.getSourceFiles().filter((file) =>
    !file.fileName.includes(`${sep}node_modules${sep}`) &&
    !file.fileName.includes("/node_modules/") &&
    resolve(file.fileName).startsWith(src + sep)
  );
  const format = (diagnostics) =>
    ts.formatDiagnostics(diagnostics, {
      getCanonicalFileName: (name) => name,
      getCurrentDirectory: () => src,
      getNewLine: () => "\n",
    });

  const syntactic = [...program.getOptionsDiagnostics(), ...program.getSyntacticDiagnostics()];
  if (syntactic.length > 0) {
    console.error(format(syntactic));
    return 1;
  }
  // Declarations keep the `.ts` specifiers of the source; point them at the
  // emitted files as JSR's npm layer does.
  const writeFile = (fileName, text, bom) => {
    const fixed = fileName.endsWith(".d.ts") ? _rewriteSpecifiers(text) : text;
    ts.sys.writeFile(fileName, fixed, bom);
  };
  const result = program.emit(undefined, writeFile);
  if (result.emitSkipped || result.diagnostics.length > 0) {
    console.error(format(result.diagnostics));
    return 1;
  }

  if (check) {
    // Informative only: Deno.* and Bun-only code cannot type-check here.
    const checked = ts.createProgram(entries.map((entry) => entry.file), {
      ...options,
      noCheck: false,
    });
    const semantic = ts.sortAndDeduplicateDiagnostics(
      checked.getSourceFiles().filter((file) => own.some((o) => o.fileName === file.fileName))
        .flatMap((file) => checked.getSemanticDiagnostics(file)),
    );
    const deno = semantic.filter((d) =>
      /'Deno'/.test(ts.flattenDiagnosticMessageText(d.messageText, "\n"))
    ).length;
    console.error(
      `build_npm: ${semantic.length} type error(s), ${deno} of them the Deno namespace ` +
        "(no Deno types here); not fatal:",
    );
    if (semantic.length > 0) console.error(format(semantic));
  }

  // Every relative import must now point at .js / .d.ts files that exist.
  const problems = [];
  const emitted = walk(out);
  for (const file of emitted) {
    if (!/\.(js|d\.ts)$/.test(file)) continue;
    const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
      if (/\.tsx?$/.test(specifier)) problems.push(`${relative(out, file)}: ${specifier}`);
      else if (!existsSync(resolve(dirname(file), specifier))) {
        problems.push(`${relative(out, file)}: ${specifier} (missing)`);
      }
    }
  }
  if (problems.length > 0) {
    console.error(`build_npm: unresolved imports in the output:\n  ${problems.join("\n  ")}`);
    return 1;
  }

  const exports = {};
  for (const { subpath, file } of entries) {
    const base = `./${relative(src, file).split(sep).join("/").replace(/\.tsx?$/, "")}`;
    exports[subpath] = { types: `${base}.d.ts`, default: `${base}.js` };
  }
  const pkg = {
    name: manifest.name ?? "@graceful/shutdown",
    version: manifest.version ?? "0.0.0",
    ...(manifest.license === undefined ? {} : { license: manifest.license }),
    type: "module",
    exports,
  };
  writeFileSync(join(out, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  for (const name of ["README.md", "LICENSE"]) {
    if (existsSync(join(src, name))) cpSync(join(src, name), join(out, name));
  }

  if (!quiet) {
    const js = emitted.filter((file) => file.endsWith(".js")).length;
    console.log(
      `build_npm: ${own.length} modules from ${entries.length} exports -> ${js} .js + .d.ts in ` +
        `${relative(process.cwd(), out) || "."}`,
    );
  }
  return 0;
}

process.exitCode = build(parseArgs(process.argv.slice(2)));
