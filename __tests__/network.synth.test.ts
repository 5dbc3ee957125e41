import { resourcesOf, synthEnvironment, workshopConfig } from "./support/synth";

describe("workshop network", () => {
  it("has one subnet per tier per AZ", () => {
    const { json } = synthEnvironment(workshopConfig());
    expect(Object.keys(resourcesOf(json, "aws_subnet"))).toHaveLength(5);
  });
});
