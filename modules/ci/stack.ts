import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { applyRules } from "../rules/synth";
import { applyStateBackend } from "../state/backend";
import {
  applyRolePolicy,
  applyTrustPolicy,
  CiIdentityPlan,
  GITHUB_OIDC,
  planRolePolicy,
  planTrustPolicy,
} from "./plan";

/** Props of `CiIdentity`. */
export interface CiIdentityProps {
  /** What to create, from `ciIdentityPlans` (modules/ci/plan.ts). @default none: required */
  readonly plan: CiIdentityPlan;
}

/** GitHub Actions' OIDC provider and the pipeline's plan and apply roles, policies written as JSON (no data source). */
export class CiIdentity extends Construct {
  readonly planRole: IamRole;
  readonly applyRole: IamRole;

  constructor(scope: Construct, id: string, props: CiIdentityProps) {
    super(scope, id);
    const { plan } = props;
    const provider = !plan.createOidcProvider
      ? undefined
      : new IamOpenidConnectProvider(this, "GitHubOidc", {
          url: `https://${GITHUB_OIDC.host}`,
          clientIdList: [GITHUB_OIDC.audience],
          // No thumbprint: AWS verifies GitHub's issuer through its trusted root CAs.
        });
    const role = (name: "Plan" | "Apply", roleName: string, trust: object, policy: object, description: string) => {
      const r = new IamRole(this, `${name}Role`, {
        name: roleName,
        description,
        assumeRolePolicy: JSON.stringify(trust),
        maxSessionDuration: 3600,
        dependsOn: provider === undefined ? undefined : [provider],
      });
      new IamRolePolicy(this, `${name}Policy`, {
        role: r.id,
        name: `terraform-${name.toLowerCase()}`,
        policy: JSON.stringify(policy),
      });
      return r;
    };
    this.planRole = role(
      "Plan",
      plan.planRoleName,
      planTrustPolicy(plan),
      planRolePolicy(plan),
      `terraform plan of ${plan.repository}: pull requests and drift checks, read-only`,
    );
    this.applyRole = role(
      "Apply",
      plan.applyRoleName,
      applyTrustPolicy(plan),
      applyRolePolicy(plan),
      `terraform apply of ${plan.repository}: protected GitHub environments only`,
    );
  }
}

/** The stack of one account's CI identity; deployed once by an administrator (docs/pipelines.md). */
export class CiIdentityStack extends TerraformStack {
  readonly identity: CiIdentity;

  constructor(scope: Construct, id: string, props: CiIdentityProps) {
    super(scope, id);
    new AwsProvider(this, "aws", {
      region: props.plan.region,
      defaultTags: [{ tags: { ManagedBy: "cdktf", Purpose: "ci-identity" } }],
    });
    this.identity = new CiIdentity(this, "ci", props);
    applyStateBackend(this, props.plan.backend, { environment: id, stack: "identity" });
    applyRules(this, {});
    new TerraformOutput(this, "plan_role_arn", {
      value: this.identity.planRole.arn,
      description: "AWS_PLAN_ROLE_ARN of the workflow",
    });
    new TerraformOutput(this, "apply_role_arn", {
      value: this.identity.applyRole.arn,
      description: "AWS_APPLY_ROLE_ARN of the workflow",
    });
  }
}
