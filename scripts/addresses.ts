// Rewrites __tests__/fixtures/addresses.json: every resource address of the default config and its documented
// variants. Run it only when a change of addresses is intended (a new resource, or a rename with a `moved` block),
// and review the diff: a changed address replaces real infrastructure.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { allAddresses } from "../__tests__/support/variants";

const file = join(__dirname, "..", "__tests__", "fixtures", "addresses.json");
writeFileSync(
  file,
  `${JSON.stringify(
    allAddresses(() => new App({ skipValidation: true })),
    null,
    2,
  )}\n`,
);
process.stdout.write(`wrote ${file}\n`);
