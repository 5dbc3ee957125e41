import { NetworkProps } from "../../modules/network/types";
import { NetworkFlow } from "../../modules/network/network-acl-plan";

/** `network_acl_flows` for flows of the constructs' `NetworkFlow` shape (each end a tier, with its azs, or a CIDR). */
export function networkAclFlowInputs(flows: readonly NetworkFlow[]): Array<Record<string, unknown>> {
  return flows.map((f) => ({
    from: f.from,
    to: f.to,
    protocol: f.port.protocol,
    from_port: f.port.from,
    to_port: f.port.to,
  }));
}

/** The network module's inputs for a network description (the constructs' props, in the module's names). */
export function networkInputs(props: NetworkProps): Record<string, unknown> {
  return {
    name: props.environment,
    region: props.region,
    azs: props.azs,
    vpc_cidr: props.vpcCidr,
    ...(props.azSlots === undefined ? {} : { az_slots: props.azSlots }),
    ...(props.secondaryCidrBlocks === undefined ? {} : { secondary_cidr_blocks: props.secondaryCidrBlocks }),
    tiers: props.tiers.map((t) => ({
      name: t.name,
      type: t.type,
      ...(t.azs === undefined ? {} : { azs: t.azs }),
      ...(t.cidrMask === undefined ? {} : { cidr_mask: t.cidrMask }),
      ...(t.cidrs === undefined ? {} : { cidrs: t.cidrs }),
      ...(t.block === undefined ? {} : { block: t.block }),
      ...(t.networkAcl === undefined ? {} : { network_acl: t.networkAcl }),
    })),
    ...(props.nat?.mode === undefined ? {} : { nat_mode: props.nat.mode }),
    ...(props.nat?.instance === undefined ? {} : { nat_instance: { ami: props.nat.instance.ami } }),
    ...(props.flowLogs === undefined
      ? {}
      : {
          flow_logs: {
            enabled: props.flowLogs.enabled ?? false,
            ...(props.flowLogs.kmsKeyArn === undefined ? {} : { kms_key_arn: props.flowLogs.kmsKeyArn }),
          },
        }),
    ...(props.s3GatewayEndpoint === undefined ? {} : { s3_gateway_endpoint: props.s3GatewayEndpoint }),
    ...(props.interfaceEndpoints === undefined
      ? {}
      : {
          interface_endpoints: {
            services: props.interfaceEndpoints.services,
            ...(props.interfaceEndpoints.tier === undefined ? {} : { tier: props.interfaceEndpoints.tier }),
          },
        }),
  };
}
