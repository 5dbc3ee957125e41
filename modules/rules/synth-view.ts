import { ResourceView, StackView } from "./view";

/** A stack's synthesized Terraform JSON (`stack.toTerraform()`, or a `cdk.tf.json`), as far as the rules read it. */
export interface StackJson {
  /** Resources by type, then by name (logical id). */
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Record<string, unknown>>>>>;
  /** The `terraform` block; its `backend` says where state lives. */
  readonly terraform?: { readonly backend?: Readonly<Record<string, unknown>> };
}

/** `type.name` followed by attribute or index steps, as it appears inside a `${...}` expression. */
const REFERENCE = /([A-Za-z][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z0-9_]+|\[[^\]]*\])*)/g;

/** The references to `known` resources inside the `${...}` expressions of `value`, each once. */
function referencesIn(value: unknown, known: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === "string") {
      if (!v.includes("${")) return;
      for (const match of v.matchAll(REFERENCE)) {
        if (known.has(match[1]) && !found.includes(match[0])) found.push(match[0]);
      }
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(visit);
  };
  visit(value);
  return found;
}

/** The view of one stack's synthesized JSON: its resources (references read from `${...}`) and its backend. */
export function viewOfSynth(json: StackJson): StackView {
  const entries = Object.entries(json.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, values]) => ({ type, name, values })),
  );
  const known = new Set(entries.map((e) => `${e.type}.${e.name}`));
  const resources: ResourceView[] = entries.map(({ type, name, values }) => {
    const references: Record<string, string[]> = {};
    for (const [attribute, value] of Object.entries(values)) {
      const refs = referencesIn(value, known);
      if (refs.length > 0) references[attribute] = refs;
    }
    return { address: `${type}.${name}`, type, name, values, references };
  });
  return { input: "synth", resources, backends: Object.keys(json.terraform?.backend ?? {}) };
}
