import "./modules/environment/no-source-maps";
import { App } from "cdktf";
import { loadEnvironmentsOrExit } from "./modules/config/cli";
import { addAllStacks } from "./modules/environment/app";
import { validateStacksOrExit } from "./app/validate";

// Environments in (config/environments.json, or $ENVIRONMENTS_FILE); stacks out: one per environment (network,
// bastion, servers, state in S3) and one per state bucket, creating it (STATE_BOOTSTRAP=local before it exists).
// Validations, the rules among them, run once below, before anything is written, so synth does not repeat them.
const environments = loadEnvironmentsOrExit(__dirname);
const app = new App({ skipValidation: true });
const stacks = addAllStacks(app, environments);
validateStacksOrExit(stacks);
app.synth();
