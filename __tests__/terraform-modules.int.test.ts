import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TERRAFORM_MODULES } from "../modules/tools/terraform-module/packages";
import { MODULE_REQUIREMENTS } from "../modules/tools/terraform-module/build";
import { addEnvironmentStacks } from "../modules/environment/app";
import { PlanJson, plannedResources } from "../modules/rules/plan-json";
import { offlineEnvironment, offlineProviderOverride, runTerraform } from "../modules/tools/pipeline/terraform";
import { planNetwork } from "../modules/network/plan";
import { NetworkProps } from "../modules/network/types";
import type { EnvironmentConfig } from "../modules/environment/schema";
import { describeWithTerraform } from "./support/terraform";
import { planAppShared } from "./support/shared-plans";
import { defaultRouteTargets, modulePlan } from "./support/plan";
import { resolveOne, workshopConfig } from "./support/synth";
import { readmeUsageHcl } from "./support/readme-hcl";
import { networkInputs } from "./support/module-inputs";
import { ModuleRegistry, registryCliConfig } from "./support/module-registry";
import exampleAddresses from "./fixtures/terraform-module-example-addresses.json";
import { ProviderSchemas, settleState, stateFromPlan } from "./support/synthetic-state";

/** The registry's name in module sources; the CLI config's `host` block sends it to the test server. */
const HOST = "registry.acme.test";
const NAMESPACE = "acme";
const VERSIONS = ["0.1.0", "0.2.0"];
const repoRoot = join(__dirname, "..");
/** The archives are named after the npm package's version (`<name>-<version>.tar.gz`). */
const packageVersion = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string })
  .version;
/** Each terraform step on a busy 2-core machine: init under 5 s, a plan 7-70 s measured; generous on purpose. */
const STEP_MS = 600_000;
/** Passes that make the synthetic state's references consistent: the depth of the module's reference graph. */
const MAX_SETTLE_PASSES = 5;

const PROVIDER = `provider "aws" {\n  region = "ap-northeast-2"\n}\n`;

/** HCL for a value: strings quoted, lists and objects written out. */
function hcl(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(hcl).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${/^[A-Za-z_][\w-]*$/.test(k) ? k : JSON.stringify(k)} = ${hcl(v)}`)
      .join(", ")} }`;
  return JSON.stringify(value);
}

function moduleBlock(label: string, module: string, inputs: Record<string, unknown>): string {
  const body = Object.entries(inputs)
    .map(([k, v]) => `  ${k} = ${hcl(v)}`)
    .join("\n");
  return `module "${label}" {\n  source  = "${HOST}/${NAMESPACE}/${module}/aws"\n  version = "~> 0.1"\n${body}\n}\n\noutput "${label}_route_targets" {\n  value = module.${label}.default_route_targets\n}\n`;
}

/**
 * A terraform-aws-modules/vpc user's root module: EKS subnet tags on two tiers, and resources wired to the flat
 * outputs the way such a user wires them (`count = length(...)` over route table ids, `vpc_id`).
 */
const TAGGED_TIERS: NetworkProps["tiers"] = [
  { name: "public", type: "public", cidrMask: 24 },
  { name: "nodes", type: "private", cidrMask: 20 },
  { name: "data", type: "isolated", cidrMask: 24 },
];
const TIER_TAGS: Record<string, Record<string, string>> = {
  public: { "kubernetes.io/role/elb": "1" },
  nodes: { "kubernetes.io/role/internal-elb": "1" },
};
const FLAT_OUTPUTS = ["vpc_id", "igw_id", "natgw_ids"].concat(
  ...["public", "private", "isolated"].map((t) => [`${t}_subnets`, `${t}_subnets_cidr_blocks`, `${t}_route_table_ids`]),
);
const taggedNetwork: NetworkProps = {
  environment: "eks",
  region: "ap-northeast-2",
  azs: ["ap-northeast-2a", "ap-northeast-2b"],
  vpcCidr: "10.0.0.0/16",
  tiers: TAGGED_TIERS,
};
const TAGGED = `module "tagged" {
  source  = "${HOST}/${NAMESPACE}/network/aws"
  version = "~> 0.1"
  ${Object.entries({
    ...networkInputs(taggedNetwork),
    tiers: TAGGED_TIERS.map((t) => ({
      name: t.name,
      type: t.type,
      cidr_mask: t.cidrMask,
      tags: TIER_TAGS[t.name] ?? {},
    })),
    tags: { Project: "eks" },
  })
    .map(([k, v]) => `${k} = ${hcl(v)}`)
    .join("\n  ")}
}

resource "aws_security_group" "nodes" {
  name   = "eks-nodes"
  vpc_id = module.tagged.vpc_id
}

resource "aws_route" "to_peer" {
  count                     = length(module.tagged.private_route_table_ids)
  route_table_id            = module.tagged.private_route_table_ids[count.index]
  destination_cidr_block    = "10.99.0.0/16"
  vpc_peering_connection_id = "pcx-0123456789abcdef0"
}

output "tagged" {
  value = { ${FLAT_OUTPUTS.map((o) => `${o} = module.tagged.${o}`).join(", ")} }
}
`;

const workshop = workshopConfig();
const workshopNetwork: NetworkProps = { ...workshop, environment: workshop.name };
/** The workshop layout with the NAT instance mode, planned in the same root module. */
const natInstanceNetwork: NetworkProps = {
  ...workshopNetwork,
  environment: "natinst",
  nat: { mode: "instance", instance: { ami: "ami-0123456789abcdef0" } },
};
/** The workshop layout grown by a secondary block with a tier in it, and flow logs encrypted with a KMS key. */
const FLOW_LOG_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/0123abcd-0123-abcd-0123-0123456789ab";
const secondaryNetwork: NetworkProps = {
  ...workshopNetwork,
  environment: "second",
  secondaryCidrBlocks: [{ name: "more", cidr: "192.168.12.0/24" }],
  tiers: [...workshopNetwork.tiers, { name: "extra", type: "private", cidrMask: 26, block: "more" }],
  flowLogs: { enabled: true, kmsKeyArn: FLOW_LOG_KEY },
};
/** The second input set: three AZs, a NAT gateway per AZ, flow logs and the S3 endpoint. */
const threeAzs: NetworkProps = {
  environment: "three",
  region: "ap-northeast-2",
  azs: ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"],
  vpcCidr: "10.20.0.0/16",
  tiers: [
    { name: "public", type: "public", cidrMask: 24 },
    { name: "app", type: "private", cidrMask: 22 },
    { name: "data", type: "isolated", cidrMask: 24 },
  ],
  nat: { mode: "per-az" },
  flowLogs: { enabled: true },
  s3GatewayEndpoint: true,
};
const twoAzs: NetworkProps = { ...threeAzs, azs: threeAzs.azs.slice(0, 2) };
/** The workshop layout dual-stack (`ipv6 = true`), its internal tier's instances given IPv6 addresses. */
function dualStackInputs(): Record<string, unknown> {
  const inputs = networkInputs(workshopNetwork);
  const tiers = (inputs.tiers as Array<Record<string, unknown>>).map((t) =>
    t.name === "internal" ? { ...t, assign_ipv6_address_on_creation: true } : t,
  );
  return { ...inputs, tiers, ipv6: true };
}

/** `tier/az cidr` of every subnet a plan makes under `module.<label>`. */
function subnetsOf(plan: PlanJson, label: string): string[] {
  return plannedResources(plan, "aws_subnet")
    .filter((s) => s.address.startsWith(`module.${label}.`))
    .map(
      (s) => `${(s.values.tags as Record<string, string>).Tier}/${s.values.availability_zone} ${s.values.cidr_block}`,
    )
    .sort();
}

/** Resources per type under an address prefix (or a logical-id prefix for cdktf's flat stacks). */
function counts(plan: PlanJson, keep: (address: string, name: string) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of plannedResources(plan)) if (keep(r.address, r.name)) out[r.type] = (out[r.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

function expectedTargets(props: NetworkProps): Record<string, string> {
  const { plan } = planNetwork(props);
  const kind = props.nat?.mode === "instance" ? "nat-instance" : "nat-gateway";
  return Object.fromEntries(
    plan.subnets.map((s) => [
      `${s.tier}/${s.az}`,
      s.type === "public" ? "igw" : s.type === "private" ? `${kind}/${plan.natAzFor[s.az]}` : "none",
    ]),
  );
}

describeWithTerraform(
  "generated Terraform modules, published to a registry on 127.0.0.1 and used from HCL",
  (toolchain) => {
    let root: string;
    let registry: ModuleRegistry;
    let env: NodeJS.ProcessEnv;
    const modulesDir = () => join(root, "modules");
    const archivesDir = () => join(root, "archives");

    /** Runs terraform in `dir`; plans and validation run with no network, init talks only to the loopback registry. */
    async function terraform(dir: string, args: string[], isolate = true): Promise<string> {
      const run = await runTerraform(toolchain(), args, { cwd: dir, env, isolateNetwork: isolate, timeoutMs: STEP_MS });
      if (run.code !== 0)
        throw new Error(
          `terraform ${args.join(" ")} in ${dir} failed (${run.code}):\n${run.stderr}\n${run.stdout.slice(-4000)}`,
        );
      return run.stdout;
    }

    /** A root module of `hcl` (plus the offline provider override) in a fresh dir, initialized from the registry. */
    async function consumer(name: string, body: string): Promise<string> {
      const dir = join(root, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "main.tf"), `${PROVIDER}\n${body}`);
      writeFileSync(join(dir, "provider_override.tf.json"), JSON.stringify(offlineProviderOverride(), null, 2));
      // Not in `unshare -n`: the registry listens on this namespace's loopback; providers come from the mirror only.
      await terraform(dir, ["init", "-input=false", "-no-color"], false);
      return dir;
    }

    async function plan(dir: string, extra: string[] = []): Promise<PlanJson> {
      await terraform(dir, ["plan", "-input=false", "-no-color", "-lock=false", "-out=tfplan", ...extra]);
      return JSON.parse(await terraform(dir, ["show", "-json", "-no-color", "tfplan"])) as PlanJson;
    }

    /** A generated module's example, as it ships, planned offline. */
    async function planExample(name: string, example: string): Promise<PlanJson> {
      const dir = join(modulesDir(), name, "examples", example);
      writeFileSync(join(dir, "provider_override.tf.json"), JSON.stringify(offlineProviderOverride(), null, 2));
      // The environment examples read the admins' key from ~/.ssh/workshop.pub.
      mkdirSync(join(env.HOME as string, ".ssh"), { recursive: true });
      copyFileSync(
        join(repoRoot, "keys", "workshop-placeholder.pub"),
        join(env.HOME as string, ".ssh", "workshop.pub"),
      );
      await terraform(dir, ["init", "-input=false", "-no-color"]);
      return plan(dir);
    }

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), "tf-modules-int-"));
      // What a release ships: `npm run build:modules` writes the folders and the archives; the registry serves the
      // archives as they are, each under two versions so that the test sees which one Terraform chose.
      const build = spawnSync(
        process.execPath,
        ["--require", "./app/register-ts.js", "scripts/build-modules.ts", modulesDir(), archivesDir()],
        { cwd: repoRoot, encoding: "utf8" },
      );
      if (build.status !== 0) throw new Error(`npm run build:modules failed:\n${build.stderr}`);
      registry = new ModuleRegistry(join(root, "registry"));
      const url = await registry.start();
      for (const name of TERRAFORM_MODULES) {
        const archive = join(archivesDir(), `${name}-${packageVersion}.tar.gz`);
        for (const version of VERSIONS) registry.publishArchive(archive, NAMESPACE, name, "aws", version);
      }
      env = offlineEnvironment(join(root, "home"), toolchain().pluginMirror, process.env);
      env.TF_CLI_CONFIG_FILE = join(root, "terraformrc");
      writeFileSync(env.TF_CLI_CONFIG_FILE, registryCliConfig(HOST, url, toolchain().pluginMirror as string));
    }, STEP_MS);

    afterAll(async () => {
      await registry?.stop();
      if (root !== undefined) rmSync(root, { recursive: true, force: true });
    });

    it(
      "every module passes terraform fmt -check and validate, and declares its versions but no provider",
      async () => {
        // The README's consumer snippet too: it is HCL a user copies.
        mkdirSync(join(modulesDir(), "readme-usage"));
        writeFileSync(join(modulesDir(), "readme-usage", "main.tf"), readmeUsageHcl());
        await terraform(modulesDir(), ["fmt", "-check", "-recursive", "-no-color"]);
        for (const name of ["network", "environment"]) {
          const dir = join(modulesDir(), name);
          const versions = readFileSync(join(dir, "versions.tf"), "utf8");
          expect(versions).toContain(`required_version = "${MODULE_REQUIREMENTS.terraform}"`);
          expect(versions).toContain(`source  = "${MODULE_REQUIREMENTS.aws.source}"`);
          expect(versions).toContain(`version = "${MODULE_REQUIREMENTS.aws.version}"`);
          expect(readFileSync(join(dir, "main.tf"), "utf8")).not.toMatch(/^provider /m);
          await terraform(dir, ["init", "-input=false", "-no-color", "-backend=false"]);
          expect(await terraform(dir, ["validate", "-no-color"])).toContain("Success! The configuration is valid.");
        }
      },
      STEP_MS,
    );

    it(
      "a wrong tier type is refused at plan time, with a message naming the tier and its type",
      async () => {
        const inputs = networkInputs(workshopNetwork);
        const tiers = [...(inputs.tiers as object[]), { name: "edge", type: "pub", cidr_mask: 28 }];
        const dir = await consumer("refused", moduleBlock("network", "network", { ...inputs, tiers }));
        const run = await runTerraform(toolchain(), ["plan", "-input=false", "-no-color", "-lock=false", "-json"], {
          cwd: dir,
          env,
          isolateNetwork: true,
          timeoutMs: STEP_MS,
        });
        expect(run.code).not.toBe(0);
        const details = run.stdout
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as { type: string; diagnostic?: { detail?: string } })
          .filter((message) => message.type === "diagnostic")
          .map((message) => message.diagnostic?.detail ?? "");
        expect(details).toEqual([
          expect.stringContaining(`tier edge has type "pub": type must be one of public, private, isolated.`),
        ]);
      },
      STEP_MS,
    );

    it(
      "a tier's network_acl with ipv6 is refused at plan time, as planNetwork refuses it",
      async () => {
        const inputs = networkInputs(workshopNetwork);
        const tiers = (inputs.tiers as Array<Record<string, unknown>>).map((t) =>
          t.name === "internal" ? { ...t, network_acl: true } : t,
        );
        const dir = await consumer("acl-ipv6", moduleBlock("network", "network", { ...inputs, tiers, ipv6: true }));
        const run = await runTerraform(toolchain(), ["plan", "-input=false", "-no-color", "-lock=false"], {
          cwd: dir,
          env,
          isolateNetwork: true,
          timeoutMs: STEP_MS,
        });
        expect(run.code).not.toBe(0);
        expect(run.stderr.replace(/\s+/g, " ")).toContain(
          "tier internal: no network ACL of the tier's own with ipv6: its entries are planned for IPv4 only",
        );
        const { problems } = planNetwork({
          ...workshopNetwork,
          ipv6: true,
          tiers: workshopNetwork.tiers.map((t) => (t.name === "internal" ? { ...t, networkAcl: true } : t)),
        });
        expect(problems.map((p) => p.field)).toEqual(["tiers[2].networkAcl"]);
      },
      STEP_MS,
    );

    // The committed addresses: those of the .tf.json-era modules, plus the DB's data volume and its attachment and
    // the examples' interface endpoints, added since (additions only: no address was renamed). The bastion's resources
    // gained `[0]` with `instance_connect` (count 1 or 0): Terraform moves a state's `aws_instance.bastion` to
    // `aws_instance.bastion[0]` by itself, so no object is replaced.
    it.each(TERRAFORM_MODULES.map((name) => [name]))(
      "the %s module's examples/basic plans the committed resource addresses (those of the .tf.json era, and additions)",
      async (name) => {
        const planned = await planExample(name, "basic");
        expect((planned.resource_changes ?? []).map((c) => c.address).sort()).toEqual(exampleAddresses[name]);
      },
      STEP_MS,
    );

    // examples/ipv6 is examples/basic dual-stack: planned offline only (moto cannot hold a subnet's /64, so no apply).
    it.each(TERRAFORM_MODULES.map((name) => [name]))(
      "the %s module's examples/ipv6 plans basic's addresses plus the dual-stack ones: a /64 per subnet, ::/0 routes, IPv6 egress",
      async (name) => {
        const planned = await planExample(name, "ipv6");
        const addresses = (planned.resource_changes ?? []).map((c) => c.address);
        const added = addresses.filter((a) => !exampleAddresses[name].includes(a));
        expect(addresses).toEqual(expect.arrayContaining(exampleAddresses[name]));
        const prefix = `module.${name}.${name === "environment" ? "module.network." : ""}`;
        const tables = addresses.filter((a) => a.startsWith(`${prefix}aws_route_table.this[`));
        expect(added.filter((a) => a.startsWith(prefix)).sort()).toEqual(
          [
            `${prefix}aws_egress_only_internet_gateway.this["this"]`,
            ...tables.map((t) =>
              t.replace(
                /aws_route_table\.this\[("[^"]*")\]/,
                (_, key: string) =>
                  `aws_route.${key.startsWith('"internal') ? "egress_only_ipv6" : "internet_ipv6"}[${key}]`,
              ),
            ),
          ].sort(),
        );
        // The environment's roles each get the IPv6 twins of their HTTP and HTTPS egress.
        expect(added.filter((a) => !a.startsWith(prefix)).sort()).toEqual(
          name === "environment"
            ? ["app", "bastion", "db"].flatMap((role) =>
                ["http", "https"].map(
                  (p) => `module.environment.aws_vpc_security_group_egress_rule.${role}_${p}_out_ipv6["this"]`,
                ),
              )
            : [],
        );
        const subnets = (planned.resource_changes ?? []).filter((c) => c.type === "aws_subnet");
        for (const s of subnets) expect((s.change.after_unknown as Record<string, unknown>).ipv6_cidr_block).toBe(true);
        expect(
          subnets
            .filter((s) => (s.change.after as Record<string, unknown>).assign_ipv6_address_on_creation === true)
            .map((s) => s.address),
        ).toEqual(subnets.filter((s) => s.address.includes('"internal/')).map((s) => s.address));
      },
      STEP_MS,
    );

    describe("the workshop layout", () => {
      let dir: string;
      let hclPlan: PlanJson;
      let cdktfPlan: PlanJson;
      const ws = workshop;
      const environmentInputs = {
        ...networkInputs(workshopNetwork),
        tags: ws.tags,
        admin_cidrs: ws.access?.adminCidrs,
        ssh_public_key: readFileSync(join(__dirname, "..", "keys", "workshop-placeholder.pub"), "utf8").trim(),
        ami: ws.ami,
        app: {
          tier: "internal",
          service_from_tiers: ["public"],
          service: { port: 8080, command: "/usr/bin/python3 -m http.server 8080 --directory /opt/app" },
        },
      };

      it(
        "terraform init fetches the newest 0.x of each module from the registry",
        async () => {
          dir = await consumer(
            "workshop",
            [
              moduleBlock("network", "network", networkInputs(workshopNetwork)),
              moduleBlock("environment", "environment", environmentInputs),
              moduleBlock("natinstance", "network", networkInputs(natInstanceNetwork)),
              moduleBlock("secondary", "network", networkInputs(secondaryNetwork)),
              moduleBlock("dualstack", "network", dualStackInputs()),
              TAGGED,
            ].join("\n"),
          );
          const manifest = JSON.parse(readFileSync(join(dir, ".terraform", "modules", "modules.json"), "utf8")) as {
            Modules: Array<{ Key: string; Source: string; Version?: string; Dir: string }>;
          };
          const byKey = Object.fromEntries(manifest.Modules.map((m) => [m.Key, m]));
          expect(byKey.network).toMatchObject({ Source: `${HOST}/${NAMESPACE}/network/aws`, Version: "0.2.0" });
          expect(byKey.environment).toMatchObject({ Source: `${HOST}/${NAMESPACE}/environment/aws`, Version: "0.2.0" });
          // The archive unpacks to the files of the module's folder.
          for (const file of ["main.tf", "variables.tf", "outputs.tf", "README.md"])
            expect(readFileSync(join(dir, byKey.environment.Dir, file), "utf8")).toBe(
              readFileSync(join(modulesDir(), "environment", file), "utf8"),
            );
          expect(registry.requests).toEqual(
            expect.arrayContaining([
              `GET /v1/modules/${NAMESPACE}/network/aws/versions`,
              `GET /v1/modules/${NAMESPACE}/network/aws/0.2.0/download`,
              `GET /archives/${NAMESPACE}/network/aws/0.2.0.tar.gz`,
            ]),
          );
          expect(registry.requests.some((r) => r.includes("0.1.0"))).toBe(false);
        },
        STEP_MS,
      );

      it(
        "the HCL consumer plans offline",
        async () => {
          hclPlan = await plan(dir);
          expect(new Set((hclPlan.resource_changes ?? []).flatMap((c) => c.change.actions))).toEqual(
            new Set(["create"]),
          );
        },
        STEP_MS,
      );

      it("ipv6 = true makes the network module dual-stack as the Network construct: the VPC's /56, a /64 per subnet, ::/0 routes by tier type, the default NACL's IPv6 rule", () => {
        const planned = modulePlan(hclPlan, "dualstack");
        expect(plannedResources(planned, "aws_vpc").map((r) => r.values.assign_generated_ipv6_cidr_block)).toEqual([
          true,
        ]);
        const subnets = (planned.resource_changes ?? []).filter((c) => c.type === "aws_subnet");
        expect(subnets.length).toBeGreaterThan(0);
        for (const s of subnets) expect((s.change.after_unknown as Record<string, unknown>).ipv6_cidr_block).toBe(true);
        expect(
          subnets
            .filter((s) => (s.change.after as Record<string, unknown>).assign_ipv6_address_on_creation === true)
            .map((s) => s.address)
            .sort(),
        ).toEqual(
          subnets
            .filter((s) => s.address.includes('"internal/'))
            .map((s) => s.address)
            .sort(),
        );
        expect(plannedResources(planned, "aws_egress_only_internet_gateway")).toHaveLength(1);
        const ipv6Routes = plannedResources(planned, "aws_route")
          .filter((r) => r.values.destination_ipv6_cidr_block === "::/0")
          .map((r) => r.address.replace(/^module\.dualstack\./, "").replace(/\[.*$/, ""))
          .sort();
        const tables = new Set(
          (planned.resource_changes ?? []).filter((c) => c.type === "aws_route_table").map((c) => c.address),
        );
        expect(ipv6Routes).toHaveLength(tables.size);
        expect(new Set(ipv6Routes)).toEqual(new Set(["aws_route.egress_only_ipv6", "aws_route.internet_ipv6"]));
        const nacl = plannedResources(planned, "aws_default_network_acl")[0];
        expect(nacl.values.ingress).toContainEqual(expect.objectContaining({ rule_no: 101, ipv6_cidr_block: "::/0" }));
      });

      it(
        "the cdktf stack of the same environment plans offline",
        async () => {
          const [stackPlan] = await planAppShared((app) => addEnvironmentStacks(app, [resolveOne(workshopConfig())]), {
            toolchain: toolchain(),
            mode: "offline",
            stacks: [ws.name],
            timeoutMs: STEP_MS,
          });
          cdktfPlan = stackPlan.plan;
        },
        STEP_MS,
      );

      it("network module = Network construct: resource types and counts, subnet CIDRs, route targets", () => {
        const fromHcl = counts(hclPlan, (address) => address.startsWith("module.network."));
        const fromCdktf = counts(cdktfPlan, (_, name) => name.startsWith("network_"));
        process.stdout.write(
          `network, HCL module: ${JSON.stringify(fromHcl)}\nnetwork, cdktf construct: ${JSON.stringify(fromCdktf)}\n`,
        );
        expect(fromHcl).toEqual(fromCdktf);
        const cdktfSubnets = plannedResources(cdktfPlan, "aws_subnet")
          .map(
            (s) =>
              `${(s.values.tags as Record<string, string>).Tier}/${s.values.availability_zone} ${s.values.cidr_block}`,
          )
          .sort();
        expect(subnetsOf(hclPlan, "network")).toEqual(cdktfSubnets);
        expect(subnetsOf(hclPlan, "network")).toEqual(
          planNetwork(workshopNetwork)
            .plan.subnets.map((s) => `${s.tier}/${s.az} ${s.cidr}`)
            .sort(),
        );
        const outputs = (hclPlan as unknown as { planned_values: { outputs: Record<string, { value: unknown }> } })
          .planned_values.outputs;
        expect(outputs.network_route_targets.value).toEqual(defaultRouteTargets(cdktfPlan));
      });

      it("a tier's tags land on its subnets, and the flat outputs feed the caller's resources", () => {
        const subnets = plannedResources(hclPlan, "aws_subnet").filter((r) => r.address.startsWith("module.tagged."));
        expect(subnets).toHaveLength(6);
        for (const subnet of subnets) {
          const tags = subnet.values.tags as Record<string, string>;
          expect(tags).toEqual({
            Project: "eks",
            ...TIER_TAGS[tags.Tier],
            Name: `eks-${tags.Tier}-${subnet.values.availability_zone}`,
            Tier: tags.Tier,
            SubnetType: TAGGED_TIERS.find((t) => t.name === tags.Tier)?.type,
          });
        }
        // One peering route per private route table: one per AZ of the private tier.
        expect(
          plannedResources(hclPlan, "aws_route").filter((r) => r.address.startsWith("aws_route.to_peer[")),
        ).toHaveLength(2);
        expect(
          plannedResources(hclPlan, "aws_security_group").filter((r) => r.address === "aws_security_group.nodes"),
        ).toHaveLength(1);
        const change = (
          hclPlan as unknown as {
            output_changes: Record<string, { after: Record<string, unknown>; after_unknown: Record<string, unknown> }>;
          }
        ).output_changes.tagged;
        const { plan } = planNetwork(taggedNetwork);
        const cidrs = (type: string) => plan.subnets.filter((s) => s.type === type).map((s) => s.cidr);
        for (const type of ["public", "private", "isolated"]) {
          expect([type, change.after[`${type}_subnets_cidr_blocks`]]).toEqual([type, cidrs(type)]);
          expect([type, change.after_unknown[`${type}_subnets`]]).toEqual([type, cidrs(type).map(() => true)]);
        }
        expect(change.after_unknown).toMatchObject({
          vpc_id: true,
          igw_id: true,
          natgw_ids: [true],
          public_route_table_ids: [true],
          private_route_table_ids: [true, true],
          isolated_route_table_ids: [true],
        });
      });

      it("nat_mode instance: one hardened NAT instance routed to by the private subnets, no NAT gateway", () => {
        const counted = counts(hclPlan, (address) => address.startsWith("module.natinstance."));
        expect([counted.aws_instance, counted.aws_nat_gateway, counted.aws_eip, counted.aws_security_group]).toEqual([
          1,
          undefined,
          1,
          1,
        ]);
        const [nat] = plannedResources(hclPlan, "aws_instance").filter((r) =>
          r.address.startsWith("module.natinstance."),
        );
        expect(nat.values).toMatchObject({
          source_dest_check: false,
          instance_type: "t3.nano",
        });
        const outputs = (hclPlan as unknown as { planned_values: { outputs: Record<string, { value: unknown }> } })
          .planned_values.outputs;
        expect(outputs.natinstance_route_targets.value).toEqual(expectedTargets(natInstanceNetwork));
      });

      it("a secondary block: associated with the VPC, its tier planned in it as planNetwork plans it; flow logs under the KMS key", () => {
        const { plan, problems } = planNetwork(secondaryNetwork);
        expect(problems).toEqual([]);
        expect(subnetsOf(hclPlan, "secondary")).toEqual(plan.subnets.map((s) => `${s.tier}/${s.az} ${s.cidr}`).sort());
        expect(subnetsOf(hclPlan, "secondary").filter((s) => s.startsWith("extra/"))).toEqual([
          "extra/ap-northeast-2a 192.168.12.0/26",
          "extra/ap-northeast-2b 192.168.12.64/26",
        ]);
        const associations = plannedResources(hclPlan, "aws_vpc_ipv4_cidr_block_association").filter((r) =>
          r.address.startsWith("module.secondary."),
        );
        expect(associations.map((r) => [r.address, r.values.cidr_block])).toEqual([
          ['module.secondary.aws_vpc_ipv4_cidr_block_association.this["more"]', "192.168.12.0/24"],
        ]);
        const [group] = plannedResources(hclPlan, "aws_cloudwatch_log_group").filter((r) =>
          r.address.startsWith("module.secondary."),
        );
        expect(group.values.kms_key_id).toBe(FLOW_LOG_KEY);
        const outputs = (hclPlan as unknown as { planned_values: { outputs: Record<string, { value: unknown }> } })
          .planned_values.outputs;
        expect(outputs.secondary_route_targets.value).toEqual(expectedTargets(secondaryNetwork));
      });

      it("environment module = EnvironmentStack: resource types and counts", () => {
        const fromHcl = counts(hclPlan, (address) => address.startsWith("module.environment."));
        const fromCdktf = counts(cdktfPlan, () => true);
        process.stdout.write(
          `environment, HCL module: ${JSON.stringify(fromHcl)}\nenvironment, cdktf stack: ${JSON.stringify(fromCdktf)}\n`,
        );
        expect(fromHcl).toEqual(fromCdktf);
        expect(subnetsOf(hclPlan, "environment")).toEqual(subnetsOf(hclPlan, "network"));
      });

      it("environment module = EnvironmentStack: instance roles, their policies and each instance's profile", () => {
        const inHcl = (address: string) => address.startsWith("module.environment.");
        const of = (plan: PlanJson, type: string, keep: (address: string) => boolean, pick: (v: any) => unknown) =>
          plannedResources(plan, type)
            .filter((r) => keep(r.address))
            .map((r) => JSON.stringify(pick(r.values)))
            .sort();
        const same = (type: string, pick: (v: any) => unknown) => {
          const fromHcl = of(hclPlan, type, inHcl, pick);
          expect(fromHcl.length).toBeGreaterThan(0);
          // Known at plan time on both sides, so the comparison is of values, not of two unknowns.
          for (const row of fromHcl) expect(row).not.toContain("null");
          expect(fromHcl).toEqual(of(cdktfPlan, type, () => true, pick));
        };
        same("aws_iam_role", (v) => [v.name, JSON.parse(v.assume_role_policy)]);
        same("aws_iam_instance_profile", (v) => [v.name, v.role]);
        same("aws_iam_role_policy", (v) => [v.name, JSON.parse(v.policy)]);
        same("aws_instance", (v) => [v.iam_instance_profile, v.ebs_optimized, v.monitoring]);
      });
    });

    // The same environment, its tiers with their own network ACLs, through each door: the HCL environment module and
    // the EnvironmentStack, planned offline, must make the same ACL entries (rule numbers too) and the same door.
    /** The environment with a network ACL on every tier, its door the bastion or the Instance Connect Endpoint. */
    function naclCase(door: string): { config: EnvironmentConfig; inputs: Record<string, unknown> } {
      const instanceConnect = door === "instance-connect";
      const config: EnvironmentConfig = {
        ...workshop,
        name: instanceConnect ? "nacleice" : "naclbastion",
        tiers: workshop.tiers.map((t) => ({ ...t, networkAcl: true })),
        ...(instanceConnect
          ? {
              bastion: undefined,
              access: undefined,
              instanceConnect: {},
              servers: {
                ...workshop.servers!,
                app: {
                  ...workshop.servers!.app!,
                  ingress: [
                    { ports: [8080], from: [{ tier: "public" }], description: "App port from the public tier" },
                  ],
                },
              },
            }
          : {}),
      };
      const inputs = {
        ...networkInputs({ ...config, environment: config.name }),
        tags: config.tags,
        ...(instanceConnect ? { instance_connect: {} } : { admin_cidrs: config.access?.adminCidrs }),
        ssh_public_key: readFileSync(join(__dirname, "..", "keys", "workshop-placeholder.pub"), "utf8").trim(),
        ami: config.ami,
        app: {
          tier: "internal",
          service_from_tiers: ["public"],
          service: { port: 8080, command: "/usr/bin/python3 -m http.server 8080 --directory /opt/app" },
        },
      };
      return { config, inputs };
    }
    /** Each door, as the describe below names it, and as naclCase takes it. */
    const NACL_DOORS = [
      ["the bastion", "bastion"],
      ["the Instance Connect Endpoint", "instance-connect"],
    ];
    let naclHclPlan: Promise<PlanJson> | undefined;
    /** Both doors' HCL consumers in one root module, a module block each (labelled by the environment's name). */
    const naclHclPlanOf = () =>
      (naclHclPlan ??= (async () => {
        const blocks = NACL_DOORS.map(([, door]) => naclCase(door)).map(({ config, inputs }) =>
          moduleBlock(config.name, "environment", inputs),
        );
        return plan(await consumer("nacl", blocks.join("\n")));
      })());

    describe.each(NACL_DOORS)(
      "network ACLs on every tier, the door being %s: HCL module = EnvironmentStack",
      (_, door) => {
        const { config } = naclCase(door);
        const instanceConnect = door === "instance-connect";
        let hclPlan: PlanJson;
        let cdktfPlan: PlanJson;

        it(
          "both plan offline",
          async () => {
            hclPlan = modulePlan(await naclHclPlanOf(), config.name);
            const [stackPlan] = await planAppShared((app) => addEnvironmentStacks(app, [resolveOne(config)]), {
              toolchain: toolchain(),
              mode: "offline",
              stacks: [config.name],
              timeoutMs: STEP_MS,
            });
            cdktfPlan = stackPlan.plan;
          },
          STEP_MS * 2,
        );

        it("each tier's ACL has the constructs' entries, numbered alike, and is associated with the tier's subnets", () => {
          const entries = (planned: PlanJson) =>
            Object.fromEntries(
              plannedResources(planned, "aws_network_acl").map((r) => {
                const rows = (direction: string) =>
                  (r.values[direction] as Array<Record<string, unknown>>)
                    .map((e) =>
                      [e.rule_no, e.protocol, e.cidr_block, e.from_port, e.to_port, e.icmp_type, e.icmp_code].join(" "),
                    )
                    .sort();
                return [(r.values.tags as Record<string, string>).Tier, { in: rows("ingress"), out: rows("egress") }];
              }),
            );
          const fromHcl = entries(hclPlan);
          expect(Object.keys(fromHcl).sort()).toEqual(["internal", "management", "public"]);
          // The internal tier holds the servers: its ACL admits more than path MTU discovery.
          expect(fromHcl.internal.in.length).toBeGreaterThan(3);
          expect(fromHcl).toEqual(entries(cdktfPlan));
          const associations = (planned: PlanJson) => plannedResources(planned, "aws_network_acl_association").length;
          expect(associations(hclPlan)).toBe(5);
          expect(associations(hclPlan)).toBe(associations(cdktfPlan));
        });

        it("the door is the same: the endpoint and its group, or the bastion with its Elastic IP", () => {
          const count = (planned: PlanJson, type: string) => plannedResources(planned, type).length;
          for (const type of ["aws_ec2_instance_connect_endpoint", "aws_instance", "aws_eip", "aws_security_group"])
            expect([type, count(hclPlan, type)]).toEqual([type, count(cdktfPlan, type)]);
          expect(count(hclPlan, "aws_ec2_instance_connect_endpoint")).toBe(instanceConnect ? 1 : 0);
          // The servers' SSH sources (the admins' rule on the bastion is worded differently in the module).
          const sshSources = (planned: PlanJson) =>
            plannedResources(planned, "aws_vpc_security_group_ingress_rule")
              .filter((r) => r.values.from_port === 22 && r.values.cidr_ipv4 === undefined)
              .map((r) => String(r.values.description))
              .sort();
          expect(sshSources(hclPlan)).toEqual(sshSources(cdktfPlan));
          if (instanceConnect) {
            const [endpoint] = plannedResources(hclPlan, "aws_ec2_instance_connect_endpoint");
            expect(endpoint.values.preserve_client_ip).toBe(false);
            expect(
              plannedResources(hclPlan, "aws_instance").every((r) => r.values.associate_public_ip_address !== true),
            ).toBe(true);
          }
        });
      },
    );

    describe("three AZs with a NAT gateway per AZ, reached by adding an AZ to a planned two-AZ network", () => {
      let dir: string;
      let basePlan: PlanJson;
      let controlPlan: PlanJson;
      let grownPlan: PlanJson;
      const write = (props: NetworkProps) =>
        writeFileSync(join(dir, "main.tf"), `${PROVIDER}\n${moduleBlock("network", "network", networkInputs(props))}`);

      it(
        "the two-AZ set plans",
        async () => {
          dir = await consumer("grow", moduleBlock("network", "network", networkInputs(twoAzs)));
          basePlan = await plan(dir);
          expect(subnetsOf(basePlan, "network")).toEqual(
            planNetwork(twoAzs)
              .plan.subnets.map((s) => `${s.tier}/${s.az} ${s.cidr}`)
              .sort(),
          );
        },
        STEP_MS,
      );

      it(
        "a state holding the two-AZ resources (built from that plan, settled) plans no changes for the same inputs",
        async () => {
          const schemas = JSON.parse(await terraform(dir, ["providers", "schema", "-json"])) as ProviderSchemas;
          const version = toolchain().version.replace(/^Terraform v/, "");
          let state = stateFromPlan(basePlan, schemas, version);
          writeFileSync(join(dir, "terraform.tfstate"), JSON.stringify(state));
          // Each pass copies the references that now resolve (a subnet's vpc_id is the VPC's fake id) into the state;
          // one level of the reference graph per pass (VPC -> subnet -> NAT gateway -> route), so a few passes.
          const changed = (p: PlanJson) =>
            (p.resource_changes ?? [])
              .filter((c) => !c.change.actions.every((a) => a === "no-op"))
              .map((c) => `${c.address} ${c.change.actions.join(",")}`);
          let passes = 0;
          let pending = await plan(dir, ["-refresh=false"]);
          while (changed(pending).length > 0 && passes < MAX_SETTLE_PASSES) {
            state = settleState(state, pending);
            writeFileSync(join(dir, "terraform.tfstate"), JSON.stringify(state));
            pending = await plan(dir, ["-refresh=false"]);
            passes++;
          }
          controlPlan = pending;
          process.stdout.write(`synthetic state settled in ${passes} passes\n`);
          expect(changed(controlPlan)).toEqual([]);
        },
        STEP_MS * (MAX_SETTLE_PASSES + 1),
      );

      it(
        "adding the third AZ plans only creates: every new resource is keyed by the new AZ",
        async () => {
          write(threeAzs);
          grownPlan = await plan(dir, ["-refresh=false"]);
          const changes = (grownPlan.resource_changes ?? []).filter(
            (c) => !c.change.actions.every((a) => a === "no-op"),
          );
          expect(new Set(changes.flatMap((c) => c.change.actions))).toEqual(new Set(["create"]));
          expect(changes.map((c) => c.address).filter((a) => !a.includes("ap-northeast-2c"))).toEqual([]);
          process.stdout.write(
            `adding ap-northeast-2c creates ${changes.length}: ${JSON.stringify(counts(grownPlan, (a) => changes.some((c) => c.address === a)))}\n`,
          );
        },
        STEP_MS,
      );

      it("the three-AZ plan has the planner's subnets and a NAT gateway per AZ as route targets", () => {
        expect(subnetsOf(grownPlan, "network")).toEqual(
          planNetwork(threeAzs)
            .plan.subnets.map((s) => `${s.tier}/${s.az} ${s.cidr}`)
            .sort(),
        );
        const outputs = (grownPlan as unknown as { planned_values: { outputs: Record<string, { value: unknown }> } })
          .planned_values.outputs;
        expect(outputs.network_route_targets.value).toEqual(expectedTargets(threeAzs));
        expect(counts(grownPlan, (a) => a.startsWith("module.network."))).toMatchObject({
          aws_nat_gateway: 3,
          aws_eip: 3,
          aws_subnet: 9,
          aws_flow_log: 1,
          aws_vpc_endpoint_route_table_association: 4,
        });
      });
    });
  },
);
