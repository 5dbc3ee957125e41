// npm run build:cdktn [-- OUT_DIR]: builds the @secure-aws-env/cdktn package into dist-cdktn/ (or OUT_DIR); then
// `npm publish` in that folder publishes it.
import { resolve } from "node:path";
import { buildCdktnPackage } from "./cdktn-package";

const out = resolve(process.argv[2] ?? "dist-cdktn");
const started = Date.now();
const { files } = buildCdktnPackage(out);
process.stdout.write(
  `${out}: ${files} sources renamed and compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
