import { App } from "cdktf";
import { EnvironmentConfig } from "../config/environment";
import { EnvironmentStack } from "./stack";

/** Adds one stack per environment to `app`: the app `main.ts` synthesizes, and the one `npm run plan` plans. */
export function addEnvironmentStacks(app: App, environments: readonly EnvironmentConfig[]): EnvironmentStack[] {
  return environments.map((environment) => new EnvironmentStack(app, environment.name, environment));
}
