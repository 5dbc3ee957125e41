import { z } from "zod";

/** Defaults of the `ci` fields, in one place. */
export const CI_DEFAULTS = {
  /** The branch whose pushes the pipeline applies. */
  defaultBranch: "main",
  /** Create GitHub's OIDC provider in the account. */
  createOidcProvider: true,
} as const;

/**
 * The shape of an environment's `ci` field: who may plan and apply it from a pipeline. Cross-environment rules (one
 * repository per account, an S3 backend) are in `ciProblems` (modules/ci/plan.ts).
 */
export const ciConfigFields = {
  ci: z
    .strictObject({
      accountId: z
        .string()
        .regex(/^\d{12}$/, { error: "a 12-digit AWS account id, such as 111122223333" })
        .describe(
          "the environment's AWS account (12 digits): the CI roles' ARNs and the resources their policies name",
        ),
      createOidcProvider: z
        .boolean()
        .default(CI_DEFAULTS.createOidcProvider)
        .describe("create GitHub's OIDC provider in the account; `false` when it has one already (one per issuer URL)"),
      github: z
        .strictObject({
          repository: z
            .string()
            .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, {
              error: "a GitHub repository as owner/name, such as acme/infra",
            })
            .describe("`owner/name` of the one repository whose workflows may assume the CI roles"),
          defaultBranch: z
            .string()
            .regex(/^[A-Za-z0-9._/-]+$/, { error: "a branch name of letters, digits and ._/-" })
            .default(CI_DEFAULTS.defaultBranch)
            .describe("the branch that is applied, and whose scheduled drift checks may use the plan role"),
          environment: z
            .string()
            .regex(/^[A-Za-z0-9._-]{1,255}$/, { error: "a GitHub environment name of letters, digits and ._-" })
            .optional()
            .meta({
              description: "the GitHub environment (protected) whose jobs may apply this environment",
              defaultLabel: "the environment's name",
            }),
        })
        .describe("the GitHub side: repository, branch, environment"),
    })
    .optional()
    .meta({
      description: "the CI identity that plans and applies this environment from GitHub Actions (see Pipelines)",
      defaultLabel: "none: no CI identity",
    }),
};

/** An environment's `ci` as written (fields with defaults may be left out). */
export type CiConfigInput = z.input<typeof ciConfigFields.ci>;
