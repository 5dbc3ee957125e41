import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import * as ts from "typescript";
import { validateConfig } from "../modules/environment/load";
import { ConfigError, formatProblem } from "../modules/core/problems";
import { rawWorkshop } from "./support/config";
import { ROOT, run, SLOW_PROCESS_MS } from "./support/shell";
import { codeBlocksUnder, documentationFiles } from "./support/readme";

// Docs that run: every ts block of the README and of docs/ compiles, every JSON config example validates, every link
// resolves, and every quick-start command is run here or by .ci/run on a clean clone (npm ci, npm test: running them
// inside a test would reinstall node_modules under the running suite, or run the suite inside itself). The text
// samples are readme-samples.test.ts's; the other blocks each have a test of their own that names the page.

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
  files: string[];
  scripts: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};
const packageName = pkg.name;
/** Each documentation file's fenced blocks of `lang`, as `{ file, source }` (indented blocks un-indented). */
const blocks = (lang: string): { file: string; source: string }[] =>
  documentationFiles().flatMap((file) =>
    [
      ...readFileSync(join(ROOT, file), "utf8").matchAll(
        new RegExp("^( *)```" + lang + "\\n([\\s\\S]*?)^\\1```$", "gm"),
      ),
    ].map((m) => ({ file, source: m[2].replace(new RegExp(`^${m[1]}`, "gm"), "") })),
  );

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces as dashes. */
const anchorOf = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

/** The anchors of a Markdown file's headings (outside code blocks), with GitHub's `-1`, `-2` for repeats. */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of withoutFences(text).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = anchorOf(heading.trim());
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Markdown without its fenced blocks, where no line is a heading. */
const withoutFences = (text: string): string => text.replace(/^( *)```[\s\S]*?^\1```$/gm, "");

/** Markdown without its fenced blocks and inline code, where nothing is a link. */
const withoutCode = (text: string): string => withoutFences(text).replace(/`[^`\n]*`/g, "");

/** Each relative link target of a Markdown file (links and images; web addresses left out). */
const relativeLinks = (text: string): string[] =>
  [...withoutCode(text).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z]+:/.test(target));

/** The config's problems, but for a `~/` key file: the reader's own key, which no test machine has. */
function problemsOf(config: unknown): string[] {
  try {
    validateConfig(config, "README example");
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems
      .filter((p) => !(p.field === "sshPublicKey.path" && String(p.value).startsWith("~/")))
      .map(formatProblem);
  }
}

describe("README and docs/", () => {
  it(
    "every ts block compiles against this repo (the package name maps to modules/index.ts, its /tools to modules/tools/index.ts)",
    () => {
      const sources = blocks("ts");
      expect(sources.length).toBeGreaterThan(0);
      const dir = mkdtempSync(join(ROOT, ".readme-ts-"));
      try {
        const files = sources.map(({ file: page, source }, i) => {
          const file = join(dir, `${page.replace(/\W+/g, "-")}-block-${i + 1}.ts`);
          // A block that adds to the library example says so on its first line, and is compiled after it; imports of
          // this repo's files are written from its root.
          const base = /^\/\/ Added to the library example/.test(source)
            ? `${codeBlocksUnder("## Using the modules as a library", "ts")[0]}\n`
            : "";
          writeFileSync(file, `export {};\n${base}${source}`.replace(/from "\.\//g, 'from "../'));
          return file;
        });
        const config = ts.getParsedCommandLineOfConfigFile(
          join(ROOT, "tsconfig.json"),
          {},
          { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
        )!;
        const options = {
          ...config.options,
          noEmit: true,
          noUnusedLocals: false,
          baseUrl: ROOT,
          paths: { [packageName]: ["modules/index.ts"], [`${packageName}/tools`]: ["modules/tools/index.ts"] },
        };
        const program = ts.createProgram(files, options);
        const diagnostics = ts
          .getPreEmitDiagnostics(program)
          .filter((d) => d.file === undefined || files.includes(d.file.fileName));
        const shown = diagnostics.map(
          (d) =>
            `${d.file ? `${d.file.fileName.slice(dir.length + 1)}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`,
        );
        expect(shown).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW_PROCESS_MS,
  );

  it("every JSON config example validates (fragments merged into the default environment)", () => {
    const examples = blocks("json");
    expect(examples.length).toBeGreaterThan(0);
    for (const { file, source: text } of examples) {
      const parsed = JSON.parse(text.trim().startsWith("{") ? text : `{${text}}`) as Record<string, unknown>;
      const config = "environments" in parsed ? parsed : { environments: [{ ...rawWorkshop(), ...parsed }] };
      expect([file, text, problemsOf(config)]).toEqual([file, text, []]);
    }
  });

  it(
    "every quick-start command is run by this test or by .ci/run",
    () => {
      const quickStart = readme.slice(
        readme.indexOf("## Quick start"),
        readme.indexOf("\n## ", readme.indexOf("## Quick start") + 5),
      );
      const [sh] = [...quickStart.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
      const commands = sh
        .split("\n")
        .map((line) => line.replace(/#.*$/, "").trim())
        .filter((l) => l !== "")
        .flatMap((l) => l.split("&&").map((c) => c.trim()));
      const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
      const ranHere = ["npm run synth", "./help"];
      for (const command of commands) {
        if (ranHere.includes(command)) continue;
        expect([command, ci.includes(command)]).toEqual([command, true]);
      }
      expect(commands).toEqual(expect.arrayContaining(ranHere));
      const dir = mkdtempSync(join(ROOT, ".readme-out-"));
      try {
        for (const command of ranHere) {
          const [bin, ...args] = command.split(" ");
          const result = run(bin, args, { CDKTF_OUTDIR: join(dir, "cdktf.out") });
          // The default config's placeholder warnings aside (default-config.test.ts), nothing on stderr.
          const stderr = result.stderr.replace(/^warning: \d+ placeholder\(s\)[^\n]*\n(  - [^\n]*\n)*/, "");
          expect([command, result.status, stderr]).toEqual([command, 0, ""]);
        }
        expect(readFileSync(join(dir, "cdktf.out", "stacks", "workshop", "cdk.tf.json"), "utf8")).toContain(
          "192.168.8.0/22",
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW_PROCESS_MS,
  );

  it("keeps the README to 300 lines at most: the rest is in docs/", () => {
    expect(readme.split("\n").length).toBeLessThanOrEqual(300);
  });

  it("shows examples/library/main.ts as its library example, as written", () => {
    const [example] = codeBlocksUnder("## Using the modules as a library", "ts");
    expect(example).toBe(readFileSync(join(ROOT, "examples", "library", "main.ts"), "utf8"));
  });

  it("links only to files and headings that exist", () => {
    const broken = documentationFiles().flatMap((file) =>
      relativeLinks(readFileSync(join(ROOT, file), "utf8")).flatMap((link) => {
        const [path, anchor] = link.split("#");
        const target = path === "" ? file : normalize(join(dirname(file), path));
        if (!existsSync(join(ROOT, target))) return [`${file}: ${link} (no ${target})`];
        if (anchor === undefined) return [];
        if (!target.endsWith(".md")) return [`${file}: ${link} (an anchor in a file that is not Markdown)`];
        const anchors = anchorsOf(readFileSync(join(ROOT, target), "utf8"));
        return anchors.has(anchor) ? [] : [`${file}: ${link} (no heading #${anchor} in ${target})`];
      }),
    );
    expect(broken).toEqual([]);
    // The checker itself: a missing file and a missing heading are caught, a heading's own anchor is found.
    expect(relativeLinks("[a](docs/x.md#y) `[b](c.md)` [w](https://example.com)")).toEqual(["docs/x.md#y"]);
    expect(anchorsOf("# Before the first `apply`: replace it\n## A\n## A\n")).toEqual(
      new Set(["before-the-first-apply-replace-it", "a", "a-1"]),
    );
  });

  it("names only tests that exist in its comparison of features (the proof of each row)", () => {
    const table = readme.slice(readme.indexOf("## How it compares"), readme.indexOf("## Documentation"));
    const named = [...table.matchAll(/`([a-z0-9.-]+\.test\.ts)`/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((test) => !existsSync(join(ROOT, "__tests__", test)))).toEqual([]);
  });

  it("ships in the npm package every file the README and docs/ link to", () => {
    const shipped = (path: string) =>
      ["README.md", "package.json", "LICENSE"].includes(path) ||
      pkg.files.some((entry) =>
        entry.includes("*")
          ? new RegExp(`^${entry.replace(/\./g, "\\.").replace(/\*/g, "[^/]*")}$`).test(path)
          : path === entry || path.startsWith(`${entry}/`),
      );
    const linked = documentationFiles().flatMap((file) =>
      relativeLinks(readFileSync(join(ROOT, file), "utf8")).flatMap((link) => {
        const path = link.split("#")[0];
        const target = path === "" ? file : normalize(join(dirname(file), path)).replace(/\/$/, "");
        // A folder: the files of it that git tracks (not what a local run left there).
        if (!statSync(join(ROOT, target)).isDirectory()) return [target];
        const tracked = spawnSync("git", ["ls-files", "--", target], { cwd: ROOT, encoding: "utf8" }).stdout;
        return tracked.split("\n").filter((line) => line !== "");
      }),
    );
    expect(linked.length).toBeGreaterThan(20);
    expect([...new Set(linked)].filter((path) => !shipped(path))).toEqual([]);
    expect(documentationFiles().filter((file) => !shipped(file))).toEqual([]);
  });

  it("names only npm scripts that exist in its sh blocks", () => {
    const named = blocks("sh").flatMap(({ file, source }) =>
      [...source.matchAll(/npm run (?:--silent |-s )?([a-z][\w:-]*)/g)].map((m) => ({ file, script: m[1] })),
    );
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter(({ script }) => !(script in pkg.scripts))).toEqual([]);
  });

  it("the library example's package.json asks for this package and its peers in their ranges, and no tool's", () => {
    const example = JSON.parse(readFileSync(join(ROOT, "examples", "library", "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(example.dependencies[packageName]).toBe(`^${pkg.version}`);
    const toolPeers = Object.keys(pkg.peerDependenciesMeta);
    for (const [peer, range] of Object.entries(pkg.peerDependencies))
      if (toolPeers.includes(peer)) expect([peer, example.dependencies[peer]]).toEqual([peer, undefined]);
      else expect([peer, range.split(" || ")]).toEqual([peer, expect.arrayContaining([example.dependencies[peer]])]);
  });
});
