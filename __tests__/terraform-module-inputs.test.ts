import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import {
  ALL_INPUTS,
  configLeaves,
  configNode,
  configSchema,
  ConfigNode,
  CONSTRUCTS_ONLY,
  fieldCoverage,
  NETWORK_INPUTS,
  snakeCase,
  variableSpecs,
} from "../modules/tools/terraform-module/inputs";
import { parityRows, PARITY_FEATURES, renderParityTables } from "../modules/tools/terraform-module/parity";
import { moduleDocuments } from "../modules/tools/terraform-module/packages";
import { fillMarkedSections } from "../modules/core/field-tables";
import { networkConfigFields, tierSchema } from "../modules/network/schema";
import { FlowLogsProps, NatInstanceProps, NetworkProps, SubnetTierProps } from "../modules/network/types";

const root = configSchema();
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const documents = moduleDocuments();
const topLevel = (inputs: typeof ALL_INPUTS) => inputs.filter((i) => !/\.|\[\]/.test(i.hcl)).map((i) => i.hcl);

describe("the HCL modules' inputs, declared by the config fields", () => {
  it("cover every config field: each has an input or a constructs-only reason, once, and each name is explained", () => {
    expect(fieldCoverage(root)).toEqual({ unbound: [], twice: [], unknown: [], unexplained: [] });
    // Walked into lists of objects and nested blocks, not just the top level.
    expect(configLeaves(root)).toEqual(
      expect.arrayContaining(["tiers[].cidrMask", "servers.db.dataVolume.sizeGiB", "flowLogs.kmsKeyArn"]),
    );
  });

  it("catch a field added to the schema only, a stale entry, and a renamed input without a reason (negative control)", () => {
    const withField = (node: ConfigNode, path: string[], field: ConfigNode): ConfigNode =>
      path.length === 0
        ? node
        : path.length === 1
          ? { ...node, properties: { ...node.properties, [path[0]]: field } }
          : {
              ...node,
              properties: {
                ...node.properties,
                [path[0]]: withField((node.properties ?? {})[path[0]], path.slice(1), field),
              },
            };
    const added = withField(withField(root, ["probeField"], { type: "boolean" }), ["flowLogs", "format"], {
      type: "string",
    });
    expect([...fieldCoverage(added).unbound].sort()).toEqual(["flowLogs.format", "probeField"]);
    expect(fieldCoverage(root, ALL_INPUTS, { ...CONSTRUCTS_ONLY, "bastion.gone": "x" }).unknown).toEqual([
      "bastion.gone",
    ]);
    expect(fieldCoverage(root, ALL_INPUTS, { ...CONSTRUCTS_ONLY, "flowLogs.kmsKeyArn": "x" }).twice).toEqual([
      "flowLogs.kmsKeyArn",
    ]);
    const renamed = ALL_INPUTS.map((i) => (i.hcl === "az_slots" ? { hcl: "slots", from: "azSlots" } : i));
    expect(fieldCoverage(root, renamed).unexplained).toEqual(["slots"]);
    expect(snakeCase("acknowledgeNonRfc1918VpcCidr")).toBe("acknowledge_non_rfc1918_vpc_cidr");
    expect(snakeCase("sizeGiB")).toBe("size_gib");
  });

  it("are exactly the generated modules' variables: a variable added in the module code alone fails here", () => {
    const names = (doc: (typeof documents)["network"]) => Object.keys(doc.document.variable).sort();
    expect(names(documents.network)).toEqual(topLevel(NETWORK_INPUTS).sort());
    expect(names(documents.environment)).toEqual(topLevel(ALL_INPUTS).sort());
  });

  it("take their description, default and zod's checks from the schema, so the module and the config agree", () => {
    const variables = documents.environment.document.variable as Record<string, Record<string, unknown>>;
    for (const input of ALL_INPUTS.filter((i) => i.from !== undefined && !/\.|\[\]/.test(i.hcl))) {
      const node = configNode(root, input.from as string)?.node;
      expect([input.hcl, String(variables[input.hcl].description)]).toEqual([
        input.hcl,
        // Up to its first code name (`vpcCidr`), which is written as the input's name (`vpc_cidr`).
        expect.stringMatching(new RegExp(`^${escape((node?.description ?? "").split("`")[0])}`)),
      ]);
    }
    // The schema's range (1 to 6), not the 1 to 10 the module once had.
    const sshTries = variables.ssh_max_auth_tries as { default: number; validation: Array<{ error_message: string }> };
    expect(sshTries.default).toBe(3);
    expect(sshTries.validation.map((v) => v.error_message)).toEqual([
      "ssh_max_auth_tries must be an integer from 1 to 6.",
    ]);
    expect(String(variables.nat_mode.description)).toContain("(none, single, per-az, instance)");
    // Config names in descriptions are written as the module's inputs.
    expect(String(variables.secondary_cidr_blocks.description)).toContain("`vpc_cidr`");
  });

  it("derive a variable from a field of a schema of their own: type, default, checks with the field's own message", () => {
    const specs = variableSpecs([
      { hcl: "hardening", from: "hardening" },
      { hcl: "hardening.session_timeout_seconds", from: "hardening.sessionTimeoutSeconds" },
    ]);
    expect(specs).toEqual([
      {
        name: "hardening",
        type: "object({ session_timeout_seconds = optional(number, 600) })",
        description: expect.stringContaining("session_timeout_seconds (idle shells close after this"),
        default: {},
        nullable: false,
        rules: [
          [
            "var.hardening.session_timeout_seconds >= 60 && var.hardening.session_timeout_seconds <= 86400 && floor(var.hardening.session_timeout_seconds) == var.hardening.session_timeout_seconds",
            "hardening.session_timeout_seconds must be an integer from 60 to 86400.",
          ],
        ],
      },
    ]);
  });
});

describe("the construct props and the config schema", () => {
  // Compile-time: a field added to a props interface or to its config schema alone fails `tsc`.
  type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
  const keys: Array<true> = [
    true as Same<Exclude<keyof NetworkProps, "environment" | "plan">, keyof typeof networkConfigFields>,
    true as Same<keyof SubnetTierProps, keyof z.input<typeof tierSchema>>,
    true as Same<keyof FlowLogsProps, keyof NonNullable<z.input<typeof networkConfigFields.flowLogs>>>,
    true as Same<
      keyof NatInstanceProps,
      keyof NonNullable<NonNullable<z.input<typeof networkConfigFields.nat>>["instance"]>
    >,
  ];

  it("have the same fields (checked by the type checker)", () => {
    expect(keys).toHaveLength(4);
  });
});

describe("the parity table of the HCL modules", () => {
  it("is docs/terraform-modules.md's (run `npm run docs:config` after changing an input or a reason)", () => {
    const page = readFileSync(join(__dirname, "..", "docs", "terraform-modules.md"), "utf8");
    expect(fillMarkedSections(page, { "hcl:parity": renderParityTables() })).toBe(page);
  });

  it("tells the truth about each feature: what it says the modules have, their Terraform shows, and nothing else", () => {
    for (const feature of PARITY_FEATURES)
      expect([feature.feature, feature.shown(documents)]).toEqual([feature.feature, feature.inModules === true]);
  });

  it("names only inputs the modules have, and a reason for every field they do not", () => {
    const rows = parityRows();
    const types = Object.fromEntries(
      Object.entries(documents.environment.document.variable).map(([k, v]) => [k, String(v.type)]),
    );
    for (const row of rows.filter((r) => r.input !== undefined)) {
      const [variable, ...path] = (row.input as string).split(/\.|\[\]\./);
      expect([row.input, types[variable] !== undefined]).toEqual([row.input, true]);
      for (const attribute of path)
        expect([row.input, types[variable]]).toEqual([row.input, expect.stringContaining(`${attribute} =`)]);
    }
    for (const row of rows.filter((r) => r.input === undefined))
      expect([row.field, row.note.length > 20]).toEqual([row.field, true]);
    expect(rows.filter((r) => r.input === undefined).map((r) => r.field)).toEqual(
      expect.arrayContaining(["backend", "ci", "bastion.ssm"]),
    );
  });
});
