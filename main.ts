import { App } from "cdktf";
import { loadEnvironmentsOrExit } from "./modules/config/cli";
import { addAllStacks } from "./modules/environment/app";
import { validateStacksOrExit } from "./modules/guardrails/guardrails";

// Environments in (config/environments.json, or $ENVIRONMENTS_FILE); stacks out: one per environment (network,
// bastion, servers, state in S3) and one per state bucket, creating it (STATE_BOOTSTRAP=local before it exists).
const app = new App();
const stacks = addAllStacks(app, loadEnvironmentsOrExit(__dirname));
// Guardrails (admin ports, IMDSv2, encryption, public IPs, NAT per AZ, remote state) before anything is written.
validateStacksOrExit(stacks);
app.synth();
