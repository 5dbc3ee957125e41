import { App, TerraformStack } from "cdktf";
import { StateBootstrapStack } from "./state-bootstrap-stack";
import { stateBootstrapStackId, stateStores } from "../state/plan";
import { EnvironmentStack } from "./stack";
import { ResolvedEnvironment } from "./resolve";
import { addCiIdentityStacks } from "../ci/app";

/** Adds one stack per environment to `app`. */
export function addEnvironmentStacks(app: App, environments: readonly ResolvedEnvironment[]): EnvironmentStack[] {
  return environments.map((environment) => new EnvironmentStack(app, environment.config.name, environment));
}

/**
 * Adds the stacks that create the environments' remote state: one per S3 state bucket, with its lock tables. While
 * `localState` (before the bucket exists) that stack keeps its own state in a local file, then in the bucket.
 */
export function addStateBootstrapStacks(
  app: App,
  environments: readonly ResolvedEnvironment[],
  localState: boolean,
): StateBootstrapStack[] {
  return stateStores(environments.map((e) => e.config)).map(
    (store) => new StateBootstrapStack(app, stateBootstrapStackId(store.bucket), { ...store, localState }),
  );
}

/**
 * Every stack of the project for these environments: what `main.ts` synthesizes and `npm run plan` plans.
 * `stateBootstrapLocal` (the app shell reads `STATE_BOOTSTRAP=local`) gives the bootstrap stacks local state.
 */
export function addAllStacks(
  app: App,
  environments: readonly ResolvedEnvironment[],
  stateBootstrapLocal = false,
): TerraformStack[] {
  return [
    ...addEnvironmentStacks(app, environments),
    ...addStateBootstrapStacks(app, environments, stateBootstrapLocal),
    ...addCiIdentityStacks(
      app,
      environments.map((e) => e.config),
    ),
  ];
}
