// npm run build:modules [-- OUT_DIR [ARCHIVE_DIR]]: writes the generated Terraform modules to terraform-modules/<name>/
// (or OUT_DIR/<name>/) and each as a release archive, dist/terraform-modules/<name>-<version>.tar.gz (or in
// ARCHIVE_DIR), the version being the npm package's.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { buildModulePackages } from "../modules/tools/terraform-module/packages";
import { moduleArchive } from "../modules/tools/terraform-module/archive";

const root = join(__dirname, "..");
const out = resolve(process.argv[2] ?? "terraform-modules");
const archives = resolve(process.argv[3] ?? join(root, "dist", "terraform-modules"));
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
const started = Date.now();
mkdirSync(archives, { recursive: true });
for (const [name, files] of Object.entries(buildModulePackages(version))) {
  const folder = join(out, name);
  rmSync(folder, { recursive: true, force: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, file)), { recursive: true });
    writeFileSync(join(folder, file), text);
  }
  const archive = join(archives, `${name}-${version}.tar.gz`);
  writeFileSync(archive, moduleArchive(files));
  process.stdout.write(`${folder}: ${Object.keys(files).length} files\n${archive}\n`);
}
process.stdout.write(`built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
