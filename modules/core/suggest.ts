import { z } from "zod";

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
};

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas a value at `path` may be checked against (several under a union). */
function schemasAt(schema: z.ZodType, path: ReadonlyArray<string | number>): z.ZodType[] {
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "catch":
      return schemasAt(def.innerType as z.ZodType, path);
    case "pipe":
      return schemasAt(def.in as z.ZodType, path);
    case "lazy":
      return schemasAt((def.getter as () => z.ZodType)(), path);
    case "union":
      return (def.options ?? []).flatMap((option) => schemasAt(option, path));
    case "intersection":
      return [...schemasAt(def.left as z.ZodType, path), ...schemasAt(def.right as z.ZodType, path)];
  }
  if (path.length === 0) return [schema];
  const [head, ...rest] = path;
  if (def.type === "object" && typeof head === "string" && def.shape?.[head] !== undefined)
    return schemasAt(def.shape[head], rest);
  if (def.type === "array" && typeof head === "number") return schemasAt(def.element as z.ZodType, rest);
  if (def.type === "record") return schemasAt(def.valueType as z.ZodType, rest);
  return [];
}

/** The field names an object at `path` of `schema` may have. */
export function knownFieldsAt(schema: z.ZodType, path: ReadonlyArray<string | number>): string[] {
  const names = schemasAt(schema, path).flatMap((s) => {
    const def = defOf(s);
    return def.type === "object" ? Object.keys(def.shape ?? {}) : [];
  });
  return [...new Set(names)];
}

/**
 * The known name an unknown one most likely meant: the nearest by edit distance (case ignored), when it is close
 * enough to be a typo (at most a third of the name's length, and at least 1 edit allowed).
 */
export function nearestName(unknown: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  // Loaded here, not on import: only a config with an unknown field needs it.
  const { closest, distance } = require("fastest-levenshtein") as typeof import("fastest-levenshtein");
  const lower = unknown.toLowerCase();
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const best = closest(lower, [...byLower.keys()]);
  return distance(lower, best) <= Math.max(1, Math.floor(unknown.length / 3)) ? byLower.get(best) : undefined;
}
