// npm run build:modules [-- OUT_DIR]: writes the generated Terraform modules to terraform-modules/<name>/ (or OUT_DIR).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { buildModulePackages } from "../modules/terraform-module/packages";

const out = resolve(process.argv[2] ?? "terraform-modules");
const started = Date.now();
for (const [name, files] of Object.entries(buildModulePackages())) {
  const root = join(out, name);
  rmSync(root, { recursive: true, force: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  process.stdout.write(`${root}: ${Object.keys(files).length} files\n`);
}
process.stdout.write(`built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
