import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { resolveConfig, validateConfig } from "../modules/environment/load";
import { addAllStacks } from "../modules/environment/app";
import { synthesizeApp } from "../modules/tools/pipeline/plan";
import {
  COMMENT_SCRIPT,
  DRIFT_SCRIPT,
  PINNED_ACTIONS,
  renderWorkflow,
  WORKFLOW_PATH,
} from "../modules/tools/ci-workflow/workflow";
import { workshopConfig } from "./support/synth";
import defaultConfig from "./fixtures/environments.json";

const ROOT = resolve(__dirname, "..");
const committed = readFileSync(join(ROOT, WORKFLOW_PATH), "utf8");
const workflow = parse(committed) as {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix: Record<string, unknown> };
  steps: Array<{
    name: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
  }>;
}

const work = mkdtempSync(join(tmpdir(), "ci-workflow-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs action-validator (WebAssembly, no network) on a workflow file. */
function validate(text: string): { status: number | null; output: string } {
  const file = join(work, `workflow-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  const run = spawnSync(process.execPath, [join(ROOT, "node_modules/@action-validator/cli/cli.mjs"), file], {
    encoding: "utf8",
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("the generated workflow", () => {
  it("is committed as npm run ci:workflow writes it", () => {
    const branch = validateConfig(defaultConfig).find((e) => e.ci !== undefined)?.ci?.github.defaultBranch;
    expect(committed).toBe(renderWorkflow({ defaultBranch: branch }));
    const check = spawnSync(
      process.execPath,
      ["--require", "./app/register-ts.js", "scripts/ci-workflow.ts", "--check"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(check.stdout + check.stderr).toContain("is up to date");
    expect(check.status).toBe(0);
  }, 60_000);

  it("validates against the workflow schema, and the validator does reject a broken one", () => {
    expect(validate(committed)).toEqual({ status: 0, output: "" });
    const broken = validate(committed.replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest"));
    expect(broken.status).not.toBe(0);
    expect(broken.output).toContain("runs_on");
  }, 60_000);

  it("pins every action to a full commit SHA, followed by its release", () => {
    const uses = Object.values(workflow.jobs).flatMap((job) =>
      job.steps.flatMap((s) => (s.uses === undefined ? [] : [s.uses])),
    );
    expect(uses.length).toBeGreaterThan(10);
    for (const u of uses) expect(u).toMatch(/^[a-z-]+\/[a-z-]+@[0-9a-f]{40}$/);
    expect(new Set(uses)).toEqual(new Set(Object.values(PINNED_ACTIONS).map((a) => a.uses)));
    for (const { uses: u, version } of Object.values(PINNED_ACTIONS))
      expect(committed).toContain(`uses: ${u} # ${version}\n`);
  });

  it("plans pull requests with the plan role, uploads each plan and posts one comment", () => {
    const { plan, comment } = workflow.jobs;
    expect(workflow.on).toHaveProperty("pull_request");
    expect(plan.if).toBe("github.event_name == 'pull_request'");
    expect(plan.strategy?.matrix.stack).toBe("${{ fromJSON(needs.synth.outputs.plan) }}");
    expect(plan.steps.find((s) => s.uses === PINNED_ACTIONS.awsCredentials.uses)?.with?.["role-to-assume"]).toBe(
      "${{ vars.AWS_PLAN_ROLE_ARN }}",
    );
    expect(plan.steps.find((s) => s.name === "Plan")?.run).toContain(
      'plan -- --stack "$STACK" --summary markdown --save plan-out',
    );
    expect(plan.steps.find((s) => s.uses === PINNED_ACTIONS.uploadArtifact.uses)).toMatchObject({
      if: "always()",
      with: { name: "plan-${{ matrix.stack }}", path: "plan-out/" },
    });
    expect(comment.needs).toEqual(["synth", "plan"]);
    expect(comment.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(comment.steps.find((s) => s.name === "Render one summary")?.run).toContain(
      "plan -- --from plans --summary markdown",
    );
  });

  it("applies only pushes to the default branch, in the stack's GitHub environment, with the apply role", () => {
    const { apply } = workflow.jobs;
    expect(workflow.on.push).toEqual({ branches: ["main"] });
    expect(apply.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(apply.environment).toBe("${{ matrix.environment }}");
    expect(apply.strategy?.matrix.include).toBe("${{ fromJSON(needs.synth.outputs.apply) }}");
    expect(apply.steps.find((s) => s.uses === PINNED_ACTIONS.awsCredentials.uses)?.with?.["role-to-assume"]).toBe(
      "${{ vars.AWS_APPLY_ROLE_ARN }}",
    );
    // Only the jobs that assume a role may ask for an OIDC token; nothing else writes.
    expect(workflow.permissions).toEqual({ contents: "read" });
    const withToken = Object.entries(workflow.jobs)
      .filter(([, job]) => job.permissions?.["id-token"] === "write")
      .map(([name]) => name);
    expect(withToken.sort()).toEqual(["apply", "drift", "plan"]);
    expect(renderWorkflow({ defaultBranch: "trunk" })).toContain("github.ref == 'refs/heads/trunk'");
  });

  it("checks every stack for drift on a schedule with the plan role and plan -detailed-exitcode", () => {
    const { drift } = workflow.jobs;
    expect(workflow.on.schedule).toEqual([{ cron: "23 4 * * *" }]);
    expect(drift.if).toContain("github.event_name == 'schedule'");
    expect(drift.strategy?.matrix.stack).toBe("${{ fromJSON(needs.synth.outputs.plan) }}");
    expect(drift.steps.find((s) => s.uses === PINNED_ACTIONS.awsCredentials.uses)?.with?.["role-to-assume"]).toBe(
      "${{ vars.AWS_PLAN_ROLE_ARN }}",
    );
    expect(drift.steps.at(-1)?.run).toBe(DRIFT_SCRIPT);
    expect(DRIFT_SCRIPT).toContain("terraform plan -input=false -no-color -detailed-exitcode");
  });
});

/** A directory with stub `terraform` and `gh` commands that log their arguments and answer as told. */
function stubs(dir: string): string {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, "terraform"),
    '#!/bin/sh\necho "terraform $*" >> "$STUB_LOG"\ncase "$1" in plan) printf "%b" "$PLAN_OUTPUT"; exit "$PLAN_EXIT";; esac\nexit 0\n',
  );
  writeFileSync(
    join(bin, "gh"),
    '#!/bin/sh\necho "gh $*" >> "$STUB_LOG"\ncase "$*" in *--paginate*) printf "%b" "$EXISTING_IDS";; esac\nexit 0\n',
  );
  chmodSync(join(bin, "terraform"), 0o755);
  chmodSync(join(bin, "gh"), 0o755);
  return bin;
}

/** Runs one of the workflow's shell steps as GitHub would (bash -e), with the stubs first on PATH. */
function runStep(
  script: string,
  env: Record<string, string>,
): { status: number | null; stdout: string; log: string; summary: string } {
  const dir = mkdtempSync(join(work, "step-"));
  mkdirSync(join(dir, "cdktf.out", "stacks", env.STACK ?? "none"), { recursive: true });
  writeFileSync(join(dir, "summary.md"), "<!-- cdktf-plan-summary -->\n## Terraform plan\n");
  const paths = { STUB_LOG: join(dir, "log"), GITHUB_STEP_SUMMARY: join(dir, "step-summary"), RUNNER_TEMP: dir };
  for (const p of [paths.STUB_LOG, paths.GITHUB_STEP_SUMMARY]) writeFileSync(p, "");
  const run = spawnSync("bash", ["-e", "-c", script], {
    cwd: dir,
    encoding: "utf8",
    env: {
      PATH: `${stubs(dir)}:${process.env.PATH}`,
      GITHUB_REPOSITORY: "acme/infra",
      PLAN_EXIT: "0",
      PLAN_OUTPUT: "",
      EXISTING_IDS: "",
      ...paths,
      ...env,
    },
  });
  return {
    status: run.status,
    stdout: run.stdout,
    log: readFileSync(paths.STUB_LOG, "utf8"),
    summary: readFileSync(paths.GITHUB_STEP_SUMMARY, "utf8"),
  };
}

describe("the workflow's shell steps", () => {
  it("drift: passes on exit 0, fails naming the stack on exit 2, passes a failure's code on", () => {
    const clean = runStep(DRIFT_SCRIPT, { STACK: "workshop", PLAN_EXIT: "0", PLAN_OUTPUT: "No changes.\\n" });
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain("No drift: stack workshop matches its code.");
    expect(clean.log).toContain("terraform plan -input=false -no-color -detailed-exitcode");

    const drifted = runStep(DRIFT_SCRIPT, {
      STACK: "workshop",
      PLAN_EXIT: "2",
      PLAN_OUTPUT: "  # aws_instance.App will be updated in-place\\nPlan: 0 to add, 1 to change, 0 to destroy.\\n",
    });
    expect(drifted.status).toBe(1);
    expect(drifted.stdout).toContain(
      "::error title=Drift in stack workshop::Stack workshop has drifted from its code. Plan: 0 to add, 1 to change, 0 to destroy.",
    );
    expect(drifted.summary).toContain("### Drift in stack `workshop`");
    expect(drifted.summary).toContain("  # aws_instance.App will be updated in-place");

    const broken = runStep(DRIFT_SCRIPT, { STACK: "workshop", PLAN_EXIT: "1", PLAN_OUTPUT: "Error: AccessDenied\\n" });
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain("::error title=Drift check failed for stack workshop::terraform plan exited 1");
  }, 120_000);

  it("comment: edits the comment that carries the marker, or adds one", () => {
    const fresh = runStep(COMMENT_SCRIPT, { PR: "7" });
    expect(fresh.status).toBe(0);
    expect(fresh.log).toContain("gh pr comment 7 --repo acme/infra --body-file summary.md");
    expect(fresh.log).not.toContain("PATCH");

    const again = runStep(COMMENT_SCRIPT, { PR: "7", EXISTING_IDS: "1234\\n" });
    expect(again.log).toContain("gh api -X PATCH repos/acme/infra/issues/comments/1234 -F body=@summary.md");
    expect(again.log).not.toContain("gh pr comment");
  }, 120_000);
});

/** jq, which the comment job's render step uses (on GitHub's runners; here from apt). */
const jq = spawnSync("jq", ["--version"]);
const describeWithJq =
  jq.error === undefined && jq.status === 0 ? describe : process.env.CI === "true" ? describe : describe.skip;
if (describeWithJq === describe.skip)
  process.stdout.write('skipping "the comment job\'s render step": jq not installed (apt-get install jq)\n');

describeWithJq("the comment job's render step", () => {
  it("renders one summary from the saved plans, reporting a stack whose plan is missing", () => {
    const step = workflow.jobs.comment.steps.find((s) => s.name === "Render one summary");
    const dir = mkdtempSync(join(work, "render-"));
    mkdirSync(join(dir, "plans"));
    const saved = {
      format_version: "1.2",
      resource_changes: [
        { address: "aws_vpc.a", mode: "managed", type: "aws_vpc", name: "a", change: { actions: ["create"] } },
      ],
    };
    writeFileSync(join(dir, "plans", "workshop.plan.json"), JSON.stringify(saved));
    const run = spawnSync(
      "bash",
      [
        "-e",
        "-c",
        `cd ${JSON.stringify(ROOT)} && ${step?.run?.replace(/summary\.md/g, join(dir, "summary.md")).replace("--from plans", `--from ${join(dir, "plans")}`)}`,
      ],
      {
        encoding: "utf8",
        env: { ...process.env, STACKS: JSON.stringify(["workshop", "state-change-me-workshop-tfstate"]) },
      },
    );
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.status).toBe(0);
    const summary = readFileSync(join(dir, "summary.md"), "utf8");
    expect(summary.startsWith("<!-- cdktf-plan-summary -->\n## Terraform plan (saved)\n")).toBe(true);
    expect(summary).toContain("| `workshop` | 1 | 0 | 0 | 0 |");
    expect(summary).toContain("| `state-change-me-workshop-tfstate` | - | - | - | - | ❌ plan failed at plan |");
  }, 120_000);
});

describe("the job matrix", () => {
  it("equals the app's stacks; environment stacks are applied in their GitHub environments", () => {
    const environments = validateConfig({
      environments: [
        {
          ...workshopConfig(),
          ci: { accountId: "111122223333", github: { repository: "acme/infra", environment: "production" } },
        },
        {
          ...workshopConfig(),
          name: "staging",
          ci: { accountId: "111122223333", github: { repository: "acme/infra" } },
        },
      ],
    });
    const outdir = join(work, "cdktf.out");
    const stacks = synthesizeApp((app) => addAllStacks(app, resolveConfig({ environments }), false), outdir).map(
      (s) => s.name,
    );
    const configFile = join(work, "environments.json");
    writeFileSync(configFile, JSON.stringify({ environments }));
    const cli = spawnSync(
      process.execPath,
      ["--require", "./app/register-ts.js", "scripts/ci-matrix.ts", "--outdir", outdir],
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, ENVIRONMENTS_FILE: configFile },
      },
    );
    expect(cli.stderr).toBe("");
    const outputs = Object.fromEntries(
      cli.stdout
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf("=")), JSON.parse(line.slice(line.indexOf("=") + 1))]),
    );
    expect([...outputs.plan].sort()).toEqual([...stacks].sort());
    expect(stacks).toEqual(
      expect.arrayContaining(["workshop", "staging", "state-change-me-workshop-tfstate", "ci-identity-111122223333"]),
    );
    expect(outputs.apply).toEqual([
      { stack: "staging", environment: "staging" },
      { stack: "workshop", environment: "production" },
    ]);
  }, 120_000);
});
