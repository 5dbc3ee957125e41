import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformToolchain } from "../modules/tools/pipeline/terraform";
import { ApplyWorkspace, describeWithMoto, stackJson, synthApp } from "./support/apply";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS } from "./support/variants";

// Turning the tiers' network ACLs on for an applied default environment: the plan only creates (the ACLs and their
// associations, which move each subnet off the default ACL) and updates in place; after the apply the plan is empty,
// so the default ACL's adoption and the new associations do not fight; then everything destroys.

const NO_DEADLINE = 6 * 3600_000; // a slow machine makes a slow apply, not a wrong one

interface PlanChanges {
  resource_changes?: Array<{ address: string; type: string; change: { actions: string[] } }>;
}

interface AclJson {
  resource: {
    aws_network_acl: Record<string, { ingress: Array<{ protocol: string }>; egress: Array<{ protocol: string }> }>;
  };
}

/**
 * The ACLs without their ICMP entries (path MTU discovery), for moto only: it reads an entry's ICMP type and code
 * back as 0 (seen: 3/4 applied, 0/0 in the plan after), so the plan after the apply would never be empty. The TCP
 * entries, which carry every flow, stay.
 */
function withoutIcmpEntries(json: AclJson): object {
  const tcpOnly = (entries: Array<{ protocol: string }>) => entries.filter((e) => e.protocol !== "icmp");
  const acls = Object.entries(json.resource.aws_network_acl).map(([id, acl]) => [
    id,
    { ingress: tcpOnly(acl.ingress), egress: tcpOnly(acl.egress) },
  ]);
  expect(acls.length).toBeGreaterThan(0);
  return { resource: { aws_network_acl: Object.fromEntries(acls) } };
}

describeWithMoto(
  "network ACLs on the AWS API emulator",
  (toolchain: () => TerraformToolchain, motoServer: () => string) => {
    test(
      "enabling them on the applied default environment creates and updates in place only; the plan after the apply is empty; destroy is clean",
      async () => {
        const before = rawWorkshop();
        const after = rawWorkshop();
        DOCUMENTED_VARIANTS["network-acls"](after);
        const space = await ApplyWorkspace.forEnvironment("network-acls", toolchain(), motoServer(), after);
        try {
          const dir = synthApp(join(space.root, "before"), before).workshop;
          space.prepareStack(dir);
          await space.mustRun(dir, "init", "-input=false");
          await space.mustRun(dir, "apply", "-input=false", "-auto-approve");

          copyFileSync(
            join(synthApp(join(space.root, "after"), after).workshop, "cdk.tf.json"),
            join(dir, "cdk.tf.json"),
          );
          space.prepareStack(dir, { moto_icmp_override: withoutIcmpEntries(stackJson(dir) as AclJson) });
          await space.mustRun(dir, "plan", "-input=false", "-out=acls.tfplan");
          const plan = JSON.parse((await space.mustRun(dir, "show", "-json", "acls.tfplan")).stdout) as PlanChanges;
          const changed = (plan.resource_changes ?? []).filter((rc) => !rc.change.actions.includes("no-op"));
          expect(changed.filter((rc) => !["create", "update"].includes(rc.change.actions.join("/")))).toEqual([]);
          const created = changed.filter((rc) => rc.change.actions.join() === "create").map((rc) => rc.type);
          expect(created.sort()).toEqual([
            ...Array(3).fill("aws_network_acl"),
            ...Array(5).fill("aws_network_acl_association"),
          ]);

          await space.mustRun(dir, "apply", "-input=false", "acls.tfplan");
          await space.expectNoChanges(dir);
          const state = (await space.mustRun(dir, "state", "list")).stdout.split("\n");
          expect(state.filter((a) => a.startsWith("aws_network_acl_association."))).toHaveLength(5);
          await space.destroy(dir);
        } finally {
          await space.close();
        }
      },
      NO_DEADLINE,
    );
  },
);
