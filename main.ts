import "./app/source-maps";
import { addAllStacks } from "./modules/environment/app";
import { validateStacksOrExit } from "./app/validate";
import { loadEnvironmentsOrExit } from "./app/config-file";
import { newCommandLineApp, removeOrphanedStacks } from "./app/output";
import { readSettingsOrExit } from "./app/settings";

// Environments in (config/environments.json, or $ENVIRONMENTS_FILE); stacks out: one per environment (network,
// bastion, servers, state in S3) and one per state bucket, creating it (STATE_BOOTSTRAP=local before it exists).
// Validations, the rules among them, run once below, before anything is written, so synth does not repeat them.
// The app shell (app/) reads the environment variables and exits on bad input; modules/ does neither.
const settings = readSettingsOrExit(process.env, __dirname);
const environments = loadEnvironmentsOrExit(settings.environmentsFile);
const app = newCommandLineApp({ skipValidation: true });
const stacks = addAllStacks(app, environments, settings.stateBootstrapLocal);
validateStacksOrExit(stacks);
app.synth();
removeOrphanedStacks(app.outdir);
