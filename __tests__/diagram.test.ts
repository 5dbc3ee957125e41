import { readFileSync } from "node:fs";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { toDot } from "../modules/tools/diagram/dot";
import { renderSvg } from "../modules/tools/diagram/render";
import { readInventory, TerraformJson } from "../modules/tools/inventory/inventory";
import { EnvironmentInput } from "../modules/environment/schema";
import { rawWorkshop } from "./support/config";
import { synthEnvironment, workshopConfig } from "./support/synth";

/** One drawn element of a Graphviz SVG: a cluster, node or edge, with its title (the DOT name) and texts. */
interface Drawn {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly texts: string[];
}

/** Parses the SVG (failing on malformed XML) into its clusters, nodes and edges. */
function parseSvg(svg: string): Drawn[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    htmlEntities: true,
    isArray: (name) => ["g", "text"].includes(name),
  });
  const doc = parser.parse(svg, true);
  const graph = doc.svg.g[0];
  const textOf = (t: unknown) =>
    String(typeof t === "object" && t !== null ? ((t as Record<string, unknown>)["#text"] ?? "") : t);
  return (graph.g as Array<Record<string, any>>).map((g) => ({
    id: g.id,
    kind: g.class,
    title: String(g.title ?? ""),
    texts: ((g.text ?? []) as unknown[]).map(textOf),
  }));
}

const render = async (json: TerraformJson, title = "workshop") =>
  parseSvg(await renderSvg(toDot(readInventory(json), { title })));
const jsonOf = (config: EnvironmentInput) => synthEnvironment(config).json as TerraformJson;
const clusters = (drawn: Drawn[]) => drawn.filter((d) => d.kind === "cluster");
/** The default environment's raw config with `change` applied. */
const withChanges = (change: (c: Record<string, any>) => void) => {
  const c = rawWorkshop();
  change(c);
  return c as EnvironmentInput;
};

describe("diagram of the default environment", () => {
  let json: TerraformJson;
  let drawn: Drawn[];
  beforeAll(async () => {
    json = jsonOf(workshopConfig());
    drawn = await render(json);
  }, 60_000);

  it("draws every subnet as a box with its tier, type and CIDR, inside its AZ's column", () => {
    const subnets = Object.values(json.resource!.aws_subnet) as Array<Record<string, any>>;
    expect(subnets).toHaveLength(5);
    for (const subnet of subnets) {
      const box = clusters(drawn).find((c) => c.texts.includes(subnet.cidr_block));
      expect(box?.texts).toEqual([
        `${subnet.tags.Tier} · ${subnet.tags.SubnetType}`,
        subnet.cidr_block,
        expect.any(String),
      ]);
    }
    expect(
      clusters(drawn)
        .filter((c) => c.title.startsWith("cluster_az_"))
        .map((c) => c.texts[0]),
    ).toEqual(["ap-northeast-2a", "ap-northeast-2b"]);
    expect(clusters(drawn).find((c) => c.title.startsWith("cluster_aws_vpc"))?.texts).toEqual(["VPC 192.168.8.0/22"]);
  });

  it("draws every instance with its name and type", () => {
    const instances = Object.values(json.resource!.aws_instance) as Array<Record<string, any>>;
    expect(instances).toHaveLength(4);
    for (const instance of instances) {
      const node = drawn.find((d) => d.kind === "node" && d.texts[0] === instance.tags.Name.replace("workshop-", ""));
      expect(node?.texts[1]).toMatch(new RegExp(`^${instance.instance_type.replace(".", "\\.")}`));
    }
    expect(drawn.find((d) => d.texts[0] === "bastion")?.texts[1]).toBe("t3.micro · public IPv4");
  });

  it("draws every allowed flow as a labelled arrow, and no other", () => {
    const flows = drawn.filter((d) => d.id?.startsWith("flow:")).map((d) => `${d.id.slice(5)} ${d.texts.join(" ")}`);
    expect(flows.sort()).toEqual(
      [
        "203.0.113.10/32->bastion tcp 22",
        "bastion->app-a1 tcp 22, tcp 8080",
        "bastion->app-b1 tcp 22, tcp 8080",
        "bastion->db tcp 22",
        "app-a1->db tcp 3306",
        "app-b1->db tcp 3306",
        // The rule's sources are every subnet of the public tier: one arrow per server, from its AZ's public subnet.
        "public->app-a1 tcp 8080 (all public)",
        "public->app-b1 tcp 8080 (all public)",
      ].sort(),
    );
    // Each ingress rule of the JSON is behind one of them.
    expect(Object.keys(json.resource!.aws_vpc_security_group_ingress_rule)).toHaveLength(7);
  });

  it("draws the Internet Gateway, the NAT gateway and which private subnets route to it", () => {
    expect(drawn.find((d) => d.title.startsWith("aws_internet_gateway."))?.texts).toEqual(["Internet Gateway"]);
    const nat = drawn.find((d) => d.title.startsWith("aws_nat_gateway."))!;
    const routes = drawn.filter((d) => d.kind === "edge" && d.title.endsWith(`->${nat.title}`));
    expect(routes.map((r) => r.title.replace(/_[0-9A-F]{8}->.*/, "")).sort()).toEqual([
      "anchor:aws_subnet.network_Subnet-internal-ap-northeast-2a",
      "anchor:aws_subnet.network_Subnet-internal-ap-northeast-2b",
    ]);
    const fromPublicB = drawn.find((d) => d.id === "flow:public->app-b1")!;
    expect(fromPublicB.title).toMatch(/^anchor:aws_subnet\.network_Subnet-public-ap-northeast-2b_/);
  });

  it("matches the committed docs/workshop.svg that the README shows", async () => {
    const committed = readFileSync(join(__dirname, "..", "docs", "workshop.svg"), "utf8");
    const current = await renderSvg(toDot(readInventory(json), { title: "workshop" }));
    if (current !== committed) {
      throw new Error(
        "docs/workshop.svg is stale: the default environment's stack changed. Regenerate it with `npm run diagram:readme` and commit it.",
      );
    }
  });
});

describe("diagram of other configs", () => {
  it("adding an AZ adds its column, with its subnets and servers", async () => {
    const drawn = await render(
      jsonOf(withChanges((c) => ((c.azSlots = 4), (c.vpcCidr = "192.168.8.0/22"), c.azs.push("ap-northeast-2c")))),
    );
    const columns = clusters(drawn).filter((c) => c.title.startsWith("cluster_az_"));
    expect(columns.map((c) => c.texts[0])).toEqual(["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]);
    const boxes = clusters(drawn).filter(
      (c) => c.title.includes("ap_northeast_2c") && c.title.startsWith("cluster_aws_subnet"),
    );
    expect(boxes.map((b) => b.texts[0]).sort()).toEqual(["internal · private", "public · public"]);
    expect(drawn.some((d) => d.kind === "node" && d.texts[0] === "app-c1")).toBe(true);
  }, 60_000);

  it("a NAT instance, flow logs and the S3 endpoint are drawn; private subnets route to the instance", async () => {
    const drawn = await render(
      jsonOf(
        withChanges(
          (c) => (
            (c.nat = { mode: "instance", instance: { ami: "ami-0123456789abcdef0" } }),
            (c.flowLogs = { enabled: true }),
            (c.s3GatewayEndpoint = true)
          ),
        ),
      ),
    );
    const nat = drawn.find((d) => d.texts[0]?.startsWith("NAT instance"))!;
    expect(nat.texts).toContain("in: all from the VPC");
    expect(
      drawn.filter(
        (d) =>
          d.kind === "edge" &&
          d.title.endsWith(`->${nat.title}`) &&
          d.title.startsWith("anchor:aws_subnet.network_Subnet-internal"),
      ),
    ).toHaveLength(2);
    expect(drawn.find((d) => d.title.startsWith("aws_flow_log."))?.texts).toEqual([
      "VPC flow logs (ALL)",
      "→ CloudWatch Logs /vpc/workshop/flow-logs",
    ]);
    expect(drawn.find((d) => d.title.startsWith("aws_vpc_endpoint."))?.texts).toEqual([
      "Gateway endpoint",
      "com.amazonaws.ap-northeast-2.s3",
    ]);
  }, 60_000);

  it("a flow log is labelled with the log group it writes to, not the stack's first", () => {
    const dot = toDot(
      readInventory({
        resource: {
          aws_cloudwatch_log_group: { first: { name: "/first" }, second: { name: "/second" } },
          aws_flow_log: { f: { log_destination: "${aws_cloudwatch_log_group.second.arn}", traffic_type: "REJECT" } },
        },
      }),
    );
    expect(dot).toContain("VPC flow logs (REJECT)\\n→ CloudWatch Logs /second");
  });

  it("resources it does not draw are listed by type; a stack with no VPC is just that list", async () => {
    const drawn = await render({ resource: { aws_s3_bucket: { b: {} }, aws_lb: { a: {}, b: {} } } }, "state");
    expect(drawn.find((d) => d.title === "also")?.texts).toEqual(["also in this stack:", "aws_lb ×2", "aws_s3_bucket"]);
    expect(drawn.filter((d) => d.kind === "node")).toHaveLength(1);
  }, 60_000);

  it("a flow from only some subnets of a tier keeps one arrow per subnet", async () => {
    const json = jsonOf(workshopConfig()) as any;
    const rules = json.resource.aws_vpc_security_group_ingress_rule;
    delete rules[Object.keys(rules).find((id) => id.includes("from-tier-public-ap-northeast-2b"))!];
    const drawn = await render(json);
    expect(
      drawn
        .filter((d) => d.id?.startsWith("flow:public"))
        .map((d) => `${d.id} ${d.texts.join(" ")}`)
        .sort(),
    ).toEqual(["flow:public-ap-northeast-2a->app-a1 tcp 8080", "flow:public-ap-northeast-2a->app-b1 tcp 8080"]);
  }, 60_000);
});
