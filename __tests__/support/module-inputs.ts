import { NetworkProps } from "../../modules/network/types";

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
