import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformToolchain } from "../modules/tools/pipeline/terraform";
import { ApplyWorkspace, describeWithMoto, synthApp } from "./support/apply";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS } from "./support/variants";
import { DEPLOY_GROUPS } from "./support/deploy-groups";

// Upgrades keep state: each deploy group's stacks as the release synthesized them (committed fixtures, made by
// fixtures/upgrade/synthesize.ts from the commit in release.json) are applied to moto; then today's code is planned
// against that same state. No resource may be deleted or replaced, except the ones listed here, which the
// CHANGELOG must name.

const FIXTURES = join(__dirname, "fixtures", "upgrade");
/** Deploy groups made of features the release did not have, so there is no released state to upgrade. */
const NEW_SINCE_RELEASE: Readonly<Record<string, string>> = {
  "fully-private": "interface endpoints are new",
  "instance-connect": "the EC2 Instance Connect door is new",
};
/** The groups the release synthesized (`fixtures/upgrade/synthesize.ts`): a folder of stacks each. */
const releasedGroups = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const RELEASE = (JSON.parse(readFileSync(join(FIXTURES, "release.json"), "utf8")) as { commit: string }).commit;
const NO_DEADLINE = 6 * 3600_000; // a slow machine makes a slow apply, not a wrong one

/** Deletions and replacements that are deliberate, by address; each is named in CHANGELOG.md. */
const DELIBERATE: readonly string[] = [];

/** Every resource change of a plan that deletes (a replacement deletes too), as `address [actions]`. */
function destructive(plan: { resource_changes?: Array<{ address: string; change: { actions: string[] } }> }): string[] {
  return (plan.resource_changes ?? [])
    .filter((rc) => rc.change.actions.includes("delete"))
    .map((rc) => `${rc.address} [${rc.change.actions.join("/")}]`);
}

describeWithMoto("upgrades keep state", (toolchain: () => TerraformToolchain, motoServer: () => string) => {
  it("names every deliberate replacement in the CHANGELOG", () => {
    const changelog = readFileSync(join(__dirname, "..", "CHANGELOG.md"), "utf8");
    for (const address of DELIBERATE) expect(changelog).toContain(address);
  });

  it("upgrades every deploy group the release could build; the others use what it did not have", () => {
    expect([...releasedGroups, ...Object.keys(NEW_SINCE_RELEASE)].sort()).toEqual(Object.keys(DEPLOY_GROUPS).sort());
  });

  for (const group of releasedGroups) {
    test.concurrent(
      `${group}: today's code planned against the state the release (${RELEASE.slice(0, 7)}) applied deletes and replaces nothing`,
      async () => {
        const released = Object.fromEntries(
          readdirSync(join(FIXTURES, group)).map((file) => [
            file.replace(/\.tf\.json$/, ""),
            JSON.parse(readFileSync(join(FIXTURES, group, file), "utf8")) as unknown,
          ]),
        );
        const env = rawWorkshop();
        DEPLOY_GROUPS[group](env, DOCUMENTED_VARIANTS);
        const space = await ApplyWorkspace.forEnvironment(
          `upgrade-${group}`,
          toolchain(),
          motoServer(),
          env,
          Object.values(released),
        );
        try {
          const current = synthApp(join(space.root, "today"), env);
          const changes = await Promise.all(
            Object.entries(released).map(async ([stack, json]) => {
              const old = join(space.root, "release", stack);
              mkdirSync(old, { recursive: true });
              writeFileSync(join(old, "cdk.tf.json"), JSON.stringify(json));
              space.prepareStack(old);
              await space.mustRun(old, "init", "-input=false");
              await space.mustRun(old, "apply", "-input=false", "-auto-approve");
              const dir = current[stack];
              expect(dir).toBeDefined(); // today's code still makes every stack the release made
              copyFileSync(join(old, "terraform.tfstate"), join(dir, "terraform.tfstate"));
              space.prepareStack(dir);
              await space.mustRun(dir, "init", "-input=false");
              await space.mustRun(dir, "plan", "-input=false", "-out=upgrade.tfplan");
              return destructive(JSON.parse((await space.mustRun(dir, "show", "-json", "upgrade.tfplan")).stdout));
            }),
          );
          expect(changes.flat().filter((c) => !DELIBERATE.includes(c.split(" ")[0]))).toEqual([]);
        } finally {
          await space.close();
        }
      },
      NO_DEADLINE,
    );
  }
});
