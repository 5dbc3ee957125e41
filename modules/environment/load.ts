import { readFileSync } from "node:fs";
import { z } from "zod";
import { EnvironmentConfig, environmentSchema } from "./schema";
import { knownFieldsAt, nearestName } from "../core/suggest";
import { parseJson, formatJsonSyntaxProblem } from "../core/json";
import { ConfigError, ConfigProblem, ConfigSyntaxError, fieldPath } from "../core/problems";
import { stateCollisions } from "../state/plan";
import { ResolvedEnvironment, ResolveOptions, resolveEnvironment } from "./resolve";
import { ciProblems } from "../ci/plan";

const topSchema = z.strictObject({ environments: z.array(z.unknown()).min(1) });

/**
 * Validates a parsed config (`{ "environments": [...] }`) and resolves each environment once (defaults applied, public
 * key read, subnets and instances placed), or throws one ConfigError that lists every problem of every environment.
 */
export function resolveConfig(
  raw: unknown,
  source = "configuration",
  options: ResolveOptions = {},
): ResolvedEnvironment[] {
  const problems: ConfigProblem[] = [];
  const top = topSchema.safeParse(raw);
  if (!top.success) {
    throw new ConfigError(toProblems(top.error.issues, raw, undefined, topSchema), source);
  }
  const configs: EnvironmentConfig[] = [];
  const environments: ResolvedEnvironment[] = [];
  top.data.environments.forEach((rawEnv, index) => {
    const label = environmentLabel(rawEnv, index);
    let parsed = environmentSchema.safeParse(rawEnv);
    if (!parsed.success) {
      problems.push(...toProblems(parsed.error.issues, rawEnv, label, environmentSchema));
      // Unknown fields only (typos)? Check the rest without them, so what a typo hides shows in this run too.
      const issues = parsed.error.issues;
      if (!issues.every((i) => i.code === "unrecognized_keys")) return;
      parsed = environmentSchema.safeParse(withoutUnknownFields(rawEnv, issues));
      if (!parsed.success) return;
      problems.push(...resolveEnvironment(parsed.data, options).problems);
      return;
    }
    if (configs.some((c) => c.name === parsed.data.name)) {
      problems.push({
        environment: label,
        field: "name",
        value: parsed.data.name,
        expected: "an environment name used once in the file",
      });
    }
    configs.push(parsed.data);
    const resolved = resolveEnvironment(parsed.data, options);
    problems.push(...resolved.problems);
    if (resolved.environment !== undefined) environments.push(resolved.environment);
  });
  // Between environments: two of them writing one Terraform state, or disagreeing about a shared state bucket.
  problems.push(...stateCollisions(configs));
  problems.push(...ciProblems(configs));
  if (problems.length > 0) throw new ConfigError(problems, source);
  return environments;
}

/** Validates a parsed config and returns its environments' configs (see `resolveConfig`, which this runs). */
export function validateConfig(
  raw: unknown,
  source = "configuration",
  options: ResolveOptions = {},
): EnvironmentConfig[] {
  return resolveConfig(raw, source, options).map((e) => e.config);
}

/** Reads a JSON config file, then validates and resolves it (`resolveConfig`). */
export function loadConfigFile(path: string, options: ResolveOptions = {}): ResolvedEnvironment[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError(
      [{ field: "(file)", value: path, expected: `a readable config file (${(error as Error).message})` }],
      path,
    );
  }
  const { value, problem } = parseJson(text);
  if (problem !== undefined) {
    const where = `${problem.line}:${problem.column}`;
    throw new ConfigSyntaxError(
      { field: "(file)", value: `${path}:${where}`, expected: `valid JSON: ${problem.message}` },
      formatJsonSyntaxProblem(path, problem),
      path,
    );
  }
  return resolveConfig(value, path, options);
}

function environmentLabel(rawEnv: unknown, index: number): string {
  const name = (rawEnv as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" ? name : `#${index + 1}`;
}

function toProblems(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  environment: string | undefined,
  schema: z.ZodType,
): ConfigProblem[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        environment,
        field: fieldPath(...path, key),
        value: valueAt(raw, [...path, key]),
        expected: unknownFieldExpectation(key, knownFieldsAt(schema, path)),
      }));
    }
    const value = valueAt(raw, path);
    const expected =
      issue.code !== "invalid_type"
        ? issue.message
        : value === undefined
          ? `a ${issue.expected}: this field is required`
          : `a value of type ${issue.expected}`;
    return [{ environment, field: fieldPath(...path) || "(root)", value, expected }];
  });
}

function unknownFieldExpectation(key: string, known: readonly string[]): string {
  const nearest = nearestName(key, known);
  if (nearest !== undefined) return `no such field: did you mean "${nearest}"?`;
  return known.length === 0 ? "no such field" : `no such field; the fields here are ${known.join(", ")}`;
}

/** A copy of `raw` without the unknown fields the issues name. */
function withoutUnknownFields(raw: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const copy = structuredClone(raw);
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const holder = valueAt(
      copy,
      issue.path.filter((p): p is string | number => typeof p !== "symbol"),
    );
    if (holder !== null && typeof holder === "object")
      for (const key of issue.keys) delete (holder as Record<string, unknown>)[key];
  }
  return copy;
}

function valueAt(raw: unknown, path: ReadonlyArray<string | number>): unknown {
  return path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[key] : undefined,
    raw,
  );
}
