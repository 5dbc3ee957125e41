// The tools' entry point, `@secure-aws-env/cdktf/tools`: what reads, prices, draws, plans and publishes what the
// library builds. Kept apart from the constructs (`@secure-aws-env/cdktf`) so that a library user installs none of the
// tools' packages: `@viz-js/viz` (renderSvg) and `yaml` (renderWorkflow) are optional peers, loaded when first used.

// Inventory: what a synthesized stack holds, read from its Terraform JSON.
export { readInventory } from "./inventory/inventory";
export type {
  Address,
  EgressInfo,
  EipInfo,
  FlowInfo,
  FlowSource,
  InstanceInfo,
  Inventory,
  NatGatewayInfo,
  RouteKind,
  SubnetInfo,
  TerraformJson,
} from "./inventory/inventory";

// Diagram: the inventory as Graphviz DOT, rendered to SVG (needs the optional peer `@viz-js/viz`).
export { toDot } from "./diagram/dot";
export type { DiagramOptions } from "./diagram/dot";
export { renderSvg } from "./diagram/render";

// Cost: the monthly estimate of a synthesized stack from the committed price table.
export { COST_DEFAULTS, estimateCost } from "./cost/estimate";
export type {
  CostAssumptions,
  CostCategory,
  CostEstimate,
  CostLine,
  NatModeCost,
  PublicIpv4Summary,
} from "./cost/estimate";
export { formatEstimate } from "./cost/format";
export { PRICE_TABLE } from "./cost/prices";
export type { PriceTable, RegionPrices } from "./cost/prices";

// Plans: synthesizing an app, finding terraform, planning every stack offline or for real, the summaries of plans.
export { planApp, PlanError, synthesizeApp, synthesizedStacks, UnknownStackError } from "./pipeline/plan";
export type { PlanMode, PlanOptions, PlanStep, StackFailure, StackPlan, SynthesizedStack } from "./pipeline/plan";
export { detectTerraform } from "./pipeline/terraform";
export type { DetectOptions, TerraformRun, TerraformToolchain } from "./pipeline/terraform";
export { summarizePlan } from "../rules/plan-json";
export { renderMarkdownSummary } from "./pipeline/summary-markdown";
export type { StackFailureSummary, StackSummary } from "./pipeline/summary-markdown";

// CI: the GitHub Actions workflow (needs the optional peer `yaml`) and its job matrix.
export { renderWorkflow, WORKFLOW_DEFAULTS, WORKFLOW_PATH } from "./ci-workflow/workflow";
export type { WorkflowOptions } from "./ci-workflow/workflow";
export { matrixOutputs, pipelineMatrix } from "./ci-workflow/matrix";
export type { MatrixEnvironment, PipelineMatrix } from "./ci-workflow/matrix";

// Terraform modules: the plain HCL modules for Terraform users, and their release archives.
export { buildModulePackages, TERRAFORM_MODULES } from "./terraform-module/packages";
export type { TerraformModuleName } from "./terraform-module/packages";
export type { ModuleDocument, ModuleFiles } from "./terraform-module/build";
export type { BlockTypes, JsonObject, JsonValue } from "./terraform-module/hcl";
export { moduleArchive } from "./terraform-module/archive";

// Config docs: the field tables of the configuration reference, generated from the schema.
export { renderConfigReference } from "./config-docs/reference";
