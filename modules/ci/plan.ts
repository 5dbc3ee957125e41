import { ConfigProblem } from "../core/problems";
import { StateBackendConfig } from "../state/schema";
import { defaultStateKey } from "../state/plan";
import { STATE_DEFAULTS } from "../state/types";
import { CI_DEFAULTS, CiConfigInput } from "./schema";

/** The OIDC issuer of GitHub Actions, and the audience configure-aws-credentials asks for. */
export const GITHUB_OIDC = { host: "token.actions.githubusercontent.com", audience: "sts.amazonaws.com" } as const;

/** An environment as the CI identity sees it (a config environment fits). */
export interface CiEnvironment {
  readonly name: string;
  readonly region: string;
  readonly backend?: StateBackendConfig;
  readonly ci?: CiConfigInput;
}

/** One state object a pipeline role touches. */
export interface CiStateObject {
  readonly bucket: string;
  readonly region: string;
  readonly key: string;
  /** Locks with `<key>.tflock` beside the state. */
  readonly lockfile: boolean;
  readonly dynamodbTable?: string;
  readonly kmsKeyId?: string;
}

/** Everything the CI identity of one AWS account is made from: resolved once from the config. */
export interface CiIdentityPlan {
  /** Stack id: `ci-identity-<accountId>`. */
  readonly stackId: string;
  readonly accountId: string;
  /** `owner/name`. */
  readonly repository: string;
  readonly defaultBranch: string;
  /** Create the account's GitHub OIDC provider (false: it exists already; an account has one per issuer URL). */
  readonly createOidcProvider: boolean;
  /** Region of the stack's provider (IAM is global): the first environment's. */
  readonly region: string;
  readonly planRoleName: string;
  readonly applyRoleName: string;
  /** Environments the pipeline plans and applies, with the GitHub environment each applies from. */
  readonly environments: ReadonlyArray<{
    readonly name: string;
    readonly region: string;
    readonly githubEnvironment: string;
    readonly state: CiStateObject;
  }>;
  /** State the pipeline plans but never applies: the state bootstrap stacks' and this stack's own. */
  readonly readOnlyStates: readonly CiStateObject[];
  /** The backend of this stack itself: the first environment's bucket, under its own key. */
  readonly backend: StateBackendConfig;
}

/** An IAM policy document. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: readonly string[];
  readonly Resource?: readonly string[];
  readonly Principal?: Record<string, string>;
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** The stack id of the CI identity of `accountId`. */
export function ciIdentityStackId(accountId: string): string {
  return `ci-identity-${accountId}`;
}

function stateOf(backend: Extract<StateBackendConfig, { type: "s3" }>, key: string): CiStateObject {
  return {
    bucket: backend.bucket,
    region: backend.region ?? "",
    key,
    lockfile: backend.lockfile ?? STATE_DEFAULTS.lockfile,
    dynamodbTable: backend.dynamodbTable,
    kmsKeyId: backend.kmsKeyId,
  };
}

/**
 * Problems of the environments' `ci` fields together: a pipeline needs shared state (an S3 backend), and one account
 * has one GitHub identity provider, so its environments name one repository and one default branch.
 */
export function ciProblems(environments: readonly CiEnvironment[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const first = new Map<string, CiEnvironment>();
  for (const env of environments) {
    if (env.ci === undefined) continue;
    if (env.backend?.type !== "s3") {
      problems.push({
        environment: env.name,
        field: "backend.type",
        value: env.backend?.type,
        expected: "s3 when ci is set: pipeline jobs share the state, and the CI roles are scoped to its bucket",
      });
    }
    // The apply role may change the roles named `<environment>-*`: never its own.
    const clash = Object.values(ciRoleNames(env.ci.github.repository)).find((role) => role.startsWith(`${env.name}-`));
    if (clash !== undefined) {
      problems.push({
        environment: env.name,
        field: "name",
        value: env.name,
        expected: `a name that the CI role "${clash}" does not start with (the apply role manages roles named "${env.name}-*")`,
      });
    }
    const other = first.get(env.ci.accountId);
    if (other?.ci === undefined) {
      first.set(env.ci.accountId, env);
      continue;
    }
    // One identity per account: these fields must agree across its environments.
    const shared: ReadonlyArray<[string, (c: NonNullable<CiConfigInput>) => unknown]> = [
      ["ci.github.repository", (c) => c.github.repository],
      ["ci.github.defaultBranch", (c) => c.github.defaultBranch ?? CI_DEFAULTS.defaultBranch],
      ["ci.createOidcProvider", (c) => c.createOidcProvider ?? CI_DEFAULTS.createOidcProvider],
    ];
    for (const [field, read] of shared) {
      if (read(other.ci) !== read(env.ci)) {
        problems.push({
          environment: env.name,
          field,
          value: read(env.ci),
          expected: `${JSON.stringify(read(other.ci))} like environment "${other.name}" in account ${env.ci.accountId}: an account has one CI identity`,
        });
      }
    }
  }
  return problems;
}

/** The two roles' names for `owner/name`: `<name>-terraform-plan` and `<name>-terraform-apply` (IAM's 64-character limit kept). */
export function ciRoleNames(repository: string): { plan: string; apply: string } {
  const slug = (repository.split("/")[1] ?? repository).replace(/[^A-Za-z0-9_+=,.@-]/g, "-").slice(0, 40);
  return { plan: `${slug}-terraform-plan`, apply: `${slug}-terraform-apply` };
}

/** One CI identity per AWS account named by an environment's `ci`; environments without `ci` are left out. */
export function ciIdentityPlans(environments: readonly CiEnvironment[]): CiIdentityPlan[] {
  const byAccount = new Map<string, CiEnvironment[]>();
  for (const env of environments) {
    if (env.ci === undefined || env.backend?.type !== "s3") continue;
    byAccount.set(env.ci.accountId, [...(byAccount.get(env.ci.accountId) ?? []), env]);
  }
  return [...byAccount.entries()].map(([accountId, envs]) => {
    const ci = envs[0].ci as NonNullable<CiConfigInput>;
    const s3 = (env: CiEnvironment) => env.backend as Extract<StateBackendConfig, { type: "s3" }>;
    const stackId = ciIdentityStackId(accountId);
    const ownKey = defaultStateKey({ environment: stackId, stack: "identity" });
    const buckets = new Map(envs.map((env) => [s3(env).bucket, s3(env)]));
    const roles = ciRoleNames(ci.github.repository);
    return {
      stackId,
      accountId,
      repository: ci.github.repository,
      defaultBranch: ci.github.defaultBranch ?? CI_DEFAULTS.defaultBranch,
      createOidcProvider: ci.createOidcProvider ?? CI_DEFAULTS.createOidcProvider,
      region: envs[0].region,
      planRoleName: roles.plan,
      applyRoleName: roles.apply,
      environments: envs.map((env) => ({
        name: env.name,
        region: env.region,
        githubEnvironment: env.ci?.github.environment ?? env.name,
        state: stateOf(
          s3(env),
          s3(env).key ?? defaultStateKey({ environment: env.name, stack: STATE_DEFAULTS.environmentStack }),
        ),
      })),
      readOnlyStates: [
        ...[...buckets.values()].map((b) => stateOf({ ...b, dynamodbTable: undefined }, STATE_DEFAULTS.bootstrapKey)),
        stateOf({ ...s3(envs[0]), dynamodbTable: undefined }, ownKey),
      ],
      backend: {
        type: "s3",
        bucket: s3(envs[0]).bucket,
        region: s3(envs[0]).region,
        key: ownKey,
        kmsKeyId: s3(envs[0]).kmsKeyId,
      },
    };
  });
}

/** The `sub` claims of GitHub's OIDC tokens, by what the job is (docs: "About security hardening with OpenID Connect"). */
export const githubSubject = {
  pullRequest: (repository: string) => `repo:${repository}:pull_request`,
  branch: (repository: string, branch: string) => `repo:${repository}:ref:refs/heads/${branch}`,
  environment: (repository: string, environment: string) => `repo:${repository}:environment:${environment}`,
};

/** A role trust policy: GitHub's OIDC provider in `accountId`, audience STS, and a `sub` that is exactly one of `subjects`. */
export function githubTrustPolicy(accountId: string, subjects: readonly string[]): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActionsOidc",
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC.host}` },
        Action: ["sts:AssumeRoleWithWebIdentity"],
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC.host}:aud`]: GITHUB_OIDC.audience,
            [`${GITHUB_OIDC.host}:sub`]: [...subjects],
          },
        },
      },
    ],
  };
}

/** Plan role: pull requests, and the default branch (scheduled drift checks). */
export function planTrustPolicy(plan: CiIdentityPlan): PolicyDocument {
  return githubTrustPolicy(plan.accountId, [
    githubSubject.pullRequest(plan.repository),
    githubSubject.branch(plan.repository, plan.defaultBranch),
  ]);
}

/** Apply role: only jobs that run in one of the environments' GitHub environments (protect them: reviewers, the default branch only). */
export function applyTrustPolicy(plan: CiIdentityPlan): PolicyDocument {
  const environments = [...new Set(plan.environments.map((e) => e.githubEnvironment))];
  return githubTrustPolicy(
    plan.accountId,
    environments.map((e) => githubSubject.environment(plan.repository, e)),
  );
}

const unique = (items: readonly string[]) => [...new Set(items)].sort();
const s3Object = (s: CiStateObject, suffix = "") => `arn:aws:s3:::${s.bucket}/${s.key}${suffix}`;
const tableArn = (accountId: string, s: CiStateObject) =>
  `arn:aws:dynamodb:${s.region}:${accountId}:table/${s.dynamodbTable}`;

/** Reading state and taking the lock: read every state object, write only lock objects and lock-table items. */
function stateStatements(plan: CiIdentityPlan, states: readonly CiStateObject[]): PolicyStatement[] {
  const locked = states.filter((s) => s.lockfile);
  const tables = unique(states.filter((s) => s.dynamodbTable !== undefined).map((s) => tableArn(plan.accountId, s)));
  const keys = unique(states.flatMap((s) => (s.kmsKeyId === undefined ? [] : [s.kmsKeyId])));
  return [
    {
      Sid: "StateBucketList",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: unique(states.map((s) => `arn:aws:s3:::${s.bucket}`)),
    },
    { Sid: "StateRead", Effect: "Allow", Action: ["s3:GetObject"], Resource: unique(states.map((s) => s3Object(s))) },
    ...(locked.length === 0
      ? []
      : [
          {
            Sid: "StateLockObject",
            Effect: "Allow" as const,
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            Resource: unique(locked.map((s) => s3Object(s, ".tflock"))),
          },
        ]),
    ...(tables.length === 0
      ? []
      : [
          {
            Sid: "StateLockTable",
            Effect: "Allow" as const,
            Action: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            Resource: tables,
          },
        ]),
    ...(keys.length === 0
      ? []
      : [
          {
            Sid: "StateKmsKey",
            Effect: "Allow" as const,
            Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
            Resource: keys,
          },
        ]),
  ];
}

/** ARNs of what the environments' stacks name (see modules/network/flow-logs.ts, modules/instance/ssm-instance-profile.ts). */
function namedResources(plan: CiIdentityPlan) {
  const account = plan.accountId;
  return {
    roles: plan.environments.map((e) => `arn:aws:iam::${account}:role/${e.name}-*`),
    instanceProfiles: plan.environments.map((e) => `arn:aws:iam::${account}:instance-profile/${e.name}-*`),
    logGroups: plan.environments.flatMap((e) => [`arn:aws:logs:${e.region}:${account}:log-group:/vpc/${e.name}/*`]),
    ciRoles: [plan.planRoleName, plan.applyRoleName].map((r) => `arn:aws:iam::${account}:role/${r}`),
    oidcProvider: `arn:aws:iam::${account}:oidc-provider/${GITHUB_OIDC.host}`,
  };
}

/** Reading what every planned stack manages, so `plan` can refresh it. No write action. */
function readStatements(plan: CiIdentityPlan): PolicyStatement[] {
  const named = namedResources(plan);
  const buckets = unique(
    [...plan.environments.map((e) => e.state), ...plan.readOnlyStates].map((s) => `arn:aws:s3:::${s.bucket}`),
  );
  const tables = unique(
    plan.environments.filter((e) => e.state.dynamodbTable !== undefined).map((e) => tableArn(plan.accountId, e.state)),
  );
  return [
    // EC2's Describe calls take no resource ARNs.
    { Sid: "Ec2Read", Effect: "Allow", Action: ["ec2:Describe*"], Resource: ["*"] },
    { Sid: "LogsDescribe", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: ["*"] },
    {
      Sid: "LogsRead",
      Effect: "Allow",
      Action: ["logs:ListTagsForResource", "logs:ListTagsLogGroup"],
      Resource: unique(named.logGroups),
    },
    {
      Sid: "IamRead",
      Effect: "Allow",
      Action: [
        "iam:GetInstanceProfile",
        "iam:GetOpenIDConnectProvider",
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:ListRolePolicies",
      ],
      Resource: unique([...named.roles, ...named.instanceProfiles, ...named.ciRoles, named.oidcProvider]),
    },
    {
      Sid: "SsmAmiParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:GetParameters"],
      Resource: unique([
        "arn:aws:ssm:*::parameter/aws/service/*",
        ...plan.environments.map((e) => `arn:aws:ssm:${e.region}:${plan.accountId}:parameter/*`),
      ]),
    },
    // Bucket-level reads of the state buckets (the bootstrap stacks): object ARNs are not listed, so no object is read here.
    {
      Sid: "StateBucketConfigRead",
      Effect: "Allow",
      Action: [
        "s3:GetAccelerateConfiguration",
        "s3:GetBucket*",
        "s3:GetEncryptionConfiguration",
        "s3:GetLifecycleConfiguration",
        "s3:GetReplicationConfiguration",
      ],
      Resource: buckets,
    },
    ...(tables.length === 0
      ? []
      : [
          {
            Sid: "LockTableRead",
            Effect: "Allow" as const,
            Action: [
              "dynamodb:DescribeContinuousBackups",
              "dynamodb:DescribeTimeToLive",
              "dynamodb:ListTagsOfResource",
            ],
            Resource: tables,
          },
        ]),
  ];
}

/** The plan role's permissions: read what the stacks manage, read their state, take the lock. */
export function planRolePolicy(plan: CiIdentityPlan): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      ...stateStatements(plan, [...plan.environments.map((e) => e.state), ...plan.readOnlyStates]),
      ...readStatements(plan),
    ],
  };
}

/**
 * What applying each resource type of the environment stacks takes, beyond reading. A type missing here makes the
 * apply role fail with AccessDenied; `__tests__/ci-identity.test.ts` checks every type the stacks synthesize is listed.
 */
export const APPLY_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  aws_vpc: ["ec2:CreateVpc", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute"],
  aws_subnet: ["ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute"],
  aws_internet_gateway: [
    "ec2:CreateInternetGateway",
    "ec2:DeleteInternetGateway",
    "ec2:AttachInternetGateway",
    "ec2:DetachInternetGateway",
  ],
  aws_eip: ["ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:AssociateAddress", "ec2:DisassociateAddress"],
  aws_nat_gateway: ["ec2:CreateNatGateway", "ec2:DeleteNatGateway"],
  aws_route_table: ["ec2:CreateRouteTable", "ec2:DeleteRouteTable"],
  aws_route: ["ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute"],
  aws_route_table_association: [
    "ec2:AssociateRouteTable",
    "ec2:DisassociateRouteTable",
    "ec2:ReplaceRouteTableAssociation",
  ],
  aws_default_route_table: ["ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute"],
  aws_default_network_acl: [
    "ec2:CreateNetworkAclEntry",
    "ec2:DeleteNetworkAclEntry",
    "ec2:ReplaceNetworkAclEntry",
    "ec2:ReplaceNetworkAclAssociation",
  ],
  aws_default_security_group: ["ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"],
  aws_security_group: [
    "ec2:CreateSecurityGroup",
    "ec2:DeleteSecurityGroup",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:ModifySecurityGroupRules",
  ],
  aws_vpc_security_group_ingress_rule: [
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:ModifySecurityGroupRules",
    "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
  ],
  aws_vpc_security_group_egress_rule: [
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupEgress",
    "ec2:ModifySecurityGroupRules",
    "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
  ],
  aws_vpc_endpoint: ["ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint"],
  aws_vpc_endpoint_route_table_association: ["ec2:ModifyVpcEndpoint"],
  aws_key_pair: ["ec2:ImportKeyPair", "ec2:DeleteKeyPair"],
  aws_instance: [
    "ec2:RunInstances",
    "ec2:TerminateInstances",
    "ec2:StartInstances",
    "ec2:StopInstances",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyInstanceMetadataOptions",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:AssociateIamInstanceProfile",
    "ec2:DisassociateIamInstanceProfile",
    "ec2:ReplaceIamInstanceProfileAssociation",
  ],
  aws_ebs_volume: ["ec2:CreateVolume", "ec2:DeleteVolume", "ec2:ModifyVolume"],
  // A detach stops the instance first (stop_instance_before_detaching), so its filesystem is clean.
  aws_volume_attachment: ["ec2:AttachVolume", "ec2:DetachVolume", "ec2:StopInstances"],
  aws_flow_log: ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs"],
  aws_cloudwatch_log_group: [
    "logs:CreateLogGroup",
    "logs:DeleteLogGroup",
    "logs:PutRetentionPolicy",
    "logs:DeleteRetentionPolicy",
    "logs:TagResource",
    "logs:UntagResource",
    "logs:TagLogGroup",
  ],
  aws_iam_role: [
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
  ],
  aws_iam_role_policy: ["iam:PutRolePolicy", "iam:DeleteRolePolicy"],
  aws_iam_role_policy_attachment: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
  aws_iam_instance_profile: [
    "iam:CreateInstanceProfile",
    "iam:DeleteInstanceProfile",
    "iam:AddRoleToInstanceProfile",
    "iam:RemoveRoleFromInstanceProfile",
    "iam:TagInstanceProfile",
    "iam:UntagInstanceProfile",
  ],
};

/** Managed policies an environment's roles may be given (the SSM instance profile's). */
export const ATTACHABLE_POLICIES = ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"] as const;

/** The apply role's permissions: the plan role's reads and locks, writing the environments' state, and changing what they manage. */
export function applyRolePolicy(plan: CiIdentityPlan): PolicyDocument {
  const named = namedResources(plan);
  const all = Object.values(APPLY_ACTIONS).flat();
  const of = (service: string, except: readonly string[] = []) =>
    unique(all.filter((a) => a.startsWith(`${service}:`) && !except.includes(a)));
  const attach = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"];
  return {
    Version: "2012-10-17",
    Statement: [
      ...stateStatements(
        plan,
        plan.environments.map((e) => e.state),
      ),
      {
        Sid: "StateWrite",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: unique(plan.environments.map((e) => s3Object(e.state))),
      },
      ...readStatements(plan).filter((s) => s.Sid !== "StateBucketConfigRead" && s.Sid !== "LockTableRead"),
      {
        Sid: "Ec2Write",
        Effect: "Allow",
        Action: [...of("ec2"), "ec2:CreateTags", "ec2:DeleteTags"].sort(),
        Resource: ["*"],
        Condition: { StringEquals: { "aws:RequestedRegion": unique(plan.environments.map((e) => e.region)) } },
      },
      { Sid: "LogsWrite", Effect: "Allow", Action: of("logs"), Resource: unique(named.logGroups) },
      {
        Sid: "IamWrite",
        Effect: "Allow",
        Action: of("iam", attach),
        Resource: unique([...named.roles, ...named.instanceProfiles]),
      },
      {
        Sid: "IamAttachKnownPolicies",
        Effect: "Allow",
        Action: attach,
        Resource: unique(named.roles),
        Condition: { ArnEquals: { "iam:PolicyARN": [...ATTACHABLE_POLICIES] } },
      },
      {
        Sid: "IamPassEnvironmentRoles",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: unique(named.roles),
        Condition: { StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com"] } },
      },
    ],
  };
}
