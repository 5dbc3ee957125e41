import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, DataResource, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { validateConfig } from "../modules/environment/load";
import { EnvironmentConfig } from "../modules/environment/schema";
import { EnvironmentStack } from "../modules/environment/stack";
import { applyStateBackend } from "../modules/state/backend";
import { StateBootstrapStack } from "../modules/environment/state-bootstrap-stack";
import { stateStores } from "../modules/state/plan";
import {
  localBackendOverride,
  offlineEnvironment,
  CLOSED_ENDPOINT,
  offlineProviderOverride,
  runTerraform,
  TerraformRun,
  TerraformToolchain,
} from "../modules/tools/pipeline/terraform";
import { describeWithTerraform } from "./support/terraform";
import { resolveOne, workshopConfig } from "./support/synth";
import { EMULATOR_CREDENTIALS, Emulators, startEmulators } from "./support/emulators";

// Real terraform, real S3 backend protocol, against s3rver and dynalite on 127.0.0.1 only. s3rver ignores
// If-None-Match, so `use_lockfile` cannot exclude anything there: this environment locks in DynamoDB only.
const BUCKET = "int-tfstate";
const LOCK_TABLE = "int-tf-locks";
/**
 * Each terraform step, and each test: only a guard against a hang. Seen: an apply killed at a 120 s bound while the
 * 2-core machine ran two test files beside other sessions (load 30); a wrong result still fails on its assertions.
 */
const STEP_MS = 10 * 60_000;

/** The default environment with its state in the emulated bucket, validated the way the app does it. */
function environmentOnEmulators(): EnvironmentConfig {
  const env = workshopConfig();
  return validateConfig({
    environments: [
      {
        ...env,
        backend: { type: "s3", bucket: BUCKET, region: env.region, lockfile: false, dynamodbTable: LOCK_TABLE },
      },
    ],
  })[0];
}

/** A stack of the environment that needs no EC2 API: a bucket, and a step that holds the state lock for a while. */
class ProbeStack extends TerraformStack {
  constructor(scope: App, env: EnvironmentConfig, holdSeconds: number) {
    super(scope, "probe");
    new AwsProvider(this, "aws", { region: env.region });
    applyStateBackend(this, env.backend, { environment: env.name, stack: "probe" });
    new S3Bucket(this, "artifacts", { bucket: `${env.name}-probe-artifacts` });
    new DataResource(this, "hold", {
      input: { held: holdSeconds },
      provisioners: [{ type: "local-exec", command: `sleep ${holdSeconds}` }],
    });
  }
}

/** `-backend-config` flags that point a stack's S3 backend at the emulators (test settings stay out of product code). */
function backendFlags(emulators: Emulators): string[] {
  const endpoints = `endpoints={s3="${emulators.s3Endpoint}",dynamodb="${emulators.dynamodbEndpoint}",sts="${CLOSED_ENDPOINT}",iam="${CLOSED_ENDPOINT}",sso="${CLOSED_ENDPOINT}"}`;
  const settings = [
    endpoints,
    "use_path_style=true",
    "skip_credentials_validation=true",
    "skip_requesting_account_id=true",
    "skip_region_validation=true",
    "skip_metadata_api_check=true",
    `access_key=${EMULATOR_CREDENTIALS.accessKeyId}`,
    `secret_key=${EMULATOR_CREDENTIALS.secretAccessKey}`,
  ];
  return settings.map((s) => `-backend-config=${s}`);
}

/** The offline provider settings, with S3 and DynamoDB at the emulators (the rest stays at offlineEnvironment's closed port). */
function providerOnEmulators(emulators: Emulators): object {
  const { provider } = offlineProviderOverride() as { provider: { aws: object } };
  return {
    provider: {
      aws: {
        ...provider.aws,
        access_key: EMULATOR_CREDENTIALS.accessKeyId,
        secret_key: EMULATOR_CREDENTIALS.secretAccessKey,
        s3_use_path_style: true,
        endpoints: [{ s3: emulators.s3Endpoint, dynamodb: emulators.dynamodbEndpoint }],
      },
    },
  };
}

function expectSuccess(run: TerraformRun, what: string): void {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}:\n${run.stderr}\n${run.stdout.slice(-4000)}`);
}

describeWithTerraform("remote state on an emulated S3 API", (toolchain: () => TerraformToolchain) => {
  const env = environmentOnEmulators();
  const stateKey = `${env.name}/probe.tfstate`;
  let root: string;
  let emulators: Emulators;
  let tfEnv: NodeJS.ProcessEnv;
  let probeDir: string;
  let workshopDir: string;
  const inits = new Map<string, TerraformRun>();
  const terraform = (dir: string, ...args: string[]) =>
    runTerraform(toolchain(), args, { cwd: dir, env: tfEnv, timeoutMs: STEP_MS });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "state-int-"));
    emulators = await startEmulators(join(root, "s3rver"), env.region);
    await emulators.createStateStore(BUCKET, LOCK_TABLE);
    tfEnv = offlineEnvironment(join(root, "home"), toolchain().pluginMirror, process.env);

    const app = new App({ outdir: join(root, "out") });
    new ProbeStack(app, env, 10);
    new EnvironmentStack(app, env.name, resolveOne(env));
    app.synth();
    probeDir = join(root, "out", "stacks", "probe");
    workshopDir = join(root, "out", "stacks", env.name);
    for (const dir of [probeDir, workshopDir]) {
      writeFileSync(join(dir, "provider_override.tf.json"), JSON.stringify(providerOnEmulators(emulators)));
      const init = await terraform(dir, "init", "-input=false", "-no-color", ...backendFlags(emulators));
      expectSuccess(init, `init in ${dir}`);
      inits.set(dir, init);
    }
  }, STEP_MS);

  afterAll(async () => {
    await emulators?.stop();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it(
    "initializes the environment stack on its real S3 backend and plans it under the lock",
    async () => {
      expect(inits.get(workshopDir)?.stdout).toContain('Successfully configured the backend "s3"');
      const plan = await terraform(workshopDir, "plan", "-input=false", "-no-color", "-lock-timeout=0s");
      expectSuccess(plan, "plan of the environment stack");
      expect(plan.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    },
    STEP_MS,
  );

  it(
    "writes the state into the bucket, refuses a concurrent run by the DynamoDB lock, then plans no changes",
    async () => {
      const lockId = `${BUCKET}/${stateKey}`;
      const apply = terraform(probeDir, "apply", "-input=false", "-no-color", "-auto-approve");
      let applyDone = false;
      void apply.then(() => (applyDone = true));

      // Wait until the apply holds the lock, then try a second run while it still does.
      const deadline = Date.now() + STEP_MS;
      while (
        (await emulators.dynamodb.send(new GetItemCommand({ TableName: LOCK_TABLE, Key: { LockID: { S: lockId } } })))
          .Item === undefined
      ) {
        if (applyDone || Date.now() > deadline)
          throw new Error(`the apply never took the lock:\n${(await apply).stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const second = await terraform(probeDir, "plan", "-input=false", "-no-color", "-lock-timeout=0s");
      expect(applyDone).toBe(false);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain("Error acquiring the state lock");
      expect(second.stderr).toContain("ConditionalCheckFailedException");

      const first = await apply;
      expectSuccess(first, "apply");
      expect(first.stdout).toContain("Apply complete! Resources: 2 added, 0 changed, 0 destroyed.");

      const object = await emulators.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: stateKey }));
      const state = JSON.parse(await object.Body!.transformToString()) as { resources: Array<{ type: string }> };
      expect(state.resources.map((r) => r.type).sort()).toEqual(["aws_s3_bucket", "terraform_data"]);
      const lock = await emulators.dynamodb.send(
        new GetItemCommand({ TableName: LOCK_TABLE, Key: { LockID: { S: lockId } } }),
      );
      expect(lock.Item).toBeUndefined();
      const digest = await emulators.dynamodb.send(
        new GetItemCommand({ TableName: LOCK_TABLE, Key: { LockID: { S: `${lockId}-md5` } } }),
      );
      expect(digest.Item?.Digest?.S).toMatch(/^[0-9a-f]{32}$/);

      const replan = await terraform(probeDir, "plan", "-input=false", "-no-color", "-detailed-exitcode");
      expect(replan.code).toBe(0);
      expect(replan.stdout).toContain("No changes.");
    },
    2 * STEP_MS,
  );
});

describeWithTerraform("state bootstrap stack", (toolchain: () => TerraformToolchain) => {
  let root: string;
  afterAll(() => root !== undefined && rmSync(root, { recursive: true, force: true }));

  it(
    "is valid Terraform for the AWS provider",
    async () => {
      root = mkdtempSync(join(tmpdir(), "state-bootstrap-"));
      const env = {
        ...workshopConfig(),
        backend: {
          type: "s3" as const,
          bucket: "bootstrap-tfstate",
          region: "ap-northeast-2",
          dynamodbTable: "bootstrap-locks",
        },
      };
      const app = new App({ outdir: join(root, "out") });
      const [store] = stateStores(validateConfig({ environments: [env] }));
      new StateBootstrapStack(app, "bootstrap", store);
      app.synth();
      const dir = join(root, "out", "stacks", "bootstrap");
      writeFileSync(join(dir, "backend_override.tf.json"), JSON.stringify(localBackendOverride()));
      const options = {
        cwd: dir,
        env: offlineEnvironment(join(root, "home"), toolchain().pluginMirror, process.env),
        isolateNetwork: true,
      };
      expectSuccess(
        await runTerraform(toolchain(), ["init", "-input=false", "-no-color", "-backend=false"], options),
        "init",
      );
      const validate = await runTerraform(toolchain(), ["validate", "-no-color"], options);
      expectSuccess(validate, "validate");
      expect(validate.stdout).toContain("Success!");
      expect(validate.stdout + validate.stderr).not.toContain("Warning");
    },
    STEP_MS,
  );
});
