import { optionalPeer } from "../../core/optional-peer";

/**
 * Every action the workflow uses, pinned to a full commit SHA (a tag can be moved; a commit cannot). Each SHA was
 * taken from public workflows that pin the same release with the same SHA (README, "Pipelines": where each came from).
 */
export const PINNED_ACTIONS = {
  checkout: { uses: "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", version: "v4.2.2" },
  setupNode: { uses: "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020", version: "v4.4.0" },
  uploadArtifact: { uses: "actions/upload-artifact@b4b15b8c7c6ac21ea08fcf65892d2ee8f75cf882", version: "v4.4.3" },
  downloadArtifact: { uses: "actions/download-artifact@fa0a91b85d4f404e444e00e005971372dc801d16", version: "v4.1.8" },
  awsCredentials: {
    uses: "aws-actions/configure-aws-credentials@e3dd6a429d7300a6a4c196c26e071d42e0343502",
    version: "v4.0.2",
  },
  setupTerraform: { uses: "hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd", version: "v3.1.2" },
} as const;

/** Settings of the generated workflow. */
export interface WorkflowOptions {
  /** The branch whose pushes are applied (the config's `ci.github.defaultBranch`). @default "main" */
  readonly defaultBranch?: string;
  /** Terraform version the jobs install. @default "1.11.4" (the version the tests run) */
  readonly terraformVersion?: string;
  /** Node.js major version. @default "20" */
  readonly nodeVersion?: string;
  /** When drift detection runs (cron, UTC). @default "23 4 * * *" */
  readonly driftSchedule?: string;
  /** Days plans are kept as artifacts. @default 14 */
  readonly planRetentionDays?: number;
}

/** The workflow's defaults: what every `WorkflowOptions` field left out becomes. */
export const WORKFLOW_DEFAULTS: Required<WorkflowOptions> = {
  defaultBranch: "main",
  terraformVersion: "1.11.4",
  nodeVersion: "20",
  driftSchedule: "23 4 * * *",
  planRetentionDays: 14,
};

/** Where the workflow is written. */
export const WORKFLOW_PATH = ".github/workflows/terraform.yml";

/** The drift check of one stack: `plan -detailed-exitcode`, exit 2 fails the job with an error naming the stack. */
export const DRIFT_SCRIPT = `cd "cdktf.out/stacks/$STACK"
terraform init -input=false -no-color
set +e
terraform plan -input=false -no-color -detailed-exitcode > "$RUNNER_TEMP/drift.txt" 2>&1
code=$?
set -e
cat "$RUNNER_TEMP/drift.txt"
case "$code" in
  0) echo "No drift: stack $STACK matches its code." ;;
  2)
    summary=$(grep -E '^Plan:|^Note: Objects have changed' "$RUNNER_TEMP/drift.txt" | head -n 1)
    echo "::error title=Drift in stack $STACK::Stack $STACK has drifted from its code. $summary"
    {
      echo "### Drift in stack \\\`$STACK\\\`"
      echo '\`\`\`'
      grep -E '^  # |^Plan:' "$RUNNER_TEMP/drift.txt" || true
      echo '\`\`\`'
    } >> "$GITHUB_STEP_SUMMARY"
    exit 1 ;;
  *)
    echo "::error title=Drift check failed for stack $STACK::terraform plan exited $code"
    exit "$code" ;;
esac
`;

/** Posts the summary as the pull request's one plan comment: edits the comment carrying the marker, or adds it. */
export const COMMENT_SCRIPT = `marker='<!-- cdktf-plan-summary -->'
id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" --paginate --jq ".[] | select(.body | startswith(\\"$marker\\")) | .id" | tail -n 1)
if [ -n "$id" ]; then
  gh api -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F body=@summary.md > /dev/null
else
  gh pr comment "$PR" --repo "$GITHUB_REPOSITORY" --body-file summary.md
fi
`;

/** The GitHub Actions workflow as an object (see `renderWorkflow` for the file). */
export function terraformWorkflow(options: WorkflowOptions = {}): Record<string, unknown> {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const o: Required<WorkflowOptions> = { ...WORKFLOW_DEFAULTS, ...given };
  const setup = [
    { name: "Check out", uses: PINNED_ACTIONS.checkout.uses, with: { "persist-credentials": false } },
    {
      name: "Set up Node.js",
      uses: PINNED_ACTIONS.setupNode.uses,
      with: { "node-version": o.nodeVersion, cache: "npm" },
    },
    { name: "Install dependencies", run: "npm ci --no-audit --no-fund" },
  ];
  const terraform = {
    name: "Set up Terraform",
    uses: PINNED_ACTIONS.setupTerraform.uses,
    with: { terraform_version: o.terraformVersion, terraform_wrapper: false },
  };
  const credentials = (role: string) => ({
    name: "Assume the AWS role (OIDC)",
    uses: PINNED_ACTIONS.awsCredentials.uses,
    with: {
      "role-to-assume": `\${{ vars.${role} }}`,
      "aws-region": "${{ vars.AWS_REGION }}",
      "role-session-name": "terraform-${{ github.run_id }}",
    },
  });
  const oidc = { contents: "read", "id-token": "write" };
  /** A job per stack of the plan matrix, with terraform and the role's credentials; `steps` follow. */
  const perStack = (name: string, condition: string, role: string, steps: object[]) => ({
    name: `${name} \${{ matrix.stack }}`,
    if: condition,
    needs: "synth",
    "runs-on": "ubuntu-latest",
    permissions: oidc,
    strategy: { "fail-fast": false, matrix: { stack: "${{ fromJSON(needs.synth.outputs.plan) }}" } },
    steps: [...setup, terraform, credentials(role), ...steps],
  });

  return {
    name: "terraform",
    on: {
      pull_request: {},
      push: { branches: [o.defaultBranch] },
      schedule: [{ cron: o.driftSchedule }],
      workflow_dispatch: {},
    },
    permissions: { contents: "read" },
    env: {
      CHECKPOINT_DISABLE: "1",
      DISABLE_VERSION_CHECK: "true",
      CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true",
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
    },
    jobs: {
      synth: {
        name: "Synthesize and list stacks",
        "runs-on": "ubuntu-latest",
        outputs: { plan: "${{ steps.matrix.outputs.plan }}", apply: "${{ steps.matrix.outputs.apply }}" },
        steps: [
          ...setup,
          { name: "Synthesize", run: "npm run synth" },
          {
            name: "Stacks from the manifest",
            id: "matrix",
            run: 'npm run --silent ci:matrix -- --outdir cdktf.out >> "$GITHUB_OUTPUT"',
          },
        ],
      },
      plan: perStack("Plan", "github.event_name == 'pull_request'", "AWS_PLAN_ROLE_ARN", [
        {
          name: "Plan",
          env: { STACK: "${{ matrix.stack }}" },
          run: 'mkdir -p plan-out\nnpm run --silent plan -- --stack "$STACK" --summary markdown --save plan-out > "plan-out/$STACK.md"\n',
        },
        {
          name: "Job summary",
          if: "always()",
          env: { STACK: "${{ matrix.stack }}" },
          run: 'cat "plan-out/$STACK.md" >> "$GITHUB_STEP_SUMMARY" || true',
        },
        {
          name: "Upload the plan",
          if: "always()",
          uses: PINNED_ACTIONS.uploadArtifact.uses,
          with: {
            name: "plan-${{ matrix.stack }}",
            path: "plan-out/",
            "retention-days": o.planRetentionDays,
            "if-no-files-found": "warn",
          },
        },
      ]),
      comment: {
        name: "Comment the plan summary",
        if: "always() && github.event_name == 'pull_request' && needs.synth.result == 'success'",
        needs: ["synth", "plan"],
        "runs-on": "ubuntu-latest",
        permissions: { contents: "read", "pull-requests": "write" },
        steps: [
          ...setup,
          {
            name: "Download the plans",
            uses: PINNED_ACTIONS.downloadArtifact.uses,
            with: { pattern: "plan-*", path: "plans", "merge-multiple": true },
          },
          {
            name: "Render one summary",
            env: { STACKS: "${{ needs.synth.outputs.plan }}" },
            run: 'args=$(jq -r \'.[] | "--stack=" + .\' <<< "$STACKS")\nset +e\n# shellcheck disable=SC2086\nnpm run --silent plan -- --from plans --summary markdown $args > summary.md\nset -e\n',
          },
          {
            name: "Post or update the comment",
            env: { GH_TOKEN: "${{ github.token }}", PR: "${{ github.event.pull_request.number }}" },
            run: COMMENT_SCRIPT,
          },
        ],
      },
      apply: {
        name: "Apply ${{ matrix.stack }}",
        if: `github.event_name == 'push' && github.ref == 'refs/heads/${o.defaultBranch}'`,
        needs: "synth",
        "runs-on": "ubuntu-latest",
        permissions: oidc,
        environment: "${{ matrix.environment }}",
        concurrency: { group: "terraform-apply-${{ matrix.stack }}", "cancel-in-progress": false },
        strategy: { "fail-fast": false, matrix: { include: "${{ fromJSON(needs.synth.outputs.apply) }}" } },
        steps: [
          ...setup,
          terraform,
          credentials("AWS_APPLY_ROLE_ARN"),
          { name: "Synthesize", run: "npm run synth" },
          {
            name: "Apply",
            "working-directory": "cdktf.out/stacks/${{ matrix.stack }}",
            run: "terraform init -input=false -no-color\nterraform apply -input=false -no-color -auto-approve\n",
          },
        ],
      },
      drift: perStack(
        "Drift check",
        "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'",
        "AWS_PLAN_ROLE_ARN",
        [
          { name: "Synthesize", run: "npm run synth" },
          { name: "Plan with -detailed-exitcode", env: { STACK: "${{ matrix.stack }}" }, run: DRIFT_SCRIPT },
        ],
      ),
    },
  };
}

/** The workflow file's text: a header saying it is generated, the YAML, each pinned SHA followed by its release. */
export function renderWorkflow(options: WorkflowOptions = {}): string {
  // Loaded here, not on import: `yaml` is an optional peer that only this function needs.
  const { stringify } = optionalPeer("yaml", "renderWorkflow", () => require("yaml") as typeof import("yaml"));
  let text = stringify(terraformWorkflow(options), { lineWidth: 0, aliasDuplicateObjects: false });
  for (const { uses, version } of Object.values(PINNED_ACTIONS))
    text = text.split(`uses: ${uses}\n`).join(`uses: ${uses} # ${version}\n`);
  return `# Generated by \`npm run ci:workflow\` (modules/tools/ci-workflow/workflow.ts): edit that, not this file.\n${text}`;
}
