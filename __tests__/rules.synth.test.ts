import { TerraformStack, Testing } from "cdktf";
import { IConstruct } from "constructs";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { Route } from "@cdktf/provider-aws/lib/route";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { EnvironmentConfig } from "../modules/environment/schema";
import { EnvironmentStack } from "../modules/environment/stack";
import { StateBootstrapStack } from "../modules/environment/state-bootstrap-stack";
import { stackValidationFailures } from "../modules/rules/synth";
import { checkSynth } from "../modules/rules/check";
import { environmentRuleOptions, stateStoreExceptions } from "../modules/rules/exceptions";
import { StackJson } from "../modules/rules/synth-view";
import { resolveOne, workshopConfig } from "./support/synth";
import { DOCUMENTED_VARIANTS } from "./support/variants";
import { rawWorkshop } from "./support/config";
import { resolveConfig } from "../modules/environment/load";
import { addAllStacks } from "../modules/environment/app";

/** Builds the environment's stack, lets `tamper` change it (an escape hatch, as a user might), and synthesizes with validations on. */
function synthWithGuardrails(
  config: EnvironmentConfig,
  tamper: (stack: EnvironmentStack) => void = () => undefined,
): string {
  const env = resolveOne(config);
  const stack = new EnvironmentStack(Testing.app(), env.config.name, env);
  tamper(stack);
  return Testing.synth(stack, true);
}

function all<T extends IConstruct>(stack: TerraformStack, type: new (...args: any[]) => T): T[] {
  return stack.node.findAll().filter((c): c is T => c instanceof type);
}

const withConfig = (change: (c: EnvironmentConfig) => void) => {
  const config = workshopConfig();
  change(config);
  return config;
};

const acknowledged = (rule: string, resource?: string) =>
  withConfig(
    (c) => (c.guardrails = { acknowledge: [{ rule, resource, reason: "accepted for this test, on purpose" }] }),
  );

describe("the rules at synth", () => {
  it("the default environment and the state bootstrap stack pass every rule", () => {
    expect(() => synthWithGuardrails(workshopConfig())).not.toThrow();
    const bootstrap = new StateBootstrapStack(Testing.app(), "state-test", {
      bucket: "test-state-bucket",
      region: "ap-northeast-2",
      lockTables: [],
    } as never);
    expect(() => Testing.synth(bootstrap, true)).not.toThrow();
  });

  const tamperings: Array<[string, (s: EnvironmentStack) => void, EnvironmentConfig?]> = [
    [
      "admin-port-open-to-world",
      (s) =>
        all(s, VpcSecurityGroupIngressRule)
          .find((r) => r.node.id.includes("tcp22-from-admin"))!
          .addOverride("cidr_ipv4", "0.0.0.0/0"),
    ],
    ["imdsv2-required", (s) => all(s, Instance)[0].addOverride("metadata_options.http_tokens", "optional")],
    ["volume-encryption", (s) => all(s, Instance)[0].addOverride("root_block_device.encrypted", false)],
    [
      "public-ip-in-private-tier",
      (s) => s.network.subnets.find((n) => n.type === "private")!.resource.addOverride("map_public_ip_on_launch", true),
    ],
    // Once a plan-only policy: now one of the rules, so synthesis catches it too.
    [
      "default-security-group-closed",
      (s) =>
        all(s, DefaultSecurityGroup)[0].addOverride("ingress", [
          { protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["10.0.0.0/8"] },
        ]),
    ],
  ];

  it.each(tamperings)(
    "%s: breaking it fails synthesis, naming the rule and the way to acknowledge it",
    (rule, tamper) => {
      expect(() => synthWithGuardrails(workshopConfig(), tamper)).toThrow(
        new RegExp(`guardrail ${rule}: aws_[a-z_]+\\.\\S+ .*"guardrails": \\{ "acknowledge"`),
      );
    },
  );

  it.each(tamperings)("%s: an acknowledgement in config lets it through", (rule, tamper) => {
    expect(() => synthWithGuardrails(acknowledged(rule), tamper)).not.toThrow();
  });

  it("an acknowledgement limited to another resource does not cover the violation", () => {
    expect(() => synthWithGuardrails(acknowledged("imdsv2-required", "NoSuchResource"), tamperings[1][1])).toThrow(
      /guardrail imdsv2-required/,
    );
  });

  it("nat-cross-az: under per-az, a private route to another AZ's NAT fails; the planner's own routes pass", () => {
    const perAz = () => withConfig((c) => (c.nat = { mode: "per-az" }));
    expect(() => synthWithGuardrails(perAz())).not.toThrow();
    const crossRoute = (s: EnvironmentStack) => {
      const routeInB = all(s, Route).find((r) => r.node.id === "DefaultRoute-internal-ap-northeast-2b")!;
      const natInA =
        all(s, NatGateway).find((n) => n.node.id === "NatGateway-ap-northeast-2a") ?? all(s, NatGateway)[0];
      routeInB.addOverride("nat_gateway_id", natInA.id);
    };
    expect(() => synthWithGuardrails(perAz(), crossRoute)).toThrow(
      /guardrail nat-cross-az: aws_route\.\S+ sends subnet \S+ \(ap-northeast-2b\) through the NAT gateway in ap-northeast-2a/,
    );
    // Under single, every private AZ uses one NAT by design.
    expect(() => synthWithGuardrails(workshopConfig(), crossRoute)).not.toThrow();
  });

  it("remote-state: a stack without a backend fails; an explicit local backend is the opt-in", () => {
    expect(() => synthWithGuardrails(withConfig((c) => delete c.backend))).toThrow(
      /guardrail remote-state: terraform\.backend state is Terraform's local default/,
    );
    expect(() => synthWithGuardrails(withConfig((c) => (c.backend = { type: "local" })))).not.toThrow();
  });

  it("the config's insecure admin-port override counts as the acknowledgement", () => {
    const open = withConfig(
      (c) => (c.access = { adminCidrs: ["0.0.0.0/0"], insecureAllowAdminPortsFromAnywhere: true }),
    );
    expect(() => synthWithGuardrails(open)).not.toThrow();
  });

  it.each(Object.keys(DOCUMENTED_VARIANTS))(
    "documented variant %s: every stack passes every rule at synth",
    (variant) => {
      const env = rawWorkshop();
      DOCUMENTED_VARIANTS[variant](env);
      const stacks = addAllStacks(Testing.app(), resolveConfig({ environments: [env] }), false);
      expect(stackValidationFailures(stacks)).toEqual([]);
    },
  );

  it("the bastion's public IP, flow logs off and basic monitoring are accepted at synth as in plans, and nothing else of the default environment needs an exception", () => {
    const env = resolveOne(workshopConfig());
    const stack = new EnvironmentStack(Testing.app(), env.config.name, env);
    const { findings, accepted } = checkSynth(stack.toTerraform() as StackJson, environmentRuleOptions(env.config));
    expect(findings).toEqual([]);
    expect(accepted.map((f) => `${f.rule} ${f.address.replace(/_[0-9A-F]{8}$/, "")}`).sort()).toEqual([
      "instance-detailed-monitoring aws_instance.AppServers_App-ap-northeast-2a-1_Instance",
      "instance-detailed-monitoring aws_instance.AppServers_App-ap-northeast-2b-1_Instance",
      "instance-detailed-monitoring aws_instance.Bastion_Host_Instance",
      "instance-detailed-monitoring aws_instance.Db_Server_Instance",
      "instance-public-ip aws_instance.Bastion_Host_Instance",
      "vpc-flow-logs aws_vpc.network_Vpc",
    ]);
  });
});

describe("bucket-access-logging at synth on the state bootstrap stack", () => {
  const props = { bucket: "test-state-bucket", region: "ap-northeast-2", lockTables: [] };
  const judge = (accessLogs: boolean) => {
    const stack = new StateBootstrapStack(Testing.app(), "state-test", { ...props, accessLogs } as never);
    return checkSynth(stack.toTerraform() as StackJson, { exceptions: stateStoreExceptions({ ...props, accessLogs }) });
  };

  it("without accessLogs, the state bucket's missing logs are the one accepted finding", () => {
    const { findings, accepted } = judge(false);
    expect(findings).toEqual([]);
    expect(accepted.map((f) => f.rule)).toEqual(["bucket-access-logging"]);
  });

  it("with accessLogs, the state bucket logs into the log bucket and nothing needs an exception", () => {
    expect(judge(true)).toEqual({ findings: [], accepted: [] });
    const stack = new StateBootstrapStack(Testing.app(), "state-test", { ...props, accessLogs: true } as never);
    expect(checkSynth(stack.toTerraform() as StackJson).findings).toEqual([]);
  });
});

describe("stackValidationFailures", () => {
  it("returns one message per failing stack, naming it, and nothing for stacks that pass", () => {
    const app = Testing.app();
    const good = resolveOne(workshopConfig());
    const { backend: _backend, ...bad } = { ...workshopConfig(), name: "nobackend" };
    const badEnv = resolveOne(bad);
    const stacks = [
      new EnvironmentStack(app, good.config.name, good),
      new EnvironmentStack(app, badEnv.config.name, badEnv),
    ];
    const failures = stackValidationFailures(stacks);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/^stack "nobackend": [\s\S]*guardrail remote-state: terraform\.backend /);
    expect(stackValidationFailures(stacks.slice(0, 1))).toEqual([]);
  });

  it("checks the JSON it is given as the stack's synthesized output, when given one", () => {
    const env = resolveOne(workshopConfig());
    const stack = new EnvironmentStack(Testing.app(), env.config.name, env);
    const { terraform: _terraform, ...withoutBackend } = stack.toTerraform() as Record<string, unknown>;
    const failures = stackValidationFailures([stack], () => withoutBackend);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/guardrail remote-state: terraform\.backend /);
    // Only for that call: afterwards the stack's own JSON is checked again.
    expect(stackValidationFailures([stack])).toEqual([]);
  });
});
