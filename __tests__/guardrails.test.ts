import { TerraformStack, Testing } from "cdktf";
import { IConstruct } from "constructs";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { Route } from "@cdktf/provider-aws/lib/route";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { EnvironmentConfig } from "../modules/config/environment";
import { EnvironmentStack } from "../modules/environment/stack";
import { StateBootstrapStack } from "../modules/state/bootstrap";
import { evaluateGuardrails, formatViolation } from "../modules/guardrails/guardrails";
import { GUARDRAIL_RULES, StackJson } from "../modules/guardrails/rules";
import { problemsAfter } from "./support/config";
import { resolveOne, workshopConfig } from "./support/synth";

/** Builds the environment's stack, lets `tamper` change it (an escape hatch, as a user might), and synthesizes with validations on. */
function synthWithGuardrails(config: EnvironmentConfig, tamper: (stack: EnvironmentStack) => void = () => undefined): string {
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
  withConfig((c) => (c.guardrails = { acknowledge: [{ rule, resource, reason: "accepted for this test, on purpose" }] }));

describe("guardrails at synth", () => {
  it("the default environment and the state bootstrap stack pass every guardrail", () => {
    expect(() => synthWithGuardrails(workshopConfig())).not.toThrow();
    const bootstrap = new StateBootstrapStack(Testing.app(), "state-test", { bucket: "test-state-bucket", region: "ap-northeast-2", lockTables: [] } as never);
    expect(() => Testing.synth(bootstrap, true)).not.toThrow();
  });

  const tamperings: Array<[string, (s: EnvironmentStack) => void, EnvironmentConfig?]> = [
    [
      "admin-port-open-to-world",
      (s) => all(s, VpcSecurityGroupIngressRule).find((r) => r.node.id.includes("tcp22-from-admin"))!.addOverride("cidr_ipv4", "0.0.0.0/0"),
    ],
    ["imdsv2-required", (s) => all(s, Instance)[0].addOverride("metadata_options.http_tokens", "optional")],
    ["volume-encryption", (s) => all(s, Instance)[0].addOverride("root_block_device.encrypted", false)],
    ["public-ip-in-private-tier", (s) => s.servers[0].instance.instance.addOverride("associate_public_ip_address", true)],
  ];

  it.each(tamperings)("%s: breaking it fails synthesis, naming the rule and the way to acknowledge it", (rule, tamper) => {
    expect(() => synthWithGuardrails(workshopConfig(), tamper)).toThrow(new RegExp(`guardrail ${rule}: aws_[a-z_]+\\.\\S+ .*"guardrails": \\{ "acknowledge"`));
  });

  it.each(tamperings)("%s: an acknowledgement in config lets it through", (rule, tamper) => {
    expect(() => synthWithGuardrails(acknowledged(rule), tamper)).not.toThrow();
  });

  it("an acknowledgement limited to another resource does not cover the violation", () => {
    expect(() => synthWithGuardrails(acknowledged("imdsv2-required", "NoSuchResource"), tamperings[1][1])).toThrow(/guardrail imdsv2-required/);
  });

  it("nat-cross-az: under per-az, a private route to another AZ's NAT fails; the planner's own routes pass", () => {
    const perAz = () => withConfig((c) => (c.nat = { mode: "per-az" }));
    expect(() => synthWithGuardrails(perAz())).not.toThrow();
    const crossRoute = (s: EnvironmentStack) => {
      const routeInB = all(s, Route).find((r) => r.node.id === "DefaultRoute-internal-ap-northeast-2b")!;
      const natInA = all(s, NatGateway).find((n) => n.node.id === "NatGateway-ap-northeast-2a") ?? all(s, NatGateway)[0];
      routeInB.addOverride("nat_gateway_id", natInA.id);
    };
    expect(() => synthWithGuardrails(perAz(), crossRoute)).toThrow(/guardrail nat-cross-az: aws_route\.\S+ sends subnet \S+ \(ap-northeast-2b\) through the NAT gateway in ap-northeast-2a/);
    // Under single, every private AZ uses one NAT by design.
    expect(() => synthWithGuardrails(workshopConfig(), crossRoute)).not.toThrow();
  });

  it("remote-state: a stack without a backend fails; an explicit local backend is the opt-in", () => {
    expect(() => synthWithGuardrails(withConfig((c) => delete c.backend))).toThrow(/guardrail remote-state: terraform\.backend state is Terraform's local default/);
    expect(() => synthWithGuardrails(withConfig((c) => (c.backend = { type: "local" })))).not.toThrow();
  });

  it("the config's insecure admin-port override counts as the acknowledgement", () => {
    const open = withConfig((c) => (c.access = { adminCidrs: ["0.0.0.0/0"], insecureAllowAdminPortsFromAnywhere: true }));
    expect(() => synthWithGuardrails(open)).not.toThrow();
  });
});

describe("guardrail rules on hand-made stack JSON", () => {
  const check = (json: StackJson, natMode?: string) => evaluateGuardrails(json, { natMode, localStateOptIn: true }).map((v) => v.rule);
  const subnet = (type: string, az = "eu-west-1a") => ({ availability_zone: az, tags: { SubnetType: type } });

  it("every rule has a distinct id and a description", () => {
    expect(new Set(GUARDRAIL_RULES.map((r) => r.id)).size).toBe(GUARDRAIL_RULES.length);
    expect(GUARDRAIL_RULES.every((r) => r.description.length > 20)).toBe(true);
  });

  it("admin ports: any protocol or a port range that covers one, from IPv4 or IPv6 anywhere, inline or standalone", () => {
    const rule = (values: Record<string, unknown>) => check({ resource: { aws_vpc_security_group_ingress_rule: { r: values } } });
    expect(rule({ cidr_ipv4: "0.0.0.0/0", ip_protocol: "-1" })).toEqual(["admin-port-open-to-world"]);
    expect(rule({ cidr_ipv6: "::/0", ip_protocol: "tcp", from_port: 3000, to_port: 4000 })).toEqual(["admin-port-open-to-world"]);
    expect(rule({ cidr_ipv4: "0.0.0.0/0", ip_protocol: "tcp", from_port: 443, to_port: 443 })).toEqual([]);
    expect(rule({ cidr_ipv4: "203.0.113.10/32", ip_protocol: "tcp", from_port: 22, to_port: 22 })).toEqual([]);
    const inline = { aws_security_group: { g: { ingress: [{ cidr_blocks: ["0.0.0.0/0"], protocol: "tcp", from_port: 22, to_port: 22 }] } } };
    expect(check({ resource: inline })).toEqual(["admin-port-open-to-world"]);
  });

  it("IMDSv2 and encryption: missing settings fail, required and encrypted pass", () => {
    const good = { metadata_options: { http_tokens: "required" }, root_block_device: { encrypted: true } };
    expect(check({ resource: { aws_instance: { i: good } } })).toEqual([]);
    expect(check({ resource: { aws_instance: { i: {} } } })).toEqual(["imdsv2-required", "volume-encryption"]);
    expect(check({ resource: { aws_instance: { i: { ...good, ebs_block_device: [{ encrypted: false }] } } } })).toEqual(["volume-encryption"]);
    expect(check({ resource: { aws_ebs_volume: { v: { encrypted: false } } } })).toEqual(["volume-encryption"]);
  });

  it("public IPs: auto-assign in an isolated subnet, or an EIP on an instance in a private one; the public tier may", () => {
    const instance = (subnetId: string) => ({ subnet_id: `\${aws_subnet.${subnetId}.id}`, metadata_options: { http_tokens: "required" }, root_block_device: { encrypted: true } });
    const json = {
      resource: {
        aws_subnet: { pub: subnet("public"), priv: subnet("private"), iso: { ...subnet("isolated"), map_public_ip_on_launch: true } },
        aws_instance: { bastion: instance("pub"), app: instance("priv") },
        aws_eip: { ok: { instance: "${aws_instance.bastion.id}" }, bad: { instance: "${aws_instance.app.id}" } },
      },
    };
    const violations = evaluateGuardrails(json, { localStateOptIn: true });
    expect(violations.map((v) => v.resource).sort()).toEqual(["aws_eip.bad", "aws_subnet.iso"]);
    expect(formatViolation(violations[0])).toMatch(/^guardrail public-ip-in-private-tier: aws_subnet\.iso isolated subnet iso assigns public IPs on launch\. Fix it, or acknowledge/);
  });

  it("remote state: an S3 or cloud backend passes, a local one fails without the opt-in", () => {
    const state = (backend: Record<string, unknown> | undefined) => evaluateGuardrails({ terraform: { backend } }, {}).map((v) => v.rule);
    expect(state({ s3: { bucket: "b" } })).toEqual([]);
    expect(state({ cloud: { organization: "o" } })).toEqual([]);
    expect(state({ local: { path: "x" } })).toEqual(["remote-state"]);
    expect(state(undefined)).toEqual(["remote-state"]);
  });
});

describe("guardrail acknowledgements in config", () => {
  const W = 'environment "workshop": ';
  it.each<[string, unknown, string[]]>([
    ["unknown rule", { rule: "no-such-rule", reason: "because we said so" }, [
      `${W}guardrails.acknowledge[0].rule = "no-such-rule": expected one of the guardrail ids: ${GUARDRAIL_RULES.map((r) => r.id).join(", ")}`,
    ]],
    ["empty reason", { rule: "remote-state", reason: " " }, [`${W}guardrails.acknowledge[0].reason = " ": expected a reason of at least 10 characters saying why the exception is safe`]],
    ["missing reason", { rule: "remote-state" }, [`${W}guardrails.acknowledge[0].reason = (missing): expected a string: this field is required`]],
    ["valid", { rule: "remote-state", resource: "terraform.backend", reason: "a throwaway sandbox account" }, []],
  ])("%s", (_title, ack, expected) => {
    expect(problemsAfter((e) => (e.guardrails = { acknowledge: [ack] }))).toEqual(expected);
  });
});
