import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { TerraformToolchain } from "../modules/tools/pipeline/terraform";
import { ApplyWorkspace, describeWithMoto } from "./support/apply";
import { Moto } from "./support/moto";
import { docPage, libraryExample, runApp } from "./support/readme";

// The library docs' example on an existing VPC (docs/library.md), deployed as its user would: the VPC is made first, outside the stack (here
// through moto's EC2 API), then the example, with that VPC's ids in place of the example's, is applied on it, planned
// again with no change and destroyed; the VPC it stood on is still there afterwards.

const root = resolve(__dirname, "..");
const NO_DEADLINE = 6 * 3600_000; // a slow machine makes a slow apply, not a wrong one

/** The docs example's VPC: its id and CIDR, and each subnet's AZ, ids and CIDR, with its tier's type. */
function exampleVpc(example: string) {
  const vpc = /vpcId: "(vpc-[0-9a-f]+)",\s*vpcCidr: "([^"]+)"/.exec(example)!;
  const tiers = [...example.matchAll(/type: "(public|private|isolated)",\s*subnets: \[([\s\S]*?)\]/g)];
  const subnets = tiers.flatMap(([, type, text]) =>
    [
      ...text.matchAll(
        /\{ az: "([^"]+)", subnetId: "(subnet-[0-9a-f]+)", cidr: "([^"]+)", routeTableId: "(rtb-[0-9a-f]+)" \}/g,
      ),
    ].map(([, az, subnetId, cidr, routeTableId]) => ({ type, az, subnetId, cidr, routeTableId })),
  );
  return { vpcId: vpc[1], vpcCidr: vpc[2], subnets };
}

/** Makes the example's VPC in moto: the VPC, its subnets, a route table per id of the example, the public tables' internet route. */
async function makeVpc(moto: Moto, region: string, vpc: ReturnType<typeof exampleVpc>): Promise<Map<string, string>> {
  const ec2 = (operation: string, params: Record<string, unknown>) => moto.call(region, "ec2", operation, params);
  const ids = new Map<string, string>();
  ids.set(vpc.vpcId, (await ec2("create_vpc", { CidrBlock: vpc.vpcCidr })).Vpc.VpcId);
  const gateway = (await ec2("create_internet_gateway", {})).InternetGateway.InternetGatewayId;
  await ec2("attach_internet_gateway", { InternetGatewayId: gateway, VpcId: ids.get(vpc.vpcId) });
  for (const s of vpc.subnets) {
    const made = await ec2("create_subnet", { VpcId: ids.get(vpc.vpcId), CidrBlock: s.cidr, AvailabilityZone: s.az });
    ids.set(s.subnetId, made.Subnet.SubnetId);
    if (!ids.has(s.routeTableId)) {
      const table = (await ec2("create_route_table", { VpcId: ids.get(vpc.vpcId) })).RouteTable.RouteTableId;
      ids.set(s.routeTableId, table);
      if (s.type === "public")
        await ec2("create_route", { RouteTableId: table, DestinationCidrBlock: "0.0.0.0/0", GatewayId: gateway });
    }
    await ec2("associate_route_table", { RouteTableId: ids.get(s.routeTableId), SubnetId: ids.get(s.subnetId) });
  }
  return ids;
}

describeWithMoto(
  "the library docs' example on an existing VPC, on the AWS API emulator",
  (toolchain: () => TerraformToolchain, motoServer: () => string) => {
    it(
      "applies on a VPC made first, plans no change after apply, destroys, and leaves the VPC as it was",
      async () => {
        const example = libraryExample("../modules/index", "## On an existing VPC", docPage("library"));
        const vpc = exampleVpc(example);
        expect(vpc.subnets.map((s) => `${s.type} ${s.az}`)).toEqual([
          "public eu-west-1a",
          "private eu-west-1a",
          "private eu-west-1b",
          "isolated eu-west-1b",
        ]);
        const region = /region: "([a-z0-9-]+)"/.exec(example)![1];
        const keyName = /const keyName = "([^"]+)"/.exec(example)![1];
        // Inside the checkout, so that node resolves cdktf and the provider from its node_modules.
        const dir = mkdtempSync(join(root, ".readme-existing-vpc-apply-"));
        try {
          // A probe synth with the example's ids tells moto what the stack launches (AMI, managed policies).
          writeFileSync(join(dir, "main.ts"), example);
          const probe = runApp(join(dir, "main.ts"), join(dir, "probe.out"));
          expect(probe.stderr).toBe("");
          const probeJson: unknown = JSON.parse(
            readFileSync(join(dir, "probe.out", "stacks", "team-a", "cdk.tf.json"), "utf8"),
          );
          const space = await ApplyWorkspace.open("existing-vpc", toolchain(), motoServer(), [probeJson]);
          try {
            const ids = await makeVpc(space.moto, region, vpc);
            await space.moto.call(region, "ec2", "create_key_pair", { KeyName: keyName });
            // The example's ids, in its text, replaced by those of the VPC moto made.
            writeFileSync(
              join(dir, "main.ts"),
              [...ids].reduce((text, [exampleId, motoId]) => text.split(`"${exampleId}"`).join(`"${motoId}"`), example),
            );
            const run = runApp(join(dir, "main.ts"), join(dir, "cdktf.out"));
            expect(run.stderr).toBe("");
            const stack = join(dir, "cdktf.out", "stacks", "team-a");
            const json = readFileSync(join(stack, "cdk.tf.json"), "utf8");
            // Route table ids are there for the user's own routes: nothing here refers to them.
            for (const [exampleId, motoId] of ids) {
              expect(json).not.toContain(exampleId);
              if (!motoId.startsWith("rtb-")) expect(json).toContain(motoId);
            }
            space.prepareStack(stack);
            await space.mustRun(stack, "init", "-input=false");
            await space.mustRun(stack, "apply", "-input=false", "-auto-approve");
            const instances = await space.moto.call(region, "ec2", "describe_instances", {
              Filters: [{ Name: "instance-state-name", Values: ["running"] }],
            });
            const placed = instances.Reservations.flatMap((r: { Instances: Array<Record<string, any>> }) =>
              r.Instances.map((i) => [
                i.Tags.find((t: { Key: string }) => t.Key === "Role").Value,
                i.SubnetId,
                i.VpcId,
              ]),
            );
            const idOf = (exampleId: string) => ids.get(exampleId) as string;
            const [pub, privA, privB, db] = vpc.subnets.map((s) => idOf(s.subnetId));
            expect(placed.sort()).toEqual(
              [
                ["app", privA, idOf(vpc.vpcId)],
                ["app", privB, idOf(vpc.vpcId)],
                ["bastion", pub, idOf(vpc.vpcId)],
                ["db", db, idOf(vpc.vpcId)],
              ].sort(),
            );
            await space.expectNoChanges(stack);
            await space.destroy(stack);
            // What the stack stood on is not its own: destroy left the VPC and its subnets.
            const left = await space.moto.call(region, "ec2", "describe_subnets", {
              Filters: [{ Name: "vpc-id", Values: [idOf(vpc.vpcId)] }],
            });
            expect(left.Subnets.map((s: { SubnetId: string }) => s.SubnetId).sort()).toEqual(
              [pub, privA, privB, db].sort(),
            );
          } finally {
            await space.close();
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      NO_DEADLINE,
    );
  },
);
