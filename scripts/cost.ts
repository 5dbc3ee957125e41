import { parseArgs } from "node:util";
import { CostAssumptions, estimateCost } from "../modules/cost/estimate";
import { formatEstimate } from "../modules/cost/format";
import { parseAssumptions } from "../modules/cost/assumptions";
import { loadStacks } from "./synthesized";

const USAGE = `usage: npm run cost -- [--json] [--stack NAME ...] [--from DIR] [--hours N] [--nat-traffic-gb N]
                       [--flow-log-gb N] [--root-volume-gib N]

Synthesizes the app (config/environments.json, or $ENVIRONMENTS_FILE) into cdktf.out and prints, for every stack, a
monthly estimate from its synthesized Terraform JSON and the committed price table (modules/cost/prices.ts): one line
per billable resource, the total, and what the stack would cost under each NAT mode.
  --json               the same as JSON (one object per stack), for pipelines
  --stack NAME         only this stack (repeatable)
  --from DIR           read an app synthesized before (e.g. cdktf.out) instead of synthesizing now
  --hours N            hours each resource runs in a month (default 730)
  --nat-traffic-gb N   GB per month through the NAT, both directions (default 10)
  --flow-log-gb N      GB of flow-log records per month per flow log (default 1)
  --root-volume-gib N  root volume size where the AMI decides it (default 8)
Exit status: 0 printed, 1 a config error, 2 usage.`;

async function main(): Promise<number> {
  let args;
  let assumptions: Partial<CostAssumptions>;
  try {
    args = parseArgs({
      options: {
        json: { type: "boolean" },
        stack: { type: "string", multiple: true },
        from: { type: "string" },
        hours: { type: "string" },
        "nat-traffic-gb": { type: "string" },
        "flow-log-gb": { type: "string" },
        "root-volume-gib": { type: "string" },
        help: { type: "boolean" },
      },
    });
    assumptions = parseAssumptions({
      hoursPerMonth: args.values.hours,
      natTrafficGb: args.values["nat-traffic-gb"],
      flowLogGb: args.values["flow-log-gb"],
      rootVolumeGiB: args.values["root-volume-gib"],
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const estimates = loadStacks(args.values.from, args.values.stack).map((s) => ({ stack: s.name, ...estimateCost(s.json, assumptions) }));
  if (args.values.json === true) process.stdout.write(`${JSON.stringify(estimates, null, 2)}\n`);
  else process.stdout.write(`${estimates.map(({ stack, ...e }) => formatEstimate(stack, e)).join("\n\n")}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
