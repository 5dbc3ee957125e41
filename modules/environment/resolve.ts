import { EnvironmentConfig } from "./schema";
import { ConfigProblem } from "../core/problems";
import { planNetwork } from "../network/plan";
import { NetworkPlan } from "../network/types";
import { checkAccess } from "../security/policy";
import { loadPublicKey, PublicKeyInfo } from "../keypair/public-key";
import { identityFileFor } from "../bastion/ssh-config";
import { BastionPlan, InstanceConnectPlan, planBastion, planInstanceConnect } from "../bastion/plan";
import { SESSION_MANAGER_ENDPOINTS } from "../network/types";
import { AppPlan, DbPlan, planServers } from "../servers/plan";
import { InstanceContext } from "../placement/instance-choice";
import { checkBackend } from "../state/plan";
import { checkAcknowledgements } from "../rules/schema";
import { ingressBehindLoadBalancer, LoadBalancerPlan, planLoadBalancer } from "../loadbalancer/plan";
import { checkTags } from "../core/tags";

/**
 * One environment, resolved: its config with every default applied, and everything the stack builds from, planned
 * once. A stack never plans again and never reads a file: what is here is what gets built.
 */
export interface ResolvedEnvironment {
  /** The environment's config as validated. */
  readonly config: EnvironmentConfig;
  /** Its subnets and NATs, placed. */
  readonly network: NetworkPlan;
  /** The admins' public key, read and checked once; undefined when nothing listens for SSH. */
  readonly publicKey?: PublicKeyInfo;
  /** The private key beside the public key file, as the ssh_config output names it; undefined for a key given as text. */
  readonly identityFile?: string;
  /** The bastion, placed; undefined when the environment has none. */
  readonly bastion?: BastionPlan;
  /** The EC2 Instance Connect Endpoint, placed, when it is the door instead of a bastion; undefined otherwise. */
  readonly instanceConnect?: InstanceConnectPlan;
  /** The app servers, placed, with their service; undefined when there are none. */
  readonly app?: AppPlan;
  /** The DB server, placed; undefined when there is none. */
  readonly db?: DbPlan;
  /** The load balancer in front of the app servers; undefined when there is none. */
  readonly loadBalancer?: LoadBalancerPlan;
}

/** Where relative paths in the config (the public key's) start. */
export interface ResolveOptions {
  /** The directory relative key paths are read from. @default the process's working directory */
  readonly cwd?: string;
}

/**
 * Turns one environment's config (its shape already valid) into its resolved plan, or every problem it has. Each
 * module's planner gets only what it needs; the problems of all of them are collected in one run.
 */
export function resolveEnvironment(
  config: EnvironmentConfig,
  options: ResolveOptions = {},
): { environment?: ResolvedEnvironment; problems: ConfigProblem[] } {
  const network = planNetwork({ ...config, environment: config.name });
  const instances: InstanceContext = { azs: config.azs, tiers: config.tiers, defaultAmi: config.ami };
  const bastion = planBastion({
    ...instances,
    bastion: config.bastion,
    adminCidrs: config.access?.adminCidrs,
    sshPublicKey: config.sshPublicKey,
    sessionManagerEndpoints: SESSION_MANAGER_ENDPOINTS.every((s) => config.interfaceEndpoints?.services.includes(s)),
  });
  const instanceConnect = planInstanceConnect({
    ...instances,
    instanceConnect: config.instanceConnect,
    hasBastion: config.bastion !== undefined,
    access: config.access,
  });
  const servers = planServers({
    ...instances,
    servers: config.servers,
    hasBastion: config.bastion !== undefined,
    hasInstanceConnect: config.instanceConnect !== undefined,
    allowAdminPortsFromAnywhere: config.access?.insecureAllowAdminPortsFromAnywhere === true,
    ipv6: config.ipv6,
  });
  const lb = planLoadBalancer({
    ...instances,
    name: config.name,
    region: config.region,
    loadBalancer: config.loadBalancer,
    app: servers.app,
    ipv6: config.ipv6,
  });
  const key = config.sshPublicKey === undefined ? undefined : loadPublicKey(config.sshPublicKey, options.cwd);
  const problems = [
    ...network.problems,
    ...checkAccess(config.access, config.ipv6),
    ...(key !== undefined && "problem" in key ? [key.problem] : []),
    ...bastion.problems,
    ...instanceConnect.problems,
    ...servers.problems,
    ...checkBackend(config.backend),
    ...checkAcknowledgements(config.guardrails),
    ...lb.problems,
    ...checkTags(config.tags),
  ].map((p) => ({ ...p, environment: config.name }));
  if (problems.length > 0) return { problems };
  const ssh =
    (bastion.bastion !== undefined && bastion.bastion.ssm !== "only") || instanceConnect.instanceConnect !== undefined;
  return {
    environment: {
      config,
      network: network.plan,
      publicKey: ssh && key !== undefined && "key" in key ? key.key : undefined,
      identityFile:
        config.sshPublicKey !== undefined && "path" in config.sshPublicKey
          ? identityFileFor(config.sshPublicKey.path, options.cwd ?? process.cwd())
          : undefined,
      bastion: bastion.bastion,
      instanceConnect: instanceConnect.instanceConnect,
      // With a load balancer, its group (not the subnets of its tier) reaches the service port.
      app:
        servers.app === undefined || lb.loadBalancer === undefined
          ? servers.app
          : {
              ...servers.app,
              ingress: ingressBehindLoadBalancer(servers.app.ingress, lb.loadBalancer.tier, servers.app.service.port),
            },
      db: servers.db,
      loadBalancer: lb.loadBalancer,
    },
    problems,
  };
}
