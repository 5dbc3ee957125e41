import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lazy } from "cdktf";
import { skipTokenCreationTraces } from "../app/stack-traces";
import { restoreTokenCreationTraces } from "./support/token-traces";
import { APP_COMMAND, filesWithText, ROOT, run, SLOW_PROCESS_MS } from "./support/shell";

// The app shell skips formatting cdktf's token creation traces (app/stack-traces.ts): tokens carry none, errors keep
// theirs as node formats them, and the synthesized stacks are the same byte for byte as with the traces kept.

const tokenTrace = (): readonly string[] => Lazy.anyValue({ produce: () => "x" }).creationStack;

describe("skipTokenCreationTraces", () => {
  it("leaves cdktf's tokens without a creation trace, and puts them back when told", () => {
    // The tests' setup skips them as the app shell does: put back, cdktf records one (the control).
    restoreTokenCreationTraces();
    try {
      expect(tokenTrace().length).toBeGreaterThan(0);
      const restore = skipTokenCreationTraces();
      expect(tokenTrace()).toEqual([]);
      // Anything else still gets its stack: an object captured into as depd does (state.int's emulators load it).
      const other: { stack?: unknown } = {};
      Error.captureStackTrace(other);
      expect(String(other.stack)).toMatch(/\n {4}at /);
      restore();
      expect(tokenTrace().length).toBeGreaterThan(0);
    } finally {
      skipTokenCreationTraces();
    }
  });

  it(
    "leaves an Error's stack as node formats it, async frames included",
    () => {
      // In a node of its own: jest formats stacks itself.
      const probe = `
        require(${JSON.stringify(join(ROOT, "app", "register-ts.js"))});
        const errors = async () => { await null; return [new Error("boom").stack, new TypeError("bad").stack]; };
        (async () => {
          const before = await errors();
          require(${JSON.stringify(join(ROOT, "app", "stack-traces.ts"))}).skipTokenCreationTraces();
          const after = await errors();
          console.log(JSON.stringify({ before, after }));
        })();`;
      const result = run("node", ["-e", probe], {});
      expect(result.status).toBe(0);
      const { before, after } = JSON.parse(result.stdout) as { before: string[]; after: string[] };
      expect(after[0]).toMatch(/^Error: boom\n {4}at errors \(.*\)\n {4}at async /);
      expect(after[1]).toMatch(/^TypeError: bad\n/);
      // The same frames; only the calling line's position differs (the two calls are on different lines).
      const unplaced = (stacks: string[]) => stacks.map((stack) => stack.replace(/\[eval\]:\d+:\d+/g, "[eval]"));
      expect(unplaced(after)).toEqual(unplaced(before));
    },
    SLOW_PROCESS_MS,
  );
});

describe("the app with and without token creation traces", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "stack-traces-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "writes the same cdktf.out, byte for byte",
    () => {
      const [node, ...args] = APP_COMMAND;
      const skipped = run(node, args, { CDKTF_OUTDIR: join(dir, "skipped") });
      const kept = run(node, args, { CDKTF_OUTDIR: join(dir, "kept"), TOKEN_CREATION_TRACES: "1" });
      expect([skipped.status, kept.status]).toEqual([0, 0]);
      expect(skipped.stderr).toBe(kept.stderr);
      expect(filesWithText(join(dir, "skipped")).length).toBeGreaterThan(2);
      expect(filesWithText(join(dir, "skipped"))).toEqual(filesWithText(join(dir, "kept")));
    },
    SLOW_PROCESS_MS,
  );
});
