import { ModuleDocument, ModuleFiles, moduleFiles, MODULE_REQUIREMENTS, synthModuleDocument } from "./build";
import { addNetworkModule, TAV_SUBNET_NAMES, TIER_SUBNET_TAGS } from "./network-module";
import { SUBNET_TYPES } from "../../network/types";
import { addEnvironmentModule, NESTED_NETWORK_PATH } from "./environment-module";

/** The Terraform modules this project publishes, by name (the registry repository is `terraform-aws-<name>`). */
export const TERRAFORM_MODULES = ["network", "environment"] as const;
/** One of `TERRAFORM_MODULES`: the name of a generated Terraform module. */
export type TerraformModuleName = (typeof TERRAFORM_MODULES)[number];

/** What a README documents of one variable or output, read from the module's own files. */
export interface InterfaceRow {
  readonly name: string;
  readonly description: string;
  /** Variables only: the type constraint. */
  readonly type?: string;
  /** Variables only: the default as HCL-ish JSON, or undefined when the input is required. */
  readonly default?: string;
  readonly required?: boolean;
}

interface VariableJson {
  type?: string;
  description?: string;
  default?: unknown;
}

/** The rows of a module's inputs and outputs tables, from its variables and outputs. */
export function interfaceRows({ document }: ModuleDocument): { inputs: InterfaceRow[]; outputs: InterfaceRow[] } {
  const variables = document.variable as Record<string, VariableJson>;
  const outputs = document.output as Record<string, { description?: string }>;
  return {
    inputs: Object.entries(variables).map(([name, v]) => ({
      name,
      description: v.description ?? "",
      type: v.type ?? "any",
      required: !("default" in v),
      default: "default" in v ? JSON.stringify(v.default) : undefined,
    })),
    outputs: Object.entries(outputs).map(([name, o]) => ({ name, description: o.description ?? "" })),
  };
}

/** A Markdown table cell: pipes escaped, code in backticks. */
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${cell(text)}\``;

/** The inputs and outputs tables of a module README. */
export function renderInterfaceTables(rows: { inputs: InterfaceRow[]; outputs: InterfaceRow[] }): string {
  return [
    "## Inputs",
    "",
    "| Name | Description | Type | Default | Required |",
    "|------|-------------|------|---------|:--------:|",
    ...rows.inputs.map(
      (r) =>
        `| ${code(r.name)} | ${cell(r.description)} | ${code(r.type ?? "")} | ${r.required ? "n/a" : code(r.default ?? "")} | ${r.required ? "yes" : "no"} |`,
    ),
    "",
    "## Outputs",
    "",
    "| Name | Description |",
    "|------|-------------|",
    ...rows.outputs.map((r) => `| ${code(r.name)} | ${cell(r.description)} |`),
    "",
  ].join("\n");
}

/** Reads the rows back out of a README's tables (what the README test compares with the variables). */
export function parseInterfaceTables(readme: string): { inputs: string[][]; outputs: string[][] } {
  const section = (title: string) => {
    const start = readme.indexOf(`## ${title}\n`);
    if (start < 0) return [];
    const lines = readme.slice(start).split("\n").slice(2);
    const rows: string[][] = [];
    for (const line of lines.slice(2)) {
      if (!line.startsWith("|")) break;
      rows.push(
        line
          .slice(1, -1)
          .split(/(?<!\\)\|/)
          .map((c) =>
            c
              .trim()
              .replace(/\\\|/g, "|")
              .replace(/^`([^`]*)`$/, "$1"),
          ),
      );
    }
    return rows;
  };
  return { inputs: section("Inputs"), outputs: section("Outputs") };
}

const TITLES: Record<TerraformModuleName, string> = {
  network:
    "A tiered multi-AZ VPC: one subnet per tier per AZ, planned from masks (adding an AZ moves no subnet), an internet gateway, NAT (none, single, per-az or a NAT instance), the default security group, route table and network ACL adopted, a network ACL of its own per `network_acl` tier (planned from `network_acl_flows`), optional secondary CIDR blocks, flow logs and S3 gateway endpoint. Every resource is keyed by tier and AZ (`for_each`), so adding an AZ only creates.",
  environment:
    "A network-separated environment: the network module, one door (a hardened bastion with an Elastic IP, SSH from the admin CIDRs; or with `instance_connect` an EC2 Instance Connect Endpoint in a private tier, no public IP), app servers per AZ running a systemd service, a MariaDB server reached only from the app servers (the app's password made on the DB and handed over through SSM Parameter Store), the security groups between them, a least-privilege IAM role and instance profile per server role, and an ssh_config output.",
};

/** The examples each module ships: `basic` (IPv4), `ipv6` (the same, dual-stack). */
export const MODULE_EXAMPLES = ["basic", "ipv6"] as const;
/** One of `MODULE_EXAMPLES`. */
export type ModuleExample = (typeof MODULE_EXAMPLES)[number];

/**
 * The HCL of a module's `examples/<example>/main.tf` (`source = "../.."`: the example runs from the module's folder).
 * `ipv6` is `basic` dual-stack: the VPC's /56, a /64 per subnet, IPv6 addresses on the internal tier's instances.
 */
export function exampleHcl(
  name: TerraformModuleName,
  source = "../..",
  version?: string,
  example: ModuleExample = "basic",
): string {
  const dualStack = example === "ipv6";
  const internalTier = dualStack
    ? `{ name = "internal", type = "private", cidr_mask = 27, assign_ipv6_address_on_creation = true }`
    : `{ name = "internal", type = "private", cidr_mask = 27 }`;
  const network = `  name     = "workshop"
  region   = "ap-northeast-2"
  azs      = ["ap-northeast-2a", "ap-northeast-2b"]
  vpc_cidr = "192.168.10.0/24"
  az_slots = 2
  tiers = [
    { name = "public", type = "public", cidr_mask = 26 },
    { name = "management", type = "public", azs = ["ap-northeast-2a"], cidr_mask = 27 },
    ${internalTier},
  ]
  nat_mode = "single"
  tags     = { Project = "infra-workshop" }
${dualStack ? "  ipv6     = true\n" : ""}
  interface_endpoints = { services = ["ssm", "ssmmessages", "ec2messages"] }
`;
  const environment = `
  admin_cidrs    = ["203.0.113.10/32"]
  ssh_public_key = file(pathexpand("~/.ssh/workshop.pub"))
  ami            = "ami-0123456789abcdef0"
  app = {
    service_from_tiers = ["public"]
    service = {
      port    = 8080
      command = "/usr/bin/python3 -m http.server 8080 --directory /opt/app"
    }
  }
`;
  return `terraform {
  required_version = "${MODULE_REQUIREMENTS.terraform}"
  required_providers {
    aws = {
      source  = "${MODULE_REQUIREMENTS.aws.source}"
      version = "${MODULE_REQUIREMENTS.aws.version}"
    }
  }
}

provider "aws" {
  region = "ap-northeast-2"
}

module "${name}" {
${version === undefined ? `  source = "${source}"` : `  source  = "${source}"\n  version = "${version}"`}

${network}${name === "environment" ? environment : ""}}

output "subnet_cidrs" {
  value = module.${name}.subnet_cidrs
}
`;
}

/** How a terraform-aws-modules/vpc user's inputs map onto the network module's tiers (its outputs keep their names). */
function tavMapping(): string {
  const rows = SUBNET_TYPES.map((type) => {
    const tav = TAV_SUBNET_NAMES[type];
    return `| \`${tav}_subnets\`, \`${tav}_subnet_tags\` | a tier with \`type = "${type}"\` (its \`cidr_mask\` or \`cidrs\`, its \`tags\`) | \`${type}_subnets\`, \`${type}_subnets_cidr_blocks\`, \`${type}_route_table_ids\` |`;
  });
  return [
    "## Coming from terraform-aws-modules/vpc",
    "",
    "Subnets come in tiers, each of a type: `public` (routes to the internet gateway), `private` (routes to a NAT) or",
    "`isolated` (no route out, what terraform-aws-modules/vpc calls `intra`; its `database` subnets route through the",
    "NAT by default, so pick `private` or `isolated` for them). A tier's `tags` go on its subnets, after `tags` and",
    `before the module's own ${TIER_SUBNET_TAGS.map((t) => `\`${t}\``).join(", ")} (which a tier may not set).`,
    "",
    "| terraform-aws-modules/vpc input | here | outputs |",
    "|------|------|------|",
    ...rows,
    "",
    "`vpc_id`, `igw_id` and `natgw_ids` are as there; `route_table_ids_by_tier` and `subnet_ids` (by tier and AZ) add the",
    "tier names.",
    "",
  ].join("\n");
}

function readme(name: TerraformModuleName, module: ModuleDocument, version: string): string {
  const archive = `${name}-${version}.tar.gz`;
  return `# terraform-aws-${name}

${TITLES[name]}

Generated by \`npm run build:modules\` from the TypeScript constructs and planner of
[cdktf-secure-aws-env](https://github.com/): do not edit these files; change the generator and rebuild.
Requires Terraform ${MODULE_REQUIREMENTS.terraform} and the AWS provider ${MODULE_REQUIREMENTS.aws.version}. The module
configures no provider: pass yours (its region must match \`region\`).

## Usage

The release archive \`${archive}\` holds this folder. Unpack it into your configuration and use it by path (no
registry, no Node.js):

\`\`\`sh
mkdir -p modules/${name} && tar -xzf ${archive} -C modules/${name}
\`\`\`

\`\`\`hcl
${exampleHcl(name, `./modules/${name}`).replace(/^terraform \{[\s\S]*?\n\}\n\n/, "")}\`\`\`

Published to a module registry, the source is \`[<hostname>/]<namespace>/${name}/aws\` with a \`version\` constraint:
on registry.terraform.io the hostname is left out (\`acme/${name}/aws\` for the namespace \`acme\`, published from the
repository \`terraform-aws-${name}\`); a private registry's starts with its host (\`app.terraform.io/acme/${name}/aws\`).
An archive served over HTTPS is a source too: \`source = "https://example.com/modules/${archive}"\` (no \`version\`).
See \`examples/basic\`, and \`examples/ipv6\` for the same dual-stack (\`ipv6 = true\`: a /64 per subnet, IPv6
routes to the internet gateway or an egress-only gateway).

${name === "network" ? tavMapping() : ""}${renderInterfaceTables(interfaceRows(module))}`;
}

/** Every module as Terraform JSON, by name (what the packages are written from). */
export function moduleDocuments(): Record<TerraformModuleName, ModuleDocument> {
  return { network: synthModuleDocument(addNetworkModule), environment: synthModuleDocument(addEnvironmentModule) };
}

/**
 * Every module, each as its files (paths relative to the module's root), generated and ready to publish as release
 * `version` (the README names its archive).
 */
export function buildModulePackages(
  version: string,
  documents: Record<TerraformModuleName, ModuleDocument> = moduleDocuments(),
): Record<TerraformModuleName, ModuleFiles> {
  const network = moduleFiles(documents.network);
  const nested = Object.fromEntries(
    Object.entries(network).map(([file, text]) => [`${NESTED_NETWORK_PATH}/${file}`, text]),
  );
  const withDocs = (name: TerraformModuleName): ModuleFiles => ({
    ...moduleFiles(documents[name]),
    "README.md": readme(name, documents[name], version),
    ...Object.fromEntries(
      MODULE_EXAMPLES.map((example) => [`examples/${example}/main.tf`, exampleHcl(name, "../..", undefined, example)]),
    ),
  });
  return { network: withDocs("network"), environment: { ...withDocs("environment"), ...nested } };
}
