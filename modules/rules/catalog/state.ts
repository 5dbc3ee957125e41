import { Rule } from "../engine";

export const remoteState: Rule = {
  id: "remote-state",
  scannerIds: [],
  description:
    'Every stack keeps its state in a remote backend, unless the config chooses local state (backend.type "local")',
  // A plan does not say which backend its stack declares (and `npm run plan -- --offline` swaps in a local one).
  inputs: ["synth"],
  check: (view, context) => {
    const kinds = view.backends ?? [];
    if (context.localStateOptIn === true || (kinds.length > 0 && !kinds.includes("local"))) return [];
    return [
      {
        address: "terraform.backend",
        message: `state is ${kinds.length === 0 ? "Terraform's local default" : "local"}: a team and its pipelines cannot share or lock it`,
      },
    ];
  },
};
