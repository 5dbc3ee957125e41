/**
 * What AWS provider 6.0.0 changed (its upgrade guide, "Terraform AWS Provider Version 6 Upgrade Guide") on the
 * resource and data source types this project creates or reads, in one place. Each entry is checked against the
 * bindings and against everything the project synthesizes (`__tests__/provider6.test.ts`):
 * - `removed`: the argument is in the 5.100.0 bindings and not in the 6.x ones, and nothing sets it;
 * - `not-set`: it stays, but 6.x restricts its values; nothing sets it;
 * - `not-read`: an attribute whose meaning changed; no expression reads it.
 */
export const PROVIDER6_CHANGES: readonly {
  kind: "resource" | "data";
  type: string;
  argument: string;
  check: "removed" | "not-set" | "not-read";
  change: string;
}[] = [
  { kind: "resource", type: "aws_eip", argument: "vpc", check: "removed", change: 'removed: use domain = "vpc"' },
  {
    kind: "resource",
    type: "aws_flow_log",
    argument: "log_group_name",
    check: "removed",
    change: "removed: use log_destination",
  },
  {
    kind: "resource",
    type: "aws_instance",
    argument: "cpu_core_count",
    check: "removed",
    change: "removed: use cpu_options.core_count",
  },
  {
    kind: "resource",
    type: "aws_instance",
    argument: "cpu_threads_per_core",
    check: "removed",
    change: "removed: use cpu_options.threads_per_core",
  },
  {
    kind: "resource",
    type: "aws_ssm_association",
    argument: "instance_id",
    check: "removed",
    change: "removed: use targets",
  },
  {
    kind: "resource",
    type: "aws_lb_target_group",
    argument: "preserve_client_ip",
    check: "not-set",
    change: 'accepts only "", true or false (no 0/1)',
  },
  {
    kind: "resource",
    type: "aws_lb_listener",
    argument: "mutual_authentication",
    check: "not-set",
    change: 'trust store settings only with mode = "verify"',
  },
  {
    kind: "resource",
    type: "aws_s3_bucket",
    argument: "region",
    check: "not-read",
    change: "now the region to manage the bucket in (enhanced region support); the bucket's is bucket_region",
  },
  { kind: "data", type: "aws_region", argument: "name", check: "not-read", change: "deprecated: use region" },
];
