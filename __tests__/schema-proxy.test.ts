import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { filterSchema, terraformFiles, typesNamedIn } from "./support/schema-proxy";

/** A protobuf varint. */
const varint = (n: number): Buffer => {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  return Buffer.from([...bytes, n]);
};
/** A length-delimited field (wire type 2). */
const field = (number: number, body: Buffer): Buffer =>
  Buffer.concat([varint(number * 8 + 2), varint(body.length), body]);
/** A map entry: key (1) and value (2). */
const entry = (number: number, key: string, value: Buffer): Buffer =>
  field(number, Buffer.concat([field(1, Buffer.from(key)), field(2, value)]));

describe("the tests' schema proxy (support/schema-proxy.js)", () => {
  it("keeps the resource and data source schemas of the types asked for, and every other field as it was", () => {
    const provider = field(1, Buffer.from("provider block"));
    const vpc = entry(2, "aws_vpc", Buffer.alloc(300, 1)); // a length of two varint bytes
    const subnet = entry(2, "aws_subnet", Buffer.from("subnet"));
    const zones = entry(3, "aws_availability_zones", Buffer.from("zones"));
    const caller = entry(3, "aws_caller_identity", Buffer.from("caller"));
    const capabilities = Buffer.concat([varint(6 * 8), varint(1)]); // a varint field
    const fn = entry(7, "arn_parse", Buffer.from("function"));
    const message = Buffer.concat([provider, vpc, subnet, zones, caller, capabilities, fn]);
    const keep = new Set(["aws_vpc", "aws_availability_zones"]);
    expect(filterSchema(message, (type: string) => keep.has(type))).toEqual(
      Buffer.concat([provider, vpc, zones, capabilities, fn]),
    );
    expect(filterSchema(message, () => true)).toEqual(message);
  });

  it("finds the types a dir names: its config, its state, the modules init installed and local modules", () => {
    const dir = mkdtempSync(join(tmpdir(), "schema-proxy-"));
    try {
      writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify({ resource: { aws_vpc: { v: {} } } }));
      writeFileSync(join(dir, "main.tf"), 'module "local" {\n  source = "./net"\n}\ndata "aws_region" "r" {}\n');
      writeFileSync(join(dir, "terraform.tfstate"), JSON.stringify({ resources: [{ type: "aws_eip" }] }));
      writeFileSync(join(dir, "notes.txt"), "aws_instance");
      mkdirSync(join(dir, "net"));
      writeFileSync(join(dir, "net", "main.tf"), 'resource "aws_subnet" "s" {}\n');
      mkdirSync(join(dir, ".terraform", "modules", "remote", "sub"), { recursive: true });
      writeFileSync(join(dir, ".terraform", "modules", "remote", "sub", "main.tf"), 'resource "aws_route" "r" {}\n');
      writeFileSync(
        join(dir, ".terraform", "modules", "modules.json"),
        JSON.stringify({
          Modules: [
            { Key: "", Dir: "." },
            { Key: "local", Dir: "net" },
          ],
        }),
      );
      const files = terraformFiles(dir);
      expect(files.state).toHaveLength(1);
      expect([...typesNamedIn([...files.config, ...files.state])].sort()).toEqual([
        "aws_eip",
        "aws_region",
        "aws_route",
        "aws_subnet",
        "aws_vpc",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
