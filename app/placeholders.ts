import { ResolvedEnvironment } from "../modules/environment/resolve";
import { placeholderProblems } from "../modules/environment/placeholders";
import { formatProblem } from "../modules/core/problems";
import { reportAndExit } from "./report";

/** What a run does about the default config's placeholders (app/settings.ts reads it from the environment). */
export type PlaceholderPolicy = "warn" | "refuse" | "accept";

/**
 * Checks the environments for the shipped placeholders (modules/environment/placeholders.ts), once per run: `warn` prints
 * them on stderr and goes on (synth, offline plans); `refuse` prints them and exits 1 before anything is written or
 * sent to AWS (`npm run deploy`/`diff`, a real `npm run plan`); `accept` (ACCEPT_PLACEHOLDERS=1) says nothing.
 */
export function checkPlaceholdersOrExit(environments: readonly ResolvedEnvironment[], policy: PlaceholderPolicy): void {
  if (policy === "accept") return;
  const problems = placeholderProblems(environments);
  if (problems.length === 0) return;
  const list = problems.map((p) => `  - ${formatProblem(p)}`).join("\n");
  const checklist =
    'see the checklist "Before the first apply: replace the placeholders" in docs/access-and-servers.md';
  if (policy === "refuse")
    reportAndExit(
      `refusing to reach AWS: ${problems.length} placeholder(s) of the default config remain (${checklist}):\n${list}\n` +
        "Replace them, or set ACCEPT_PLACEHOLDERS=1 if you mean to use these values.",
      1,
    );
  process.stderr.write(
    `warning: ${problems.length} placeholder(s) of the default config remain; replace them before the first deploy (${checklist}):\n${list}\n`,
  );
}
