import { App, Testing } from "cdktf";
import { resolveConfig, validateConfig } from "../../modules/environment/load";
import { ResolvedEnvironment } from "../../modules/environment/resolve";
import { EnvironmentConfig, EnvironmentInput } from "../../modules/environment/schema";
import { EnvironmentStack } from "../../modules/environment/stack";
import defaultConfig from "../fixtures/environments.json";

/** A synthesized stack's Terraform JSON. */
export interface SynthJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
  provider?: Record<string, unknown[]>;
  terraform?: Record<string, unknown>;
}

/** The default environment (the fixture copy of the shipped config/environments.json), deep-copied so a test may change it. */
export function workshopConfig(): EnvironmentConfig {
  return structuredClone(validateConfig(defaultConfig)[0]);
}

/** Resolves one environment the way the app does (a ConfigError when it has problems). */
export function resolveOne(config: EnvironmentInput): ResolvedEnvironment {
  return resolveConfig({ environments: [config] })[0];
}

/** Resolves an environment the way the app does, then synthesizes its stack. */
export function synthEnvironment(config: EnvironmentInput): { text: string; json: SynthJson; stack: EnvironmentStack } {
  const env = resolveOne(config);
  const app: App = Testing.app();
  const stack = new EnvironmentStack(app, env.config.name, env);
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as SynthJson, stack };
}

/** Resources of one type, keyed by logical id. */
export function resourcesOf(json: SynthJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** Every resource as `type.logicalId` → properties. */
export function allResources(json: SynthJson): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const [type, byId] of Object.entries(json.resource ?? {})) {
    for (const [id, props] of Object.entries(byId)) out.set(`${type}.${id}`, props);
  }
  return out;
}

/** The one resource of `type` whose logical id starts with `prefix` (construct path with `_` separators). */
export function resourceNamed(json: SynthJson, type: string, prefix: string): Record<string, unknown> {
  const matches = Object.entries(resourcesOf(json, type)).filter(([id]) => id.startsWith(`${prefix}_`));
  if (matches.length !== 1)
    throw new Error(`expected one ${type} named ${prefix}, found ${matches.map(([id]) => id).join(", ") || "none"}`);
  return matches[0][1];
}

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
export function logicalIdOf(json: SynthJson, type: string, prefix: string): string {
  const ids = Object.keys(resourcesOf(json, type)).filter((id) => id.startsWith(`${prefix}_`));
  if (ids.length !== 1) throw new Error(`expected one ${type} named ${prefix}, found ${ids.join(", ") || "none"}`);
  return ids[0];
}
