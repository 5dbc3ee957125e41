import { COST_DEFAULTS, CostAssumptions, estimateCost } from "../modules/tools/cost/estimate";
import { formatEstimate } from "../modules/tools/cost/format";
import { parseAssumptions } from "../modules/tools/cost/assumptions";
import { runCommand, UsageError } from "./cli";
import { loadStacks } from "./synthesized";

const USAGE = `usage: npm run cost -- [--json] [--stack NAME ...] [--from DIR] [--hours N] [--nat-traffic-gb N]
                       [--flow-log-gb N] [--root-volume-gib N] [--alb-lcus N] [--endpoint-traffic-gb N]

Synthesizes the app (config/environments.json, or $ENVIRONMENTS_FILE) into cdktf.out and prints, for every stack, a
monthly estimate from its synthesized Terraform JSON and the committed price table (modules/tools/cost/prices.ts): one line
per billable resource, the total, and what the stack would cost under each NAT mode.
  --json               the same as JSON (one object per stack), for pipelines
  --stack NAME         only this stack (repeatable)
  --from DIR           read an app synthesized before (e.g. cdktf.out) instead of synthesizing now
  --hours N            hours each resource runs in a month (default ${COST_DEFAULTS.hoursPerMonth})
  --nat-traffic-gb N   GB per month through the NAT, both directions (default ${COST_DEFAULTS.natTrafficGb})
  --flow-log-gb N      GB of flow-log records per month per flow log (default ${COST_DEFAULTS.flowLogGb})
  --root-volume-gib N  root volume size where the AMI decides it (default ${COST_DEFAULTS.rootVolumeGiB})
  --alb-lcus N         load balancer capacity units an ALB uses on average (default ${COST_DEFAULTS.albLcus})
  --endpoint-traffic-gb N  GB per month through the interface endpoints (default ${COST_DEFAULTS.endpointTrafficGb})
Exit status: 0 printed, 1 a config error, 2 usage.`;

runCommand(
  USAGE,
  {
    json: { type: "boolean" },
    stack: { type: "string", multiple: true },
    from: { type: "string" },
    hours: { type: "string" },
    "nat-traffic-gb": { type: "string" },
    "flow-log-gb": { type: "string" },
    "root-volume-gib": { type: "string" },
    "alb-lcus": { type: "string" },
    "endpoint-traffic-gb": { type: "string" },
  },
  (values) => {
    let assumptions: Partial<CostAssumptions>;
    try {
      assumptions = parseAssumptions({
        hoursPerMonth: values.hours,
        natTrafficGb: values["nat-traffic-gb"],
        flowLogGb: values["flow-log-gb"],
        rootVolumeGiB: values["root-volume-gib"],
        albLcus: values["alb-lcus"],
        endpointTrafficGb: values["endpoint-traffic-gb"],
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const estimates = loadStacks(values.from, values.stack).map((s) => ({
      stack: s.name,
      ...estimateCost(s.json, assumptions),
    }));
    if (values.json === true) process.stdout.write(`${JSON.stringify(estimates, null, 2)}\n`);
    else process.stdout.write(`${estimates.map(({ stack, ...e }) => formatEstimate(stack, e)).join("\n\n")}\n`);
    return 0;
  },
);
