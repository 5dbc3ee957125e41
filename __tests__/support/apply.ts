import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { resolveConfig } from "../../modules/environment/load";
import { addAllStacks } from "../../modules/environment/app";
import { offlineEnvironment, TerraformToolchain } from "../../modules/tools/pipeline/terraform";
import { CommandRun, findMotoServer, Moto, runCommand } from "./moto";
import { describeNeeding } from "./terraform";
import { recordStackTiming } from "./stack-timings";
import { PLACEHOLDER_ARNS } from "./deploy-groups";

/**
 * Apply tests: a synthesized stack (or an HCL root module) is applied to moto, planned again — which must show no
 * change — and destroyed, which must leave an empty state. Test settings live in override files dropped beside the
 * stack (`*_override.tf.json`); nothing of the product changes.
 */

/** Synthesizes the app's stacks for one raw environment (as in the config file) into `outdir`: each stack's dir. */
export function synthApp(outdir: string, env: Record<string, unknown>): Record<string, string> {
  const app = new App({ outdir, skipValidation: true });
  addAllStacks(app, resolveConfig({ environments: [env] }), false);
  app.synth();
  const stacks = join(outdir, "stacks");
  return Object.fromEntries(readdirSync(stacks).map((name) => [name, join(stacks, name)]));
}

/** A synthesized stack's Terraform JSON. */
export const stackJson = (dir: string): unknown => JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));

/** `describe` for apply tests: needs terraform with the provider mirror, and moto (skip locally, fail in CI). */
export function describeWithMoto(
  name: string,
  body: (toolchain: () => TerraformToolchain, motoServer: () => string) => void,
): void {
  const moto = findMotoServer();
  describeNeeding(name, moto.missing, (toolchain) => body(toolchain, () => moto.command as string));
}

/** Terraform JSON as far as the harness reads it. */
interface TerraformJson {
  provider?: Record<string, Array<{ alias?: string; region?: string }>>;
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
}

/** What a stack needs moto to know: the AMI ids it names and the AWS managed policies it attaches. */
export function seedOf(json: unknown): { amis: string[]; managedPolicyArns: string[] } {
  const text = JSON.stringify(json);
  const unique = (pattern: RegExp) => [...new Set(text.match(pattern) ?? [])].sort();
  return {
    amis: unique(/ami-[0-9a-f]{8,17}\b/g),
    managedPolicyArns: unique(/arn:aws:iam::aws:policy\/[A-Za-z0-9+=,.@_/-]+/g),
  };
}

/**
 * Provider settings for moto: every provider block of the stack (aliases too). The endpoints are the workspace's
 * `AWS_ENDPOINT_URL` (every service at moto), as docs/deploying.md has a user do.
 */
export function providerOnMoto(json: TerraformJson): object {
  const blocks = json.provider?.aws ?? [{}];
  return {
    provider: {
      aws: blocks.map((block) => ({
        ...(block.alias === undefined ? {} : { alias: block.alias }),
        access_key: "moto",
        secret_key: "moto",
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        s3_use_path_style: true,
      })),
    },
  };
}

/** Override that keeps the named resources out of the deployment (moto does not implement them): count = 0. */
export function withoutResources(json: TerraformJson, type: string): object | undefined {
  const ids = Object.keys(json.resource?.[type] ?? {});
  if (ids.length === 0) return undefined;
  // An output that names one of them would no longer resolve: it says what was left out instead.
  const outputs = Object.entries(json.output ?? {}).filter(([, output]) =>
    JSON.stringify(output).includes(`\${${type}.`),
  );
  return {
    resource: { [type]: Object.fromEntries(ids.map((id) => [id, { count: 0 }])) },
    ...(outputs.length === 0
      ? {}
      : { output: Object.fromEntries(outputs.map(([name]) => [name, { value: `left out on moto: ${type}` }])) }),
  };
}

/**
 * Override that keeps terraform from reading moto's answer for a prefix-list rule's description as drift: moto stores
 * a rule's description with a CIDR range or a referenced group only (patches.py #2 covers the group), so a rule to a
 * prefix list (S3's, through the gateway endpoint) reads back without one, which AWS keeps. Undefined when none.
 */
export function prefixListRuleDescriptions(json: TerraformJson): object | undefined {
  const resource: Record<string, Record<string, object>> = {};
  for (const type of ["aws_vpc_security_group_egress_rule", "aws_vpc_security_group_ingress_rule"])
    for (const [id, rule] of Object.entries(json.resource?.[type] ?? {}))
      if (rule.prefix_list_id !== undefined)
        (resource[type] ??= {})[id] = { lifecycle: { ignore_changes: ["description"] } };
  return Object.keys(resource).length === 0 ? undefined : { resource };
}

/**
 * Override that gives every resource attribute whose value is one of `values`' keys the value it maps to (e.g. a
 * placeholder ARN in a committed fixture → the ARN moto issued); undefined when no attribute has one.
 */
export function valuesOverride(json: TerraformJson, values: Readonly<Record<string, string>>): object | undefined {
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [type, byId] of Object.entries(json.resource ?? {}))
    for (const [id, attributes] of Object.entries(byId))
      for (const [name, value] of Object.entries(attributes))
        if (typeof value === "string" && values[value] !== undefined)
          ((resource[type] ??= {})[id] ??= {})[name] = values[value];
  return Object.keys(resource).length === 0 ? undefined : { resource };
}

/** A resource that the plan after apply would still change, with the attributes that differ. */
export interface Drift {
  readonly address: string;
  readonly actions: readonly string[];
  readonly attributes: readonly string[];
}

interface PlanChange {
  address: string;
  change: { actions: string[]; before: unknown; after: unknown; after_unknown?: unknown; replace_paths?: unknown[][] };
}

/**
 * Each resource the plan changes, with every known attribute that differs (marked where it forces replacement);
 * values only known after apply are counted, not listed: they follow from the change, they do not cause it.
 */
export function driftOf(plan: {
  resource_changes?: PlanChange[];
  output_changes?: Record<string, PlanChange["change"]>;
}): Drift[] {
  const drifts: Drift[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.change.actions.every((a) => a === "no-op" || a === "read")) continue;
    const forcing = new Set((rc.change.replace_paths ?? []).map((p) => p.join(".")));
    const all = differences(rc.change.before, rc.change.after, rc.change.after_unknown, "");
    const known = all.filter((d) => !d.unknown || forcing.has(d.path));
    const attributes = known.map((d) => `${d.text}${forcing.has(d.path) ? " (forces replacement)" : ""}`);
    const unknown = all.length - known.length;
    if (unknown > 0) attributes.push(`(${unknown} more known only after apply)`);
    drifts.push({ address: rc.address, actions: rc.change.actions, attributes });
  }
  for (const [name, change] of Object.entries(plan.output_changes ?? {})) {
    if (change.actions.every((a) => a === "no-op")) continue;
    drifts.push({ address: `output.${name}`, actions: change.actions, attributes: [] });
  }
  return drifts;
}

interface Difference {
  path: string;
  text: string;
  unknown: boolean;
}

function differences(before: unknown, after: unknown, unknown: unknown, path: string): Difference[] {
  if (unknown === true)
    return [{ path, text: `${path || "(all)"}: ${JSON.stringify(before)} -> (known after apply)`, unknown: true }];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    if (isObject(unknown)) for (const k of Object.keys(unknown)) keys.add(k);
    return [...keys].flatMap((key) =>
      differences(before[key], after[key], isObject(unknown) ? unknown[key] : undefined, path ? `${path}.${key}` : key),
    );
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, text: `${path}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`, unknown: false }];
}

/** Seconds each step of a deploy cycle took. */
export interface CycleTimes {
  apply: number;
  plan: number;
  destroy: number;
}

/**
 * One place (a temp dir) where stacks are applied to one moto server: a private HOME with the CLI config (providers
 * from the mirror only), and the moto process. `close()` stops moto and removes the dir.
 */
export class ApplyWorkspace {
  private constructor(
    readonly root: string,
    readonly moto: Moto,
    readonly terraformEnv: NodeJS.ProcessEnv,
    private readonly toolchain: TerraformToolchain,
    /** Each placeholder ARN (`PLACEHOLDER_ARNS`) → the ARN of what moto issued for it. */
    readonly placeholders: Readonly<Record<string, string>>,
  ) {}

  /** Starts moto knowing what `stacks` (their Terraform JSON) need. */
  static async open(
    label: string,
    toolchain: TerraformToolchain,
    motoServer: string,
    seedFrom: readonly unknown[],
    extraAmis: readonly string[] = [],
  ): Promise<ApplyWorkspace> {
    const root = mkdtempSync(join(tmpdir(), `apply-${label}-`));
    try {
      const offline = offlineEnvironment(join(root, "home"), toolchain.pluginMirror, process.env);
      const seeds = seedFrom.map(seedOf);
      const seed = {
        amis: [...new Set([...seeds.flatMap((s) => s.amis), ...extraAmis])],
        managedPolicyArns: [...new Set(seeds.flatMap((s) => s.managedPolicyArns))],
      };
      mkdirSync(join(root, "moto"));
      const moto = await Moto.start(motoServer, join(root, "moto"), seed, {
        ...offline,
        AWS_ENDPOINT_URL: undefined,
        HOME: process.env.HOME,
      });
      try {
        const terraformEnv = { ...offline, AWS_ENDPOINT_URL: moto.endpoint };
        return new ApplyWorkspace(root, moto, terraformEnv, toolchain, await issuePlaceholders(moto));
      } catch (error) {
        await moto.stop();
        throw error;
      }
    } catch (error) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Opens a workspace for a raw environment (as in the config file): moto knows what its stacks need, and what the
   * Terraform JSON in `more` needs (e.g. a release's stacks), the AMIs of public SSM parameters they read included.
   */
  static async forEnvironment(
    label: string,
    toolchain: TerraformToolchain,
    motoServer: string,
    env: Record<string, unknown>,
    more: readonly unknown[] = [],
  ): Promise<ApplyWorkspace> {
    const probe = mkdtempSync(join(tmpdir(), `apply-probe-${label}-`));
    const stacks = Object.values(synthApp(probe, env)).map(stackJson);
    rmSync(probe, { recursive: true, force: true });
    const region = String(env.region);
    const parameters = [...new Set(JSON.stringify(env).match(/\/aws\/service\/[A-Za-z0-9_.\-/]+/g) ?? [])];
    const amis = await Promise.all(
      parameters.map((name) => Moto.publicParameterValue(motoServer, region, name, process.env)),
    );
    return ApplyWorkspace.open(label, toolchain, motoServer, [...stacks, ...more], amis);
  }

  /** Runs terraform in `dir`, inside moto's namespace. */
  terraform(dir: string, ...args: string[]): Promise<CommandRun> {
    return runCommand(this.moto.namespace, this.toolchain.binary, [...args, "-no-color"], {
      cwd: dir,
      env: this.terraformEnv,
    });
  }

  /** Runs terraform and fails with its output unless it exits 0. */
  async mustRun(dir: string, ...args: string[]): Promise<CommandRun> {
    const run = await this.terraform(dir, ...args);
    if (run.code !== 0)
      throw new Error(
        `terraform ${args.join(" ")} in ${dir} exited ${run.code}:\n${run.stderr}\n${run.stdout.slice(-3000)}`,
      );
    return run;
  }

  /**
   * Makes a stack dir (a cdktf stack's `cdk.tf.json`, or an HCL root module with one default `aws` provider)
   * deployable on moto: provider at moto, local state, the resources moto does not implement left out by name,
   * the placeholder ARNs replaced by what moto issued, and `extra` overrides of the test's own.
   */
  prepareStack(dir: string, extra: Record<string, object> = {}): void {
    const synthesized = join(dir, "cdk.tf.json");
    const json = (existsSync(synthesized) ? JSON.parse(readFileSync(synthesized, "utf8")) : {}) as TerraformJson;
    const overrides: Record<string, object | undefined> = {
      provider_override: providerOnMoto(json),
      backend_override: { terraform: { backend: { local: { path: "terraform.tfstate" } } } },
      // moto: CreateAssociation answers "not implemented".
      moto_ssm_association_override: withoutResources(json, "aws_ssm_association"),
      // moto: no CreateInstanceConnectEndpoint (not in its EC2 models); its security group and rules still apply.
      moto_instance_connect_override: withoutResources(json, "aws_ec2_instance_connect_endpoint"),
      moto_prefix_list_rules_override: prefixListRuleDescriptions(json),
      moto_values_override: valuesOverride(json, this.placeholders),
      ...extra,
    };
    for (const [name, content] of Object.entries(overrides))
      if (content !== undefined) writeFileSync(join(dir, `${name}.tf.json`), JSON.stringify(content, null, 2));
  }

  /**
   * init, apply, a plan that must change nothing, `then` (e.g. a change applied on top of the deployment), destroy,
   * and an empty state; the time of each step but `then`.
   */
  async deployCycle(dir: string, label: string, then: () => Promise<void> = async () => {}): Promise<CycleTimes> {
    await this.mustRun(dir, "init", "-input=false");
    const times = { apply: 0, plan: 0, destroy: 0 };
    times.apply = await timed(() => this.mustRun(dir, "apply", "-input=false", "-auto-approve"));
    times.plan = await timed(() => this.expectNoChanges(dir));
    await then();
    times.destroy = await timed(() => this.destroy(dir));
    recordTimes(label, times);
    return times;
  }

  /** A plan of `dir` against its state must change nothing; else fails naming every drifting attribute. */
  async expectNoChanges(dir: string): Promise<void> {
    const plan = await this.terraform(dir, "plan", "-input=false", "-detailed-exitcode", "-out=replan.tfplan");
    if (plan.code === 0) return;
    if (plan.code !== 2) throw new Error(`plan after apply failed (${plan.code}):\n${plan.stderr}`);
    const show = await this.mustRun(dir, "show", "-json", "replan.tfplan");
    const drifts = driftOf(JSON.parse(show.stdout));
    throw new Error(
      `the plan after apply is not empty (${dir}):\n` +
        drifts
          .map((d) => `  ${d.address} [${d.actions.join("/")}]\n${d.attributes.map((a) => `      ${a}`).join("\n")}`)
          .join("\n"),
    );
  }

  /**
   * destroy, then the state must be empty. Resources the stack keeps from `destroy` (`prevent_destroy`: the DB's data
   * volume, the state bucket) must first make it refuse; then a test-only override lifts it, as an operator would in
   * code or config. Called after a plan that read every resource back: neither destroy reads them again (a refresh is
   * a third of a destroy's CPU and adds nothing a destroy proves).
   */
  async destroy(dir: string): Promise<void> {
    const kept = protectedResources(dir);
    const destroy = ["destroy", "-input=false", "-auto-approve", "-refresh=false"];
    if (Object.keys(kept).length > 0) {
      const refused = await this.terraform(dir, ...destroy);
      if (refused.code === 0 || !refused.stderr.includes("lifecycle.prevent_destroy"))
        throw new Error(`destroy of ${dir} was not refused by prevent_destroy (${refused.code}):\n${refused.stderr}`);
      const lifted = Object.fromEntries(
        Object.entries(kept).map(([type, ids]) => [
          type,
          Object.fromEntries(ids.map((id) => [id, { lifecycle: { prevent_destroy: false } }])),
        ]),
      );
      writeFileSync(join(dir, "lift_prevent_destroy_override.tf.json"), JSON.stringify({ resource: lifted }, null, 2));
    }
    await this.mustRun(dir, ...destroy);
    const left = (await this.mustRun(dir, "state", "list")).stdout.trim();
    if (left !== "") throw new Error(`destroy left resources in the state of ${dir}:\n${left}`);
  }

  async close(): Promise<void> {
    await this.moto.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The resources of a cdktf stack dir that `prevent_destroy` keeps, by type (none for an HCL root module). */
function protectedResources(dir: string): Record<string, string[]> {
  const synthesized = join(dir, "cdk.tf.json");
  if (!existsSync(synthesized)) return {};
  const json = JSON.parse(readFileSync(synthesized, "utf8")) as TerraformJson;
  const kept: Record<string, string[]> = {};
  for (const [type, byId] of Object.entries(json.resource ?? {}))
    for (const [id, resource] of Object.entries(byId))
      if ((resource.lifecycle as { prevent_destroy?: boolean } | undefined)?.prevent_destroy === true)
        (kept[type] ??= []).push(id);
  return kept;
}

/** Makes in moto what the placeholder ARNs stand for: a KMS key and an ACM certificate (moto picks their ids). */
async function issuePlaceholders(moto: Moto): Promise<Record<string, string>> {
  const region = PLACEHOLDER_ARNS.certificate.split(":")[3];
  const key = await moto.call(region, "kms", "create_key", { Description: "apply test: flow logs" });
  const certificate = await moto.call(region, "acm", "request_certificate", { DomainName: "app.example.test" });
  return {
    [PLACEHOLDER_ARNS.flowLogKey]: key.KeyMetadata.Arn,
    [PLACEHOLDER_ARNS.certificate]: certificate.CertificateArn,
  };
}

async function timed(step: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await step();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Hands a cycle's step times to `npm run bench` (support/stack-timings.ts). */
function recordTimes(label: string, times: CycleTimes): void {
  for (const [step, seconds] of Object.entries(times)) recordStackTiming(label, step, Math.round(seconds * 1000));
}
