import { Testing } from "cdktf";
import { XMLValidator } from "fast-xml-parser";
import { resolveConfig } from "../modules/environment/load";
import { addAllStacks } from "../modules/environment/app";
import { estimateCost } from "../modules/tools/cost/estimate";
import { toDot } from "../modules/tools/diagram/dot";
import { renderSvg } from "../modules/tools/diagram/render";
import { readInventory, TerraformJson } from "../modules/tools/inventory/inventory";
import { rawWorkshop } from "./support/config";
import { DOCUMENTED_VARIANTS } from "./support/variants";

/** Every stack the app makes for a documented variant, synthesized. */
function stacksOf(variant: string): Array<{ name: string; json: TerraformJson }> {
  const env = rawWorkshop();
  DOCUMENTED_VARIANTS[variant](env);
  return addAllStacks(Testing.app(), resolveConfig({ environments: [env] }), false).map((stack) => ({
    name: stack.node.id,
    json: JSON.parse(Testing.synth(stack)) as TerraformJson,
  }));
}

// The diagram and the estimate work on every config the README documents, not only the default.
describe.each(Object.keys(DOCUMENTED_VARIANTS))("documented variant %s", (variant) => {
  const stacks = stacksOf(variant);

  it("every stack draws as well-formed SVG showing every subnet's CIDR and every instance", async () => {
    for (const { name, json } of stacks) {
      const inventory = readInventory(json);
      const svg = await renderSvg(toDot(inventory, { title: name }));
      expect(XMLValidator.validate(svg)).toBe(true);
      for (const subnet of inventory.subnets) expect(svg).toContain(`>${subnet.cidr}</text>`);
      for (const instance of inventory.instances) expect(svg).toContain(instance.name.replace(/-/g, "&#45;"));
    }
  }, 60_000);

  it("every stack is priced in full, with the four NAT modes for the environment", () => {
    for (const { name, json } of stacks) {
      const estimate = estimateCost(json);
      expect({ name, unpriced: estimate.lines.filter((l) => l.monthly === undefined) }).toEqual({ name, unpriced: [] });
      if (readInventory(json).vpcs.length > 0) expect(estimate.natModes.filter((m) => m.current)).toHaveLength(1);
    }
  });
});
