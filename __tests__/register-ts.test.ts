import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP_COMMAND, filesWithText, ROOT, run, SLOW_PROCESS_MS } from "./support/shell";

// The app command's TypeScript loader (app/register-ts.js): it compiles .ts files only and keeps what it compiled.

describe("the app command's TypeScript loader", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "register-ts-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "is what cdktf.json runs, and writes the same cdktf.out, byte for byte, as the app run by tsx",
    () => {
      expect(APP_COMMAND).toEqual(["node", "--require", "./app/register-ts.js", "main.ts"]);
      const [node, ...args] = APP_COMMAND;
      const hooked = run(node, args, { CDKTF_OUTDIR: join(dir, "hooked") });
      const tsx = run("node", ["--require", "tsx/cjs", "main.ts"], { CDKTF_OUTDIR: join(dir, "tsx") });
      // Both print the same on stderr (the fixture's placeholder warning), and nothing else.
      expect([hooked.status, tsx.status]).toEqual([0, 0]);
      expect(hooked.stderr).toBe(tsx.stderr);
      expect(filesWithText(join(dir, "hooked")).length).toBeGreaterThan(2);
      expect(filesWithText(join(dir, "hooked"))).toEqual(filesWithText(join(dir, "tsx")));
    },
    SLOW_PROCESS_MS,
  );

  it(
    "picks up an edited .ts file on the next run, and loads a .js file as node does",
    () => {
      const main = join(dir, "main.ts");
      const say = () => run("node", ["--require", join(ROOT, "app", "register-ts.js"), main]);
      writeFileSync(join(dir, "plain.js"), "module.exports = { from: 'js' };\n");
      writeFileSync(main, `const word: string = "first";\nconsole.log(word, require("./plain.js").from);\n`);
      expect(say().stdout).toBe("first js\n");
      writeFileSync(main, `const word: string = "second";\nconsole.log(word, require("./plain.js").from);\n`);
      expect(say().stdout).toBe("second js\n");
    },
    SLOW_PROCESS_MS,
  );
});
