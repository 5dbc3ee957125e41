import { skipTokenCreationTraces } from "./app/stack-traces";
import { App } from "cdktf";
import { addAllStacks } from "./modules/environment/app";
import { validateStacksOrExit } from "./app/validate";
import { loadEnvironmentsOrExit } from "./app/config-file";
import { stageOutput } from "./app/output";
import { readSettingsOrExit } from "./app/settings";
import { checkPlaceholdersOrExit } from "./app/placeholders";
import { synthReport } from "./app/synth-report";

// Environments in (config/environments.json, or $ENVIRONMENTS_FILE); stacks out: one per environment (network,
// bastion, servers, state in S3) and one per state bucket, creating it (STATE_BOOTSTRAP=local before it exists).
// The stacks are synthesized into a staging dir and validated there, the rules among the validations, once; only
// then do they reach cdktf.out. The app shell (app/) reads the environment variables and exits on bad input;
// modules/ does neither.
const settings = readSettingsOrExit(process.env, __dirname);
if (!settings.tokenCreationTraces) skipTokenCreationTraces();
const environments = loadEnvironmentsOrExit(settings.environmentsFile);
checkPlaceholdersOrExit(environments, settings.placeholders);
const output = stageOutput(settings.outdir);
const app = new App({ outdir: output.staging, skipValidation: true });
const stacks = addAllStacks(app, environments, settings.stateBootstrapLocal);
app.synth();
validateStacksOrExit(stacks, output.staging);
output.publish();
// Run directly (`npm run synth`), say what was written; cdktf-cli (synth, deploy) reports for itself.
if (!settings.runByCdktfCli) process.stdout.write(`${synthReport(settings.outdir)}\n`);
