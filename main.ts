import { App } from "cdktf";
import { loadEnvironmentsOrExit } from "./modules/config/cli";
import { addEnvironmentStacks } from "./modules/environment/app";

// Environments in (config/environments.json, or $ENVIRONMENTS_FILE), one stack per environment out.
const app = new App();
addEnvironmentStacks(app, loadEnvironmentsOrExit(__dirname));
app.synth();
