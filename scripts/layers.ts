// The folder-level import graph: which folder imports which, its cycles, and the layers it forms (ARCHITECTURE.md).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** What each folder holds, bottom-up; a folder missing here fails the layering test. */
export const FOLDER_ROLES: Readonly<Record<string, string>> = {
  core: "pure leaves: config problems, CIDR arithmetic, ports, tags, JSON and schema helpers",
  instance: "instance primitives: the hardened instance, user data, instance roles, Session Manager profile, AMI",
  security: "one security group per role, `Connections` (`allowFrom`/`allowTo`), the admin-port policy",
  keypair: "`aws_key_pair` from your public key (format-checked; no private key ever)",
  network:
    "the tiered VPC construct, its CIDR planner, NAT providers (gateway, instance), flow logs; `INetwork` and imported VPCs",
  placement: "where an instance group goes: tier and AZ checks shared by the bastion, servers and load balancer",
  state: "S3 / local / HCP Terraform backends, the state bucket construct",
  bastion: "the hardened bastion on a network, its EIP, user data and the ssh config it outputs",
  servers: "app servers (systemd service) and the DB server with its data volume, their planners",
  loadbalancer: "the optional Application Load Balancer in front of the app servers, its access-log bucket",
  rules: "the security rules (stable ids, checkov/trivy ids) over one resource view, checked at synth and in plans",
  ci: "the CI identity stack: GitHub OIDC provider, plan and apply roles",
  environment: "the config schema and loading, `resolveEnvironment`, `EnvironmentStack` and the app's stacks",
  "(entry)": "the package's main entry, `@secure-aws-env/cdktf`: the constructs, their planners, the config schema",
  "tools/inventory": "reads a synthesized stack's Terraform JSON: subnets, routes, NATs, instances, flows",
  "tools/diagram": "the inventory as a Graphviz picture, rendered to SVG with WebAssembly",
  "tools/cost": "the monthly estimate, its committed price table and the NAT-mode comparison",
  "tools/pipeline": "running terraform offline, the plan harness behind `npm run plan`, the plan summary",
  "tools/ci-workflow": "the generated GitHub Actions workflow and its job matrix",
  "tools/terraform-module": "the generator of the plain Terraform modules for HCL users",
  "tools/config-docs": "the docs' config field tables, generated from the schema",
  "(tools entry)": "the tools' entry, `@secure-aws-env/cdktf/tools`: inventory, diagram, cost, plans, CI, HCL modules",
  app: "the app shell: `main.ts` and `app/` (settings from the environment, printing, exit codes)",
  scripts: "the npm scripts' command-line programs",
  __tests__: "the tests and their support (`npm run addresses` reuses the tests' config variants)",
};

/** The folder a repository file belongs to, as the layers name it. */
export function folderOf(file: string): string {
  const parts = file.split("/");
  if (file === "main.ts" || parts[0] === "app") return "app";
  if (parts[0] === "scripts") return "scripts";
  if (parts[0] !== "modules") return parts[0];
  if (parts.length === 2) return "(entry)";
  if (parts.length === 3 && parts[1] === "tools") return "(tools entry)";
  return parts[1] === "tools" ? `tools/${parts[2]}` : parts[1];
}

/** A file of this repository's own, not a package or a Node built-in. */
const isProjectFile = (id: string) => /\.(ts|js)$/.test(id) && !id.split("/").includes("node_modules");

/** What dpdm reports: each file's imports and the file-level import cycles. */
interface DpdmReport {
  readonly tree: Record<string, Array<{ id: string | null }> | null>;
  readonly circulars: string[][];
}

/** Runs dpdm (an ES module: run as its CLI) over the files `patterns` reach, type-only imports included. */
function dpdm(cwd: string, patterns: readonly string[]): DpdmReport {
  const out = mkdtempSync(join(tmpdir(), "dpdm-"));
  try {
    const run = spawnSync(
      join(__dirname, "..", "node_modules", ".bin", "dpdm"),
      ["--no-tree", "--no-warning", "--no-circular", "--no-progress", "-o", join(out, "deps.json"), ...patterns],
      { cwd, encoding: "utf8" },
    );
    if (run.status !== 0) throw new Error(`dpdm failed: ${run.stderr}`);
    return JSON.parse(readFileSync(join(out, "deps.json"), "utf8")) as DpdmReport;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** What one dpdm run finds among the files `patterns` reach: the file-level import cycles, and each file's imports. */
export interface FileDependencies {
  readonly cycles: string[][];
  /** Each project file's imports of the project's own files. */
  readonly imports: Record<string, string[]>;
}

export function fileDependencies(cwd: string, patterns: readonly string[]): FileDependencies {
  const report = dpdm(cwd, patterns);
  return {
    cycles: report.circulars,
    imports: Object.fromEntries(
      Object.entries(report.tree)
        .filter(([file]) => isProjectFile(file))
        .map(([file, deps]) => [
          file,
          (deps ?? []).flatMap((d) => (d.id !== null && isProjectFile(d.id) ? [d.id] : [])),
        ]),
    ),
  };
}

/** Folder → the other folders it imports from. */
export type FolderGraph = Record<string, string[]>;

export function folderGraph(imports: Readonly<Record<string, readonly string[]>>, folder = folderOf): FolderGraph {
  const graph: Record<string, Set<string>> = {};
  for (const [file, deps] of Object.entries(imports)) {
    const from = folder(file);
    graph[from] ??= new Set();
    for (const dep of deps) if (folder(dep) !== from) graph[from].add(folder(dep));
  }
  return Object.fromEntries(
    Object.keys(graph)
      .sort()
      .map((name) => [name, [...graph[name]].sort()]),
  );
}

/** Each cycle among folders, as the path that closes it (empty when the graph is a DAG). */
export function folderCycles(graph: FolderGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const visit = (node: string, path: string[]): void => {
    if (state.get(node) === "done") return;
    if (state.get(node) === "open") {
      cycles.push([...path.slice(path.indexOf(node)), node]);
      return;
    }
    state.set(node, "open");
    for (const next of graph[node] ?? []) visit(next, [...path, node]);
    state.set(node, "done");
  };
  for (const node of Object.keys(graph)) visit(node, []);
  return cycles;
}

/** Each folder's layer: 0 for one that imports no other folder, else one above the highest folder it imports. */
export function layersOf(graph: FolderGraph): Record<string, number> {
  const layer: Record<string, number> = {};
  const of = (node: string): number =>
    (layer[node] ??= Math.max(-1, ...(graph[node] ?? []).map((next) => of(next))) + 1);
  for (const node of Object.keys(graph)) of(node);
  return layer;
}

/** The layers as a Markdown table, top layer first. */
export function renderLayers(graph: FolderGraph): string {
  const layer = layersOf(graph);
  const rows = Object.keys(layer).sort((a, b) => layer[b] - layer[a] || a.localeCompare(b));
  const path = (folder: string) =>
    folder === "app"
      ? "`main.ts`, `app/`"
      : folder === "(entry)"
        ? "`modules/index.ts`"
        : folder === "(tools entry)"
          ? "`modules/tools/index.ts`"
          : folder === "scripts" || folder === "__tests__"
            ? `\`${folder}/\``
            : `\`modules/${folder}/\``;
  return [
    "| layer | folder | what it holds | imports from |",
    "| --- | --- | --- | --- |",
    ...rows.map(
      (f) => `| ${layer[f]} | ${path(f)} | ${FOLDER_ROLES[f] ?? "?"} | ${(graph[f] ?? []).join(", ") || "nothing"} |`,
    ),
  ].join("\n");
}

/** The repository's own files, as dpdm sees them: the library, the app shell and the scripts. */
export function projectDependencies(root: string): FileDependencies {
  return fileDependencies(root, ["modules/**/*.ts", "main.ts", "app/**/*.ts", "scripts/**/*.ts"]);
}

/** The repository's own folder graph. */
export function projectGraph(root: string): FolderGraph {
  return folderGraph(projectDependencies(root).imports);
}
