import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { validateConfig } from "../modules/environment/load";
import { ConfigError, formatProblem } from "../modules/core/problems";
import { rawWorkshop } from "./support/config";
import { ROOT, run, SLOW_PROCESS_MS } from "./support/shell";
import { codeBlocksUnder } from "./support/readme";

// Docs that run: every ts block of the README compiles, every JSON config example validates, and every quick-start
// command is run here or by .ci/run on a clean clone (npm ci, npm test: running them inside a test would reinstall
// node_modules under the running suite, or run the suite inside itself).

const readme = readFileSync(join(ROOT, "README.md"), "utf8");
const packageName = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string }).name;
const blocks = (lang: string): string[] =>
  [...readme.matchAll(new RegExp("^( *)```" + lang + "\\n([\\s\\S]*?)^\\1```$", "gm"))].map((m) =>
    m[2].replace(new RegExp(`^${m[1]}`, "gm"), ""),
  );

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

describe("README", () => {
  it(
    "every ts block compiles against this repo (the package name maps to modules/index.ts, its /tools to modules/tools/index.ts)",
    () => {
      const sources = blocks("ts");
      expect(sources.length).toBeGreaterThan(0);
      const dir = mkdtempSync(join(ROOT, ".readme-ts-"));
      try {
        const files = sources.map((source, i) => {
          const file = join(dir, `block-${i + 1}.ts`);
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
    for (const text of examples) {
      const parsed = JSON.parse(text.trim().startsWith("{") ? text : `{${text}}`) as Record<string, unknown>;
      const config = "environments" in parsed ? parsed : { environments: [{ ...rawWorkshop(), ...parsed }] };
      expect([text, problemsOf(config)]).toEqual([text, []]);
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
});
