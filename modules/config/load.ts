import { readFileSync } from "node:fs";
import { z } from "zod";
import { EnvironmentConfig, environmentSchema } from "./environment";
import { ConfigError, ConfigProblem, fieldPath } from "./problems";
import { stateCollisions } from "../state/plan";
import { ResolvedEnvironment, ResolveOptions, resolveEnvironment } from "../environment/resolve";

/**
 * Validates a parsed config (`{ "environments": [...] }`) and resolves each environment once (defaults applied, public
 * key read, subnets and instances placed), or throws one ConfigError that lists every problem of every environment.
 */
export function resolveConfig(raw: unknown, source = "configuration", options: ResolveOptions = {}): ResolvedEnvironment[] {
  const problems: ConfigProblem[] = [];
  const top = z.strictObject({ environments: z.array(z.unknown()).min(1) }).safeParse(raw);
  if (!top.success) {
    throw new ConfigError(toProblems(top.error.issues, raw, undefined), source);
  }
  const configs: EnvironmentConfig[] = [];
  const environments: ResolvedEnvironment[] = [];
  top.data.environments.forEach((rawEnv, index) => {
    const label = environmentLabel(rawEnv, index);
    const parsed = environmentSchema.safeParse(rawEnv);
    if (!parsed.success) {
      problems.push(...toProblems(parsed.error.issues, rawEnv, label));
      return;
    }
    if (configs.some((c) => c.name === parsed.data.name)) {
      problems.push({ environment: label, field: "name", value: parsed.data.name, expected: "an environment name used once in the file" });
    }
    configs.push(parsed.data);
    const resolved = resolveEnvironment(parsed.data, options);
    problems.push(...resolved.problems);
    if (resolved.environment !== undefined) environments.push(resolved.environment);
  });
  // Between environments: two of them writing one Terraform state, or disagreeing about a shared state bucket.
  problems.push(...stateCollisions(configs));
  if (problems.length > 0) throw new ConfigError(problems, source);
  return environments;
}

/** Validates a parsed config and returns its environments' configs (see `resolveConfig`, which this runs). */
export function validateConfig(raw: unknown, source = "configuration", options: ResolveOptions = {}): EnvironmentConfig[] {
  return resolveConfig(raw, source, options).map((e) => e.config);
}

/** Reads a JSON config file, then validates and resolves it (`resolveConfig`). */
export function loadConfigFile(path: string, options: ResolveOptions = {}): ResolvedEnvironment[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ConfigError([{ field: "(file)", value: path, expected: `a readable config file (${(error as Error).message})` }], path);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ field: "(file)", value: path, expected: `valid JSON (${(error as Error).message})` }], path);
  }
  return resolveConfig(raw, path, options);
}

function environmentLabel(rawEnv: unknown, index: number): string {
  const name = (rawEnv as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" ? name : `#${index + 1}`;
}

function toProblems(issues: readonly z.core.$ZodIssue[], raw: unknown, environment: string | undefined): ConfigProblem[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        environment,
        field: fieldPath(...path, key),
        value: valueAt(raw, [...path, key]),
        expected: "no such field: it is not one this project knows (a typo?)",
      }));
    }
    const value = valueAt(raw, path);
    const expected =
      issue.code !== "invalid_type" ? issue.message : value === undefined ? `a ${issue.expected}: this field is required` : `a value of type ${issue.expected}`;
    return [{ environment, field: fieldPath(...path) || "(root)", value, expected }];
  });
}

function valueAt(raw: unknown, path: ReadonlyArray<string | number>): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[key] : undefined), raw);
}
