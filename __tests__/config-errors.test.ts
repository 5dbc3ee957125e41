import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatJsonSyntaxProblem, parseJson } from "../modules/core/json";
import { loadConfigFile } from "../modules/environment/load";
import { ConfigSyntaxError } from "../modules/core/problems";
import { knownFieldsAt, nearestName } from "../modules/core/suggest";
import { environmentSchema } from "../modules/environment/schema";
import { problemsAfter } from "./support/config";

describe("JSON syntax errors give file:line:column, the line and a caret", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "json-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("an unquoted value points at the whole bare word, on one line", () => {
    const file = join(dir, "unquoted.json");
    writeFileSync(file, '{\n  "environments": [\n    { "name": "w",\n      "vpcCidr": 192.168.10.0/24 }\n  ]\n}\n');
    expect(() => loadConfigFile(file)).toThrow(ConfigSyntaxError);
    expect(() => loadConfigFile(file)).toThrow(
      `${file}:4:18: invalid JSON: expected a JSON value (strings need double quotes), not 192.168.10.0/24\n` +
        `        "vpcCidr": 192.168.10.0/24 }\n` +
        `                   ^`,
    );
  });

  it.each([
    ["a trailing comma", '{"a": [1,]}', 1, 10, "expected a value (no trailing comma before ] or })"],
    ["a missing comma", '{"a": 1\n "b": 2}', 2, 2, 'expected a "," between entries'],
    ["a comment", '{"a": 1 // note\n}', 1, 9, "expected no comments: plain JSON has none"],
    ["an unclosed object", '{"a": 1', 1, 8, 'expected a "}" closing the object'],
  ])("%s", (_title, text, line, column, message) => {
    const { problem } = parseJson(text);
    expect(problem).toMatchObject({ line, column, message });
    const shown = formatJsonSyntaxProblem("f.json", problem!).split("\n");
    expect(shown[0]).toBe(`f.json:${line}:${column}: invalid JSON: ${message}`);
    expect(shown[2].indexOf("^") - 2).toBe(column - 1);
  });

  it("parses valid JSON to the same value as JSON.parse", () => {
    const text = '{"environments": [{"name": "w", "n": 1.5, "t": [true, null]}]}';
    expect(parseJson(text)).toEqual({ value: JSON.parse(text) });
  });
});

describe("unknown fields suggest the nearest known name, and what they hide is reported in the same run", () => {
  it("knows the fields at a path, through arrays and optionals", () => {
    expect(knownFieldsAt(environmentSchema, ["tiers", 1])).toEqual(
      expect.arrayContaining(["name", "type", "cidrMask", "cidrs", "block"]),
    );
    expect(knownFieldsAt(environmentSchema, ["nat"])).toEqual(["mode", "instance"]);
    expect(knownFieldsAt(environmentSchema, [])).toContain("vpcCidr");
  });

  it("suggests only names close enough to be a typo", () => {
    expect(nearestName("cidrmask", ["name", "cidrMask", "cidrs"])).toBe("cidrMask");
    expect(nearestName("vpcCdir", ["vpcCidr", "azs"])).toBe("vpcCidr");
    expect(nearestName("colour", ["name", "type"])).toBeUndefined();
  });

  it("a typo in a tier reports the typo and the missing cidrMask it hides, in one run", () => {
    expect(problemsAfter((e) => ((e.tiers[2].cidrmask = e.tiers[2].cidrMask), delete e.tiers[2].cidrMask))).toEqual([
      'environment "workshop": tiers[2].cidrmask = 27: expected no such field: did you mean "cidrMask"?',
      'environment "workshop": tiers[2].cidrMask = (missing): expected either cidrMask or cidrs (exactly one of them)',
    ]);
  });

  it("a name far from every field lists the fields there", () => {
    expect(problemsAfter((e) => (e.nat.colour = "red"))).toEqual([
      'environment "workshop": nat.colour = "red": expected no such field; the fields here are mode, instance',
    ]);
  });
});
