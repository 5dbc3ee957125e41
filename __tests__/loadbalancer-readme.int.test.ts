import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { codeBlocksUnder, compileStrict, docPage, libraryExample, runApp } from "./support/readme";

const root = resolve(__dirname, "..");

// The load balancer snippet of docs/load-balancer.md, added to the README's library example as the text says:
// compiled by tsc, run by node.
describe("docs/load-balancer.md's snippet on the README's library example", () => {
  const dir = mkdtempSync(join(root, ".readme-lb-example-"));
  const outdir = join(dir, "cdktf.out");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const [snippet] = codeBlocksUnder("## What it builds", "ts", docPage("load-balancer"));
  const name = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).name as string;
  const example = libraryExample("../modules/index");
  writeFileSync(
    join(dir, "main.ts"),
    example.replace("app.synth();", `${snippet.split(`from "${name}"`).join('from "../modules/index"')}\napp.synth();`),
  );

  it(
    "compiles under the project's strict settings",
    () => {
      expect(example).toContain("app.synth();");
      const tsc = compileStrict(join(dir, "main.ts"));
      expect(tsc.output).toBe("");
      expect(tsc.status).toBe(0);
    },
    10 * 60_000,
  );

  it(
    "synthesizes an HTTPS load balancer with the three app servers behind it and its log bucket",
    () => {
      const run = runApp(join(dir, "main.ts"), outdir);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const json = JSON.parse(readFileSync(join(outdir, "stacks", "prod", "cdk.tf.json"), "utf8")) as {
        resource: Record<string, Record<string, Record<string, any>>>;
      };
      const count = (type: string) => Object.keys(json.resource[type] ?? {}).length;
      expect([
        count("aws_lb"),
        count("aws_lb_listener"),
        count("aws_lb_target_group_attachment"),
        count("aws_s3_bucket"),
      ]).toEqual([1, 2, 3, 1]);
      expect(Object.values(json.resource.aws_lb)[0].subnets).toHaveLength(3);
    },
    10 * 60_000,
  );
});
