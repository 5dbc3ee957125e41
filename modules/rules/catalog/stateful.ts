import { Rule } from "../engine";
import { ChangeView } from "../view";

/** The rule's id: what an acknowledgement of a planned loss of data names. */
export const STATEFUL_RULE_ID = "stateful-resource-destroyed";

/** A kind of resource that holds data: which ones of its type do, how to name one, and what destroying it loses. */
interface StatefulKind {
  readonly type: string;
  /** Whether this resource (its values before the change) holds data. @default every resource of the type */
  readonly holdsData?: (before: Readonly<Record<string, unknown>>) => boolean;
  /** The resource in words, e.g. `the S3 bucket "my-state"`. */
  readonly what: (before: Readonly<Record<string, unknown>>) => string;
  /** What of its data is lost with it, e.g. `its objects: Terraform state, or logs`. */
  readonly loss: string;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const tag = (before: Readonly<Record<string, unknown>>, key: string): string | undefined => {
  const tags = (before.tags ?? before.tags_all) as Record<string, unknown> | null | undefined;
  return text(tags?.[key]);
};
const named = (kind: string, name: string | undefined) => (name === undefined ? kind : `${kind} "${name}"`);

/**
 * What holds data in this project's stacks: the DB server (by its `Role` tag) and its data volume, the state bucket
 * and lock table, the log buckets (load balancer access logs, state access logs) and CloudWatch log groups.
 */
const STATEFUL_KINDS: readonly StatefulKind[] = [
  {
    type: "aws_instance",
    holdsData: (before) => tag(before, "Role") === "db",
    what: (before) => named("the DB server", tag(before, "Name")),
    loss: "everything not on its data volume; a DB server made before the data volume existed has all of it on its root volume",
  },
  {
    type: "aws_ebs_volume",
    what: (before) => named("the EBS volume", tag(before, "Name")),
    loss: "everything on the volume",
  },
  {
    type: "aws_s3_bucket",
    what: (before) => named("the S3 bucket", text(before.bucket)),
    loss: "its objects: Terraform state, or logs",
  },
  {
    type: "aws_dynamodb_table",
    what: (before) => named("the DynamoDB table", text(before.name)),
    loss: "its items: state locks",
  },
  {
    type: "aws_cloudwatch_log_group",
    what: (before) => named("the log group", text(before.name)),
    loss: "its log events",
  },
];

/** A resource holding data that a plan destroys, or replaces (destroys and creates anew, empty). */
export interface DataAtRisk {
  /** Its address in the plan. */
  readonly address: string;
  /** `delete`, or `replace`: destroyed and created anew, empty. */
  readonly action: "delete" | "replace";
  /** The resource in words, e.g. `the DB server "workshop-db"`. */
  readonly what: string;
  /** What of its data is lost with it. */
  readonly loss: string;
  /** The attributes whose change forces a replace; [] for a delete or when the plan does not say. */
  readonly forcedBy: readonly string[];
}

/** The resources holding data that `changes` destroy or replace, in the plan's order. Pure. */
export function dataAtRisk(changes: readonly ChangeView[]): DataAtRisk[] {
  return changes.flatMap((change): DataAtRisk[] => {
    if (change.action !== "delete" && change.action !== "replace") return [];
    const kind = STATEFUL_KINDS.find((k) => k.type === change.type);
    if (kind === undefined || (kind.holdsData !== undefined && !kind.holdsData(change.before))) return [];
    return [
      {
        address: change.address,
        action: change.action,
        what: kind.what(change.before),
        loss: kind.loss,
        forcedBy: change.forcedBy,
      },
    ];
  });
}

/** The change in words: `would destroy the S3 bucket "x" (aws_s3_bucket.y): its data is lost (its objects: ...)`. */
export function describeDataAtRisk(risk: DataAtRisk): string {
  const forced = risk.forcedBy.length > 0 ? `, forced by a change of ${risk.forcedBy.join(", ")}` : "";
  const verb = risk.action === "replace" ? `would destroy and recreate (empty)` : "would destroy";
  return `${verb} ${risk.what} (${risk.address})${forced}: its data is lost (${risk.loss})`;
}

export const statefulResourceDestroyed: Rule = {
  id: STATEFUL_RULE_ID,
  scannerIds: [],
  description:
    "No plan destroys or replaces a resource that holds data (the DB server and its data volume, S3 buckets, DynamoDB tables, CloudWatch log groups) unless the config acknowledges it",
  // Only a plan says what will be destroyed.
  inputs: ["plan"],
  check: (view) =>
    dataAtRisk(view.changes ?? []).map((risk) => ({
      address: risk.address,
      message: `${describeDataAtRisk(risk)}. Keep it: undo the change that causes this (a renamed resource needs a \`moved\` block; a forced replace, the old value back); or, if losing it is intended, acknowledge it in the environment's config: "guardrails": { "acknowledge": [${JSON.stringify({ rule: STATEFUL_RULE_ID, resource: risk.address.split(".").pop(), reason: "why losing it is fine" })}] }`,
    })),
};
