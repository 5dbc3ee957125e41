import { App } from "cdktf";
import { loadEnvironmentsOrExit } from "./modules/config/cli";
import { EnvironmentStack } from "./modules/environment/stack";
import { StateBootstrapStack } from "./modules/state/bootstrap";
import { stateBootstrapStackId, stateStores } from "./modules/state/plan";

// Environments in (config/environments.json, or $ENVIRONMENTS_FILE), one stack per environment out.
const environments = loadEnvironmentsOrExit(__dirname);

const app = new App();
for (const environment of environments) {
  new EnvironmentStack(app, environment.name, environment);
}
// Their remote state: one bootstrap stack per S3 state bucket, creating it and its lock tables. That stack keeps its
// own state in a local file while STATE_BOOTSTRAP=local (before the bucket exists), then in the bucket (README).
for (const store of stateStores(environments)) {
  new StateBootstrapStack(app, stateBootstrapStackId(store.bucket), { ...store, localState: process.env.STATE_BOOTSTRAP === "local" });
}
app.synth();
