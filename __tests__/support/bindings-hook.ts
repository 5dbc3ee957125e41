// Loaded with `node --require`: makes every `require` in this process resolve the packages named in the JSON of
// BINDINGS_RENAMES (a `Renames`) to their replacements, so the unchanged library and tests run against other bindings.
import Module from "node:module";
import { renameSpecifier, Renames } from "../../scripts/bindings";

const renames = JSON.parse(process.env.BINDINGS_RENAMES ?? "{}") as Renames;
const loader = Module as unknown as { _resolveFilename(request: string, ...rest: unknown[]): string };
const resolveFilename = loader._resolveFilename;
loader._resolveFilename = function (request: string, ...rest: unknown[]) {
  return resolveFilename.call(this, renameSpecifier(request, renames), ...rest);
};
