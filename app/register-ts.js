// The app command's TypeScript loader (cdktf.json: `node --require ./app/register-ts.js main.ts`), and the npm
// scripts' (package.json: scripts/*.ts, bench/*.ts; 2.5x faster to start than `--import tsx`): `.ts` files are
// compiled by swc to CommonJS, and every other file loads as node loads it. A general loader (tsx) also inspects each
// `.js` file cdktf loads, which cost a third of the synth (npm run bench). Compiled files are kept in
// node_modules/.cache/register-ts, keyed by their source, swc's version and the options, so an edited main.ts or
// module is compiled again on the next run and an unchanged one is read back without loading swc at all.
// Types are not checked here: `npm test` runs `tsc --noEmit`.
"use strict";
const { createHash } = require("node:crypto");
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const OPTIONS = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022" },
  module: { type: "commonjs" },
  sourceMaps: false,
};
const cacheDir = join(__dirname, "..", "node_modules", ".cache", "register-ts");
const salt = `${require("@swc/core/package.json").version}\0${JSON.stringify(OPTIONS)}\0`;
let swc;

function compile(source, filename) {
  swc ??= require("@swc/core");
  return swc.transformSync(source, { ...OPTIONS, filename }).code;
}

require.extensions[".ts"] = (module, filename) => {
  const source = readFileSync(filename, "utf8");
  const cached = join(cacheDir, `${createHash("sha256").update(salt).update(source).digest("hex")}.js`);
  let code;
  try {
    code = readFileSync(cached, "utf8");
  } catch {
    code = compile(source, filename);
    try {
      mkdirSync(cacheDir, { recursive: true });
      const partial = `${cached}.${process.pid}`;
      writeFileSync(partial, code);
      renameSync(partial, cached); // whole or not at all: another run may read it at the same time
    } catch {
      // a read-only checkout: compile again next time
    }
  }
  module._compile(code, filename);
};
