import { z } from "zod";

/** Defaults of the `ci` fields, in one place. */
export const CI_DEFAULTS = {
  /** The branch whose pushes the pipeline applies. */
  defaultBranch: "main",
  /** Create GitHub's OIDC provider in the account. */
  createOidcProvider: true,
} as const;

/**
 * The shape of an environment's `ci` field: who may plan and apply it from a pipeline. Cross-field rules (one
 * repository per account) are in `ciProblems` (modules/ci/plan.ts).
 */
export const ciConfigFields = {
  ci: z
    .strictObject({
      /** The AWS account the environment lives in (12 digits): the roles' ARNs and their policies' resources. */
      accountId: z.string().regex(/^\d{12}$/, { error: "a 12-digit AWS account id, such as 111122223333" }),
      /** Create GitHub's OIDC provider; false when the account has one already (one per issuer URL). @default true */
      createOidcProvider: z.boolean().optional(),
      github: z.strictObject({
        /** `owner/name` of the one repository whose workflows may assume the roles. */
        repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: "a GitHub repository as owner/name, such as acme/infra" }),
        /** Branch whose scheduled drift checks may use the plan role. @default "main" */
        defaultBranch: z.string().regex(/^[A-Za-z0-9._/-]+$/, { error: "a branch name of letters, digits and ._/-" }).optional(),
        /** GitHub environment (protected: required reviewers, main only) whose jobs may apply this environment. @default the environment's name */
        environment: z.string().regex(/^[A-Za-z0-9._-]{1,255}$/, { error: "a GitHub environment name of letters, digits and ._-" }).optional(),
      }),
    })
    .optional(),
};

export type CiConfig = z.infer<typeof ciConfigFields.ci>;
