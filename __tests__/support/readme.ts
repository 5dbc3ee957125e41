import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { RUN_DIR_VARIABLE } from "./run-cache";

const root = join(__dirname, "..", "..");

/** The README. */
export function readme(): string {
  return readFileSync(join(root, "README.md"), "utf8");
}

/** A page of `docs/`, by its name without `.md` (`docPage("configuration")` is docs/configuration.md). */
export function docPage(name: string): string {
  return readFileSync(join(root, "docs", `${name}.md`), "utf8");
}

/** Every Markdown file a reader is sent to: the README and each page of `docs/`, as paths from the repository root. */
export function documentationFiles(): string[] {
  const pages = readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md"));
  return ["README.md", ...pages.sort().map((name) => `docs/${name}`)];
}

/** The fenced code blocks of `lang` in the section under `heading` (up to the next heading of its level). */
export function codeBlocksUnder(heading: string, lang: string, text = readme()): string[] {
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no heading "${heading}" in the text searched (${text.split("\n")[0]})`);
  const level = heading.match(/^#+/)![0];
  const rest = text.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^${level} `, "m"));
  const section = next < 0 ? rest : rest.slice(0, next);
  return [...section.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```", "gm"))].map((m) => m[1]);
}

/**
 * The README's library example (or the first ts block under `heading` of `text`, such as a docs page), importing this
 * checkout's modules instead of the published package.
 */
export function libraryExample(
  importPath: string,
  heading = "## Using the modules as a library",
  text = readme(),
): string {
  const [example] = codeBlocksUnder(heading, "ts", text);
  if (example === undefined) throw new Error(`no ts block under "${heading}"`);
  const name = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).name as string;
  return example.split(`from "${name}"`).join(`from "${importPath}"`);
}

/**
 * A library example as a user runs it: written to `main.ts` in a temp dir inside the checkout (so node and tsc
 * resolve cdktf and the provider from its node_modules), removed after the file's tests, with the test that it
 * compiles under the project's strict settings. Call it in a `describe` block.
 */
export function exampleApp(prefix: string, source: string): { main: string; outdir: string } {
  const dir = mkdtempSync(join(root, prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const main = join(dir, "main.ts");
  writeFileSync(main, source);
  it(
    "compiles under the project's strict settings",
    () => {
      const tsc = compileStrict(main);
      expect(tsc.output).toBe("");
      expect(tsc.status).toBe(0);
    },
    10 * 60_000,
  );
  return { main, outdir: join(dir, "cdktf.out") };
}

/**
 * Type-checks one file as a user's strict project would (tsc --noEmit --strict); `output` is tsc's, empty when clean.
 * In a jest run the calls share tsc's incremental build info (run dir): the library's files, checked once, are not
 * checked again for the next example (measured: 7.7 s of CPU for the first, 3.7 s for another). Each call works on its
 * own copy beside the shared file (the info names files relative to its own folder) and renames it back whole.
 */
export function compileStrict(file: string): { status: number | null; output: string } {
  const runDir = process.env[RUN_DIR_VARIABLE];
  const info =
    runDir === undefined
      ? undefined
      : {
          shared: join(runDir, "tsc-strict", "shared.tsbuildinfo"),
          own: join(runDir, "tsc-strict", `${process.pid}-${randomUUID()}.tsbuildinfo`),
        };
  if (info !== undefined) {
    mkdirSync(dirname(info.own), { recursive: true });
    if (existsSync(info.shared)) copyFileSync(info.shared, info.own);
  }
  const tsc = spawnSync(
    join(root, "node_modules", ".bin", "tsc"),
    [
      "--noEmit",
      "--strict",
      "--esModuleInterop",
      "--skipLibCheck",
      "--target",
      "ES2022",
      "--module",
      "commonjs",
      "--types",
      "node",
      ...(info === undefined ? [] : ["--incremental", "--tsBuildInfoFile", info.own]),
      file,
    ],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  if (info !== undefined && existsSync(info.own)) renameSync(info.own, info.shared);
  return { status: tsc.status, output: tsc.stdout + tsc.stderr };
}

/** Runs a cdktf app file with node (tsx), synthesizing into `outdir`. */
export function runApp(file: string, outdir: string): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, ["--import", "tsx", file], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CDKTF_OUTDIR: outdir },
  });
  return { status: run.status, stderr: run.stderr };
}
