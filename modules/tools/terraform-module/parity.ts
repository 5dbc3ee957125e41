import { ALL_INPUTS, configLeaves, configSchema, CONSTRUCTS_ONLY, ENVIRONMENT_INPUTS, HclInput } from "./inputs";
import { ModuleDocument } from "./build";
import { MODULE_MAX_TIERS } from "./plan-expressions";

/** One row of the parity table: a config field (or block), the module input it is, or why it has none. */
export interface ParityRow {
  readonly field: string;
  /** The input (`flow_logs.kms_key_arn`), or undefined for a field of the constructs only. */
  readonly input?: string;
  /** `network, environment` or `environment`. */
  readonly modules?: string;
  /** Why the input differs from the field, or why there is none. */
  readonly note: string;
}

const modulesOf = (input: HclInput) => (ENVIRONMENT_INPUTS.includes(input) ? "environment" : "network, environment");

/**
 * Every config field of an environment, in the schema's order, with its module input or its `CONSTRUCTS_ONLY` reason
 * (a whole block once), then the inputs of HCL only. Throws on a field with neither (fieldCoverage says which).
 */
export function parityRows(): ParityRow[] {
  const rows: ParityRow[] = [];
  const seen = new Set<string>();
  const add = (row: ParityRow) => {
    // Fields once (a block's reason covers its fields); the HCL-only inputs, all of field "(none)", each.
    const key = row.field === "(none)" ? `(none) ${row.input}` : row.field;
    if (!seen.has(key)) rows.push(row);
    seen.add(key);
  };
  for (const leaf of configLeaves(configSchema())) {
    const input = ALL_INPUTS.find((i) => i.from === leaf);
    if (input !== undefined) {
      add({ field: leaf, input: input.hcl, modules: modulesOf(input), note: input.why ?? "" });
      continue;
    }
    const excluded = Object.keys(CONSTRUCTS_ONLY).find((c) => leaf === c || leaf.startsWith(`${c}.`));
    if (excluded !== undefined) add({ field: excluded, note: CONSTRUCTS_ONLY[excluded] });
    else if (!ALL_INPUTS.some((i) => i.type !== undefined && i.from !== undefined && leaf.startsWith(`${i.from}[]`)))
      throw new Error(`config field ${leaf} has no module input and no CONSTRUCTS_ONLY reason`);
  }
  for (const input of ALL_INPUTS.filter((i) => i.from === undefined))
    add({ field: "(none)", input: input.hcl, modules: modulesOf(input), note: input.why ?? "" });
  return rows;
}

/** A feature beyond one config field, whether the modules have it, and what in their Terraform shows it. */
export interface ParityFeature {
  readonly feature: string;
  /** true: the modules have it; otherwise the reason they do not. */
  readonly inModules: true | string;
  /** Whether the generated modules show the feature (the test holds each row to its claim). */
  readonly shown: (modules: { network: ModuleDocument; environment: ModuleDocument }) => boolean;
}

type Doc = ModuleDocument["document"];
const resourceOf = (doc: Doc, type: string, name: string) => doc.resource[type]?.[name];
const typeOfVariable = (doc: Doc, name: string) => String(doc.variable[name]?.type ?? "");

/** The features the issue of parity names, beyond the field table. */
export const PARITY_FEATURES: readonly ParityFeature[] = [
  {
    feature: "secondary CIDR blocks (tiers planned in a named block)",
    inModules: true,
    shown: ({ network }) =>
      resourceOf(network.document, "aws_vpc_ipv4_cidr_block_association", "this") !== undefined &&
      typeOfVariable(network.document, "tiers").includes("block = optional(string)"),
  },
  {
    feature: "the flow-log group's KMS key",
    inModules: true,
    shown: ({ network }) =>
      resourceOf(network.document, "aws_cloudwatch_log_group", "flow_logs")?.kms_key_id ===
      "${var.flow_logs.kms_key_arn}",
  },
  {
    feature: "the ssh_config output",
    inModules: true,
    shown: ({ environment }) => String(environment.document.output.ssh_config?.value ?? "").includes("ProxyJump"),
  },
  {
    feature: "the DB password flow (DB writes the app's password to SSM, the app reads it at each start)",
    inModules: true,
    shown: ({ environment }) => {
      const userData = (name: string) => String(resourceOf(environment.document, "aws_instance", name)?.user_data);
      return userData("db").includes("aws ssm put-parameter") && userData("app").includes("aws ssm get-parameter");
    },
  },
  {
    feature:
      "the EC2 Instance Connect door (`instance_connect`: an endpoint in a private tier instead of the bastion, no public IP)",
    inModules: true,
    shown: ({ environment }) =>
      resourceOf(environment.document, "aws_ec2_instance_connect_endpoint", "this") !== undefined &&
      resourceOf(environment.document, "aws_instance", "bastion")?.count === "${var.instance_connect == null ? 1 : 0}",
  },
  {
    feature:
      "a tier's own network ACL (`tiers[].network_acl`: the security groups' flows and their replies, stateless, planned as `planNetworkAcls` plans them)",
    inModules: true,
    shown: ({ network, environment }) =>
      resourceOf(network.document, "aws_network_acl", "this") !== undefined &&
      typeOfVariable(network.document, "tiers").includes("network_acl = optional(bool, false)") &&
      String(environment.document.locals?.network_acl_flows ?? "").includes("from_port"),
  },
  {
    feature: "Session Manager access (`bastion.ssm`: `with-ssh`, `only`)",
    inModules: CONSTRUCTS_ONLY["bastion.ssm"],
    shown: ({ environment }) => typeOfVariable(environment.document, "bastion").includes("ssm"),
  },
  {
    feature: "an AMI from an SSM parameter",
    inModules:
      'in HCL a caller reads the parameter with `data "aws_ssm_parameter"` and passes its value as `ami`; the module itself plans without AWS',
    shown: ({ environment }) => environment.document.data?.aws_ssm_parameter !== undefined,
  },
  {
    feature: `more than ${MODULE_MAX_TIERS} tiers`,
    inModules: `Terraform has no loop that carries state, so the modules' tier planning is unrolled for ${MODULE_MAX_TIERS} tiers (the constructs take any number)`,
    shown: ({ network }) =>
      !JSON.stringify(network.document.variable.tiers.validation).includes(`length(var.tiers) <= ${MODULE_MAX_TIERS}`),
  },
];

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${text}\``;

/** The parity tables, Markdown: the features, then every config field with its input or reason. */
export function renderParityTables(rows: readonly ParityRow[] = parityRows()): string {
  return [
    "| feature | HCL modules |",
    "| --- | --- |",
    ...PARITY_FEATURES.map(
      (f) => `| ${cell(f.feature)} | ${f.inModules === true ? "yes" : `constructs only: ${cell(f.inModules)}`} |`,
    ),
    "",
    "| config field | module input | module | note |",
    "| --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${r.field === "(none)" ? "(none)" : code(r.field)} | ${r.input === undefined ? "constructs only" : code(r.input)} | ${r.modules ?? ""} | ${cell(r.note)} |`,
    ),
  ].join("\n");
}
