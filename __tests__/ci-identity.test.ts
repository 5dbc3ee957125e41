import { App, Testing } from "cdktf";
import { resolveConfig, validateConfig } from "../modules/environment/load";
import { ConfigError } from "../modules/core/problems";
import { EnvironmentConfig } from "../modules/environment/schema";
import { addAllStacks } from "../modules/environment/app";
import {
  APPLY_ACTIONS,
  ciIdentityPlans,
  ciIdentityStackId,
  githubSubject,
  PolicyDocument,
  PolicyStatement,
} from "../modules/ci/plan";
import { CiIdentityStack } from "../modules/ci/stack";
import { SynthJson, workshopConfig } from "./support/synth";
import { codeBlocksUnder, docPage } from "./support/readme";

const ACCOUNT = "111122223333";
const REPO = "acme/infra";
const CI = { accountId: ACCOUNT, github: { repository: REPO } };

/** The workshop environment with CI, plus a second one sharing the account (DynamoDB lock, its own GitHub environment). */
function ciEnvironments(): EnvironmentConfig[] {
  const workshop = { ...workshopConfig(), ci: CI };
  const prod = {
    ...workshopConfig(),
    name: "prod",
    flowLogs: { enabled: true },
    backend: { type: "s3" as const, bucket: "acme-prod-tfstate", region: "us-east-1", dynamodbTable: "acme-locks" },
    ci: { ...CI, github: { ...CI.github, environment: "production" } },
  };
  return validateConfig({ environments: [workshop, prod] });
}

function problemsOf(environments: unknown[]): string[] {
  try {
    validateConfig({ environments });
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.map((p) => `${p.environment}: ${p.field} = ${JSON.stringify(p.value)}: ${p.expected}`);
    throw error;
  }
  return [];
}

/** Synthesizes every stack of the app and returns each stack's JSON by name. */
function synthAll(environments: readonly EnvironmentConfig[]): Map<string, SynthJson> {
  const app: App = Testing.app();
  const stacks = addAllStacks(app, resolveConfig({ environments }), false);
  return new Map(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s)) as SynthJson]));
}

interface Synthesized {
  readonly json: SynthJson;
  readonly planTrust: PolicyDocument;
  readonly applyTrust: PolicyDocument;
  readonly planPolicy: PolicyDocument;
  readonly applyPolicy: PolicyDocument;
}

let synthesized: Synthesized | undefined;

/** The CI stack's policy documents, parsed back out of the synthesized Terraform JSON (synthesized once per file). */
function synthesizedIdentity(): Synthesized {
  synthesized ??= synthesizeIdentity();
  return synthesized;
}

function synthesizeIdentity(): Synthesized {
  const json = synthAll(ciEnvironments()).get(ciIdentityStackId(ACCOUNT));
  if (json === undefined) throw new Error("no CI identity stack");
  const one = (type: string, suffix: string) => {
    const found = Object.entries(json.resource?.[type] ?? {}).filter(([id]) => id.startsWith(`ci_${suffix}`));
    expect(found).toHaveLength(1);
    return found[0][1];
  };
  const parse = (value: unknown) => JSON.parse(value as string) as PolicyDocument;
  return {
    json,
    planTrust: parse(one("aws_iam_role", "PlanRole").assume_role_policy),
    applyTrust: parse(one("aws_iam_role", "ApplyRole").assume_role_policy),
    planPolicy: parse(one("aws_iam_role_policy", "PlanPolicy").policy),
    applyPolicy: parse(one("aws_iam_role_policy", "ApplyPolicy").policy),
  };
}

/** Whether a trust policy lets a GitHub token with this `sub` (and STS audience) assume the role: StringEquals only. */
function trusts(policy: PolicyDocument, sub: string, aud = "sts.amazonaws.com"): boolean {
  return policy.Statement.some((s) => {
    if (s.Effect !== "Allow" || !s.Action.includes("sts:AssumeRoleWithWebIdentity")) return false;
    const conditions = Object.entries(s.Condition ?? {});
    if (conditions.some(([operator]) => operator !== "StringEquals"))
      throw new Error(`this check only evaluates StringEquals, found ${conditions.map(([o]) => o)}`);
    const claims: Record<string, string> = {
      "token.actions.githubusercontent.com:sub": sub,
      "token.actions.githubusercontent.com:aud": aud,
    };
    const required = s.Condition?.StringEquals ?? {};
    return (
      ["token.actions.githubusercontent.com:sub", "token.actions.githubusercontent.com:aud"].every(
        (key) => key in required,
      ) &&
      Object.entries(required).every(([key, allowed]) =>
        (Array.isArray(allowed) ? allowed : [allowed]).includes(claims[key]),
      )
    );
  });
}

const actionsOf = (policy: PolicyDocument) =>
  policy.Statement.flatMap((s) => s.Action.map((action) => ({ action, statement: s })));
const isRead = (action: string) => /^[a-z0-9-]+:(Describe|Get|List)/.test(action);

describe("CI identity: trust", () => {
  const { planTrust, applyTrust } = synthesizedIdentity();

  it("lets pull requests and the default branch assume the plan role, and nothing else", () => {
    expect(trusts(planTrust, githubSubject.pullRequest(REPO))).toBe(true);
    expect(trusts(planTrust, githubSubject.branch(REPO, "main"))).toBe(true);
    expect(trusts(planTrust, githubSubject.branch(REPO, "feature/x"))).toBe(false);
    expect(trusts(planTrust, githubSubject.pullRequest("someone/fork"))).toBe(false);
    expect(trusts(planTrust, githubSubject.pullRequest(REPO), "some-other-audience")).toBe(false);
  });

  it("rejects a pull request, the branch itself and other repositories at the apply role; accepts only the GitHub environments", () => {
    expect(trusts(applyTrust, githubSubject.pullRequest(REPO))).toBe(false);
    expect(trusts(applyTrust, githubSubject.branch(REPO, "main"))).toBe(false);
    expect(trusts(applyTrust, githubSubject.environment("someone/fork", "workshop"))).toBe(false);
    expect(trusts(applyTrust, githubSubject.environment(REPO, "workshop"))).toBe(true);
    expect(trusts(applyTrust, githubSubject.environment(REPO, "production"))).toBe(true);
    expect(trusts(applyTrust, githubSubject.environment(REPO, "prod"))).toBe(false);
  });

  it("names the account's GitHub OIDC provider, which the stack creates", () => {
    const { json } = synthesizedIdentity();
    for (const trust of [planTrust, applyTrust]) {
      expect(trust.Statement[0].Principal).toEqual({
        Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
      });
      expect(JSON.stringify(trust)).not.toMatch(/StringLike|\*/);
    }
    expect(Object.values(json.resource?.aws_iam_openid_connect_provider ?? {})).toEqual([
      expect.objectContaining({
        url: "https://token.actions.githubusercontent.com",
        client_id_list: ["sts.amazonaws.com"],
      }),
    ]);
  });
});

describe("CI identity: plan role permissions", () => {
  const { planPolicy } = synthesizedIdentity();

  it("writes nothing but the lock objects and the lock table", () => {
    const writes = actionsOf(planPolicy).filter(({ action }) => !isRead(action) && !["kms:Decrypt"].includes(action));
    expect(writes.length).toBeGreaterThan(0);
    for (const { action, statement } of writes) {
      if (action.startsWith("s3:")) {
        expect(statement.Resource?.every((r) => r.endsWith(".tflock"))).toBe(true);
      } else if (action.startsWith("dynamodb:")) {
        expect(statement.Resource).toEqual([`arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/acme-locks`]);
      } else {
        throw new Error(`plan role may ${action} on ${statement.Resource}`);
      }
    }
  });

  it("reads the state of every stack it plans, and takes each lock", () => {
    const resources = (sid: string) => planPolicy.Statement.find((s) => s.Sid === sid)?.Resource;
    expect(resources("StateRead")).toEqual([
      `arn:aws:s3:::acme-prod-tfstate/prod/environment.tfstate`,
      `arn:aws:s3:::acme-prod-tfstate/state-bootstrap.tfstate`,
      `arn:aws:s3:::change-me-workshop-tfstate/ci-identity-${ACCOUNT}/identity.tfstate`,
      `arn:aws:s3:::change-me-workshop-tfstate/state-bootstrap.tfstate`,
      `arn:aws:s3:::change-me-workshop-tfstate/workshop/environment.tfstate`,
    ]);
    expect(resources("StateLockObject")).toEqual(resources("StateRead")?.map((r) => `${r}.tflock`));
  });
});

describe("CI identity: apply role permissions", () => {
  const { applyPolicy } = synthesizedIdentity();
  const statement = (sid: string): PolicyStatement => {
    const found = applyPolicy.Statement.find((s) => s.Sid === sid);
    if (found === undefined) throw new Error(`no statement ${sid}`);
    return found;
  };

  it("writes only the environments' state objects, never the bootstrap or CI stacks' state", () => {
    expect(statement("StateWrite").Resource).toEqual([
      "arn:aws:s3:::acme-prod-tfstate/prod/environment.tfstate",
      "arn:aws:s3:::change-me-workshop-tfstate/workshop/environment.tfstate",
    ]);
    const s3Writes = actionsOf(applyPolicy).filter(({ action }) => action.startsWith("s3:") && !isRead(action));
    expect(
      s3Writes
        .flatMap(({ statement: s }) => s.Resource ?? [])
        .some((r) => /state-bootstrap|ci-identity/.test(r) && !r.endsWith(".tflock")),
    ).toBe(false);
  });

  it("changes IAM only under the environments' name prefixes, which exclude its own roles, and passes roles only to EC2 and flow logs", () => {
    const iam = applyPolicy.Statement.filter((s) => s.Action.some((a) => a.startsWith("iam:") && !isRead(a)));
    const resources = iam.flatMap((s) => s.Resource ?? []);
    expect(new Set(resources)).toEqual(
      new Set([
        `arn:aws:iam::${ACCOUNT}:role/workshop-*`,
        `arn:aws:iam::${ACCOUNT}:role/prod-*`,
        `arn:aws:iam::${ACCOUNT}:instance-profile/workshop-*`,
        `arn:aws:iam::${ACCOUNT}:instance-profile/prod-*`,
      ]),
    );
    expect(resources.some((r) => r.includes("infra-terraform"))).toBe(false);
    expect(statement("IamPassEnvironmentRoles").Condition).toEqual({
      StringEquals: { "iam:PassedToService": ["ec2.amazonaws.com", "vpc-flow-logs.amazonaws.com"] },
    });
    expect(statement("IamAttachKnownPolicies").Condition).toEqual({
      ArnEquals: { "iam:PolicyARN": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"] },
    });
    expect(statement("IamWrite").Action).not.toContain("iam:AttachRolePolicy");
  });

  it("changes EC2 only in the environments' regions and has no service-wide wildcard", () => {
    expect(statement("Ec2Write").Condition).toEqual({ StringEquals: { "aws:RequestedRegion": ["ap-northeast-2"] } });
    expect(
      actionsOf(applyPolicy)
        .map(({ action }) => action)
        .filter((a) => a.endsWith(":*") || (a.includes("*") && !isRead(a))),
    ).toEqual([]);
  });

  it("covers every resource type the environment stacks of the default config and its variants create", () => {
    const variants = [
      ...ciEnvironments(),
      {
        ...workshopConfig(),
        name: "natinst",
        nat: { mode: "instance" as const, instance: { ami: "ami-0123456789abcdef0" } },
        s3GatewayEndpoint: true,
        bastion: { ...workshopConfig().bastion, ssm: "with-ssh" as const },
      },
    ];
    const stacks = synthAll(validateConfig({ environments: variants }));
    const types = new Set(variants.flatMap((v) => Object.keys(stacks.get(v.name)?.resource ?? {})));
    expect(types.size).toBeGreaterThan(15);
    expect([...types].filter((t) => APPLY_ACTIONS[t] === undefined)).toEqual([]);
  });
});

describe("CI identity: config", () => {
  const base = () => ({ ...workshopConfig(), ci: structuredClone(CI) });

  it("adds no stack when no environment has ci, one per account otherwise", () => {
    expect(
      [...synthAll(validateConfig({ environments: [workshopConfig()] })).keys()].some((id) =>
        id.startsWith("ci-identity"),
      ),
    ).toBe(false);
    expect([...synthAll(ciEnvironments()).keys()].filter((id) => id.startsWith("ci-identity"))).toEqual([
      `ci-identity-${ACCOUNT}`,
    ]);
  });

  it("keeps its own state in the first environment's bucket, and may leave an existing OIDC provider alone", () => {
    const { json } = synthesizedIdentity();
    expect((json.terraform as Record<string, any>).backend.s3).toMatchObject({
      bucket: "change-me-workshop-tfstate",
      key: `ci-identity-${ACCOUNT}/identity.tfstate`,
    });
    const app = Testing.app();
    const [plan] = ciIdentityPlans(
      validateConfig({ environments: [{ ...base(), ci: { ...CI, createOidcProvider: false } }] }),
    );
    const synth = JSON.parse(Testing.synth(new CiIdentityStack(app, "ci", { plan }))) as SynthJson;
    expect(synth.resource?.aws_iam_openid_connect_provider).toBeUndefined();
    expect(Object.keys(synth.resource?.aws_iam_role ?? {})).toHaveLength(2);
  });

  it.each([
    [
      "a short account id",
      { ci: { ...CI, accountId: "12345" } },
      'workshop: ci.accountId = "12345": a 12-digit AWS account id',
    ],
    [
      "a repository without owner",
      { ci: { ...CI, github: { repository: "infra" } } },
      'workshop: ci.github.repository = "infra": a GitHub repository as owner/name',
    ],
    ["an unknown field", { ci: { ...CI, gitlab: {} } }, "workshop: ci"],
    ["a local backend", { backend: { type: "local" } }, 'workshop: backend.type = "local": s3 when ci is set'],
    [
      "an environment whose name prefixes a CI role",
      { name: "infra", ci: CI },
      'infra: name = "infra": a name that the CI role "infra-terraform-plan" does not start with',
    ],
  ])("rejects %s, naming environment, field, value and expectation", (_what, change, message) => {
    const problems = problemsOf([{ ...base(), ...change }]);
    expect(problems.some((p) => p.startsWith(message))).toBe(true);
  });

  it("rejects two repositories, branches or provider choices in one account", () => {
    const other = { ...base(), name: "other", backend: { type: "s3", bucket: "other-tfstate", region: "us-east-1" } };
    expect(problemsOf([base(), { ...other, ci: { ...CI, github: { repository: "acme/else" } } }])).toEqual([
      'other: ci.github.repository = "acme/else": "acme/infra" like environment "workshop" in account 111122223333: an account has one CI identity',
    ]);
    expect(
      problemsOf([base(), { ...other, ci: { ...CI, github: { ...CI.github, defaultBranch: "trunk" } } }])[0],
    ).toMatch(/^other: ci.github.defaultBranch = "trunk": "main"/);
    expect(problemsOf([base(), { ...other, ci: { ...CI, createOidcProvider: false } }])[0]).toMatch(
      /^other: ci.createOidcProvider = false: true/,
    );
    expect(
      problemsOf([base(), { ...other, ci: { ...CI, accountId: "444455556666", github: { repository: "acme/else" } } }]),
    ).toEqual([]);
  });
});

describe("CI identity: docs/pipelines.md", () => {
  it("shows a ci field the config accepts", () => {
    const [block] = codeBlocksUnder("### 1. The CI identity (one bootstrap run)", "json", docPage("pipelines"));
    const ci = (JSON.parse(`{${block}}`) as { ci: unknown }).ci;
    const [env] = validateConfig({ environments: [{ ...workshopConfig(), ci }] });
    expect(env.ci).toMatchObject({
      accountId: "111122223333",
      github: { repository: "acme/infra", environment: "production", defaultBranch: "main" },
    });
  });
});
