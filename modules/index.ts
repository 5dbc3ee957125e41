// The package's public API, listed name by name: the constructs and their props, their planners, the config schema and
// its resolution, the rules. The tools (inventory, diagram, cost, plans, CI, Terraform modules) have their own entry,
// `modules/tools/index.ts`; the engine's internals are exported from neither (tests import them by path). Provider
// classes stay deep imports inside each module; importing this file loads no provider root, changes no process setting
// and reads no environment variable.

// Config: the schema, its resolution into a plan per environment, and the problems bad input gets.
export { environmentSchema } from "./environment/schema";
export type { EnvironmentConfig, EnvironmentInput } from "./environment/schema";
export { loadConfigFile, resolveConfig, validateConfig } from "./environment/load";
export { ConfigError, formatProblem } from "./core/problems";
export type { ConfigProblem } from "./core/problems";
export { resolveEnvironment } from "./environment/resolve";
export type { ResolvedEnvironment, ResolveOptions } from "./environment/resolve";
export type { AppIngress, AppPlan, DbPlan } from "./servers/plan";
export type { InstanceChoice } from "./placement/instance-choice";
export { ingressSourceSchema, SERVER_ROLES } from "./servers/schema";
export type { IngressSource } from "./servers/schema";
export type { BastionPlan, InstanceConnectPlan } from "./bastion/plan";
export { SSM_MODES } from "./instance/ssm-instance-profile";
export type { SsmMode } from "./instance/ssm-instance-profile";

// Network: the tiered VPC and its planner.
export { Network } from "./network/network";
export type { InterfaceEndpointOptions, NetworkSubnet } from "./network/network";
export { NetworkBase } from "./network/network-base";
export { planNetwork } from "./network/plan";
export {
  FLOW_LOG_TRAFFIC_TYPES,
  LOG_RETENTION_DAYS,
  NAT_MODES,
  NETWORK_DEFAULTS,
  SESSION_MANAGER_ENDPOINTS,
  SUBNET_TYPES,
} from "./network/types";
export { EPHEMERAL_PORTS, NETWORK_ACL_RULE_QUOTA, planNetworkAcls } from "./network/network-acl-plan";
export type {
  FlowEnd,
  NetworkAclEntry,
  NetworkAclInput,
  NetworkFlow,
  TierNetworkAcl,
} from "./network/network-acl-plan";
export { securityGroupFlows } from "./placement/network-acl-flows";
export type { GroupPlacement } from "./placement/network-acl-flows";
export type {
  ExistingNetworkAttributes,
  ExistingSubnetAttributes,
  ExistingTierAttributes,
  FlowLogsProps,
  FlowLogTrafficType,
  INetwork,
  INetworkSubnet,
  InterfaceEndpointsProps,
  NatInstanceProps,
  NatMode,
  NatProps,
  NetworkPlan,
  NetworkProps,
  PlannedSubnet,
  SecondaryCidrBlockProps,
  SubnetTierProps,
  SubnetType,
} from "./network/types";

// Security: role security groups, connections between constructs, ports and peers.
export { Connections } from "./security/connections";
export type { IConnectable } from "./security/connections";
export { Peer, RoleSecurityGroup } from "./security/security-group";
export type {
  CidrPeer,
  CidrPeerOptions,
  PrefixListPeer,
  RoleSecurityGroupProps,
  RoleSecurityGroupRule,
  SecurityGroupIdPeer,
} from "./security/security-group";
export { ADMIN_PORTS, Port } from "./core/port";
export type { PortRange } from "./core/port";

// Access: the admins' key pair and the bastion.
export { AdminKeyPair } from "./keypair/key-pair";
export type { AdminKeyPairProps } from "./keypair/key-pair";
export { loadPublicKey, parsePublicKey } from "./keypair/public-key";
export type { PublicKeyInfo } from "./keypair/public-key";
export { keyPairConfigFields } from "./keypair/schema";
export type { PublicKeySource } from "./keypair/schema";
export { Bastion } from "./bastion/bastion";
export type { BastionProps } from "./bastion/bastion";
export { InstanceConnectDoor } from "./bastion/instance-connect";
export type { InstanceConnectDoorProps } from "./bastion/instance-connect";
export { identityFileFor, renderInstanceConnectConfig, renderSshConfig, renderSsmCommands } from "./bastion/ssh-config";
export type { InstanceConnectConfigInput, InstanceConnectHost, SshConfigInput, SshHost } from "./bastion/ssh-config";

// Servers: app servers under systemd, the DB server, the hardened instance they share.
export { AppServers, DbServer } from "./servers/servers";
export { Rehardening } from "./instance/rehardening";
export type { RehardeningProps } from "./instance/rehardening";
export type { AppServersProps, DbServerProps, Server, ServerSettings } from "./servers/servers";
export { HardenedInstance } from "./instance/hardened-instance";
export { DataVolume } from "./servers/data-volume";
export type { DataVolumeOptions, DataVolumeProps } from "./servers/data-volume";
export { DATA_VOLUME_DEFAULTS } from "./servers/schema";
export type { HardenedInstanceProps } from "./instance/hardened-instance";
export { SsmInstanceProfile } from "./instance/ssm-instance-profile";
export type { SsmInstanceProfileProps } from "./instance/ssm-instance-profile";
export { COMPUTE_DEFAULTS } from "./servers/schema";
export { HARDENING_DEFAULTS } from "./instance/user-data";
export type { HardeningOptions, HardeningProps, PackageNames, ServiceSpec } from "./instance/user-data";
export { InstanceRole } from "./instance/instance-role";
export type { InstanceRoleProps } from "./instance/instance-role";
export { defaultDbCredentials, dbPasswordParameterName } from "./servers/db-credentials";
export type { DbCredentials } from "./servers/db-credentials";
export { resolveAmiId } from "./instance/ami";
export type { AmiSource } from "./instance/ami";

// State: backends and the bootstrap stack that creates the state bucket.
export { applyStateBackend } from "./state/backend";
export { StateStore } from "./state/store";
export { StateBootstrapStack } from "./environment/state-bootstrap-stack";
export type { StateBootstrapStackProps } from "./environment/state-bootstrap-stack";
export { StateAccessLogs } from "./state/access-logs";
export type { StateAccessLogsProps } from "./state/access-logs";
export { STATE_DEFAULTS } from "./state/types";
export { stateConfigFields } from "./state/schema";
export type { StateBackendConfig } from "./state/schema";
export type {
  CloudStateBackendProps,
  LocalStateBackendProps,
  S3StateBackendProps,
  StateBackendProps,
  StateOwner,
  StateStoreProps,
} from "./state/types";

// Load balancer: the internet-facing ALB in front of the app servers, and its access-log bucket.
export { LoadBalancer } from "./loadbalancer/load-balancer";
export type { LoadBalancerProps, LoadBalancerTarget } from "./loadbalancer/load-balancer";
export { AccessLogBucket } from "./loadbalancer/access-log-bucket";
export type { AccessLogBucketProps } from "./loadbalancer/access-log-bucket";
export {
  accessLogBucketPolicy,
  ELB_LOG_ACCOUNTS,
  ELB_LOG_DELIVERY_SERVICE,
  logDeliveryPrincipal,
} from "./loadbalancer/log-delivery";
export { healthCheckSchema, LOAD_BALANCER_DEFAULTS, loadBalancerConfigFields } from "./loadbalancer/schema";
export type { HealthCheck, HealthCheckOptions, LoadBalancerConfig } from "./loadbalancer/schema";
export { planLoadBalancer } from "./loadbalancer/plan";
export type { LoadBalancerInput, LoadBalancerIpAddressType, LoadBalancerPlan } from "./loadbalancer/plan";
export type { TierLayout } from "./placement/placement";

// Environments: the composed stack and the functions that add every stack of a config to an app.
export { EnvironmentStack } from "./environment/stack";
export { addAllStacks, addEnvironmentStacks, addStateBootstrapStacks } from "./environment/app";

// Rules: one list over one resource view, checked at synth (applyRules) and on plans (checkPlan).
export { RULES } from "./rules/rules";
export { applyRules } from "./rules/synth";
export { checkPlan, checkSynth } from "./rules/check";
export type { CheckOptions } from "./rules/check";
export { formatFinding } from "./rules/engine";
export type { EvaluateOptions, Finding, Rule, RuleContext, RuleException, RuleResult, Violation } from "./rules/engine";
export { environmentRuleOptions, loadBalancerExceptions, stateStoreExceptions } from "./rules/exceptions";
export type { MonitoredBlock, RuleSubject } from "./rules/exceptions";
export { guardrailConfigFields } from "./rules/schema";
export type { GuardrailAcknowledgement } from "./rules/schema";
export type { StackJson } from "./rules/synth-view";
export type { ChangeView, ResourceView, RuleInput, StackView } from "./rules/view";
export type {
  ConfigExpression,
  ConfigResource,
  PlanJson,
  PlannedModule,
  PlannedResource,
  ResourceChange,
} from "./rules/plan-json";
