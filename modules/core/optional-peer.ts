/**
 * Loads a package only a tool needs (an optional peer dependency: a consumer of the constructs alone never installs
 * it). `load` requires it; when it is not installed, the error names the package and the tool that needs it, instead
 * of Node's bare "Cannot find module".
 */
export function optionalPeer<T>(name: string, tool: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" &&
      String((error as Error).message).startsWith(`Cannot find module '${name}'`);
    if (!missing) throw error;
    throw new Error(
      `${tool} needs the package "${name}", an optional peer dependency that is not installed: run \`npm install ${name}\``,
    );
  }
}
