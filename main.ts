import { App } from "cdktf";
import { loadEnvironmentsOrExit } from "./modules/config/cli";
import { EnvironmentStack } from "./modules/environment/stack";

// Environments in (config/environments.json, or $ENVIRONMENTS_FILE), one stack per environment out.
const environments = loadEnvironmentsOrExit(__dirname);

const app = new App();
for (const environment of environments) {
  new EnvironmentStack(app, environment.name, environment);
}
app.synth();
