// Bun's entry to the one shared set of test cases: `bun test ./bun.test.ts`.
// Deno finds the same files itself and Node runs them with `node --test`; a
// glob here keeps the three from drifting apart when a file is added.
declare const Bun: {
  Glob: new (pattern: string) => { scanSync(dir: string): Iterable<string> };
};

// `import.meta.dir` is Bun's; typed here so that `deno check` of the tree passes.
const bunDir = (import.meta as ImportMeta & { dir: string }).dir;
const files = [...new Bun.Glob("tests/{unit,behaviour}/*_test.ts").scanSync(bunDir)];
for (const file of files.sort()) await import(`./${file}`);
