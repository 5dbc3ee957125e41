import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { buildModulePackages } from "../modules/tools/terraform-module/packages";
import { TerraformToolchain } from "../modules/tools/pipeline/terraform";
import { ApplyWorkspace, describeWithMoto } from "./support/apply";
import { libraryExample, runApp } from "./support/readme";

// What users copy, deployed: the README's library example (a cdktf app of their own) and each generated Terraform
// module's examples/basic (HCL users deploy too). Each is applied to moto, planned again with no change, destroyed.
// examples/ipv6 is planned only (terraform-modules.int.test.ts): moto cannot hold a subnet's IPv6 /64.

const root = resolve(__dirname, "..");
const NO_DEADLINE = 6 * 3600_000; // a slow machine makes a slow apply, not a wrong one
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const PLACEHOLDER_KEY = readFileSync(join(root, "keys", "workshop-placeholder.pub"), "utf8");

describeWithMoto(
  "deploy what users copy, on the AWS API emulator",
  (toolchain: () => TerraformToolchain, motoServer: () => string) => {
    test.concurrent(
      "the README's library example applies, plans no change after apply, and destroys",
      async () => {
        // Inside the checkout, so that node resolves cdktf and the provider from its node_modules.
        const dir = mkdtempSync(join(root, ".readme-apply-"));
        try {
          writeFileSync(join(dir, "main.ts"), libraryExample("../modules/index"));
          const run = runApp(join(dir, "main.ts"), join(dir, "cdktf.out"));
          expect(run.stderr).toBe("");
          const stack = join(dir, "cdktf.out", "stacks", "prod");
          const json: unknown = JSON.parse(readFileSync(join(stack, "cdk.tf.json"), "utf8"));
          const space = await ApplyWorkspace.open("readme-library", toolchain(), motoServer(), [json]);
          try {
            space.prepareStack(stack);
            await space.deployCycle(stack, "README library example");
          } finally {
            await space.close();
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      NO_DEADLINE,
    );

    for (const name of ["network", "environment"] as const) {
      test.concurrent(
        `the generated ${name} module's examples/basic applies, plans no change after apply, and destroys`,
        async () => {
          const files = buildModulePackages(PACKAGE_VERSION)[name];
          const space = await ApplyWorkspace.open(`hcl-${name}`, toolchain(), motoServer(), Object.values(files));
          try {
            const moduleDir = join(space.root, `terraform-aws-${name}`);
            for (const [file, text] of Object.entries(files)) {
              mkdirSync(dirname(join(moduleDir, file)), { recursive: true });
              writeFileSync(join(moduleDir, file), text);
            }
            // The example reads the admin's public key from ~/.ssh/workshop.pub, as its README says.
            const home = String(space.terraformEnv.HOME);
            mkdirSync(join(home, ".ssh"), { recursive: true });
            writeFileSync(join(home, ".ssh", "workshop.pub"), PLACEHOLDER_KEY);
            const example = join(moduleDir, "examples", "basic");
            space.prepareStack(example);
            await space.deployCycle(example, `HCL ${name} module, examples/basic`);
          } finally {
            await space.close();
          }
        },
        NO_DEADLINE,
      );
    }
  },
);
