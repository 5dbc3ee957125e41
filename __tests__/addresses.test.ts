import committed from "./fixtures/addresses.json";
import { addressesOf, DOCUMENTED_VARIANTS } from "./support/variants";

// A changed logical id replaces real infrastructure. The committed list holds every resource address of the default
// config and its documented variants; a change to it must be deliberate (npm run addresses, then review the diff).
describe("resource addresses", () => {
  it("covers every documented variant", () => {
    expect(Object.keys(committed).sort()).toEqual(Object.keys(DOCUMENTED_VARIANTS).sort());
  });

  it.each(Object.keys(DOCUMENTED_VARIANTS))("%s keeps every address", (variant) => {
    const expected = (committed as Record<string, Record<string, string[]>>)[variant];
    const actual = addressesOf(variant);
    for (const stack of Object.keys(expected)) {
      const missing = expected[stack].filter((a) => !actual[stack]?.includes(a));
      expect({ stack, missing }).toEqual({ stack, missing: [] });
    }
    // New addresses are fine only when recorded: the list stays the whole truth.
    expect(actual).toEqual(expected);
  });
});
