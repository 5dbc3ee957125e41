// A lease between processes: a dir made with an atomic mkdir, holding its holder's pid. Plain CommonJS, so that
// terraform-reattach.js (run by node outside jest) and run-cache.ts share it.
"use strict";
const fs = require("node:fs");
const { join } = require("node:path");

/** Whether process `pid` still runs. */
function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Takes the lease dir `lease`, or takes it over from a process that no longer runs; false when another holds it. */
function takeLease(lease) {
  try {
    fs.mkdirSync(lease);
    fs.writeFileSync(join(lease, "pid"), String(process.pid));
    return true;
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
  }
  let owner;
  try {
    owner = Number(fs.readFileSync(join(lease, "pid"), "utf8"));
  } catch {
    return false; // its holder is between mkdir and writing its pid, or just released it
  }
  if (owner > 0 && isRunning(owner)) return false;
  fs.rmSync(lease, { recursive: true, force: true });
  return takeLease(lease);
}

module.exports = { isRunning, takeLease };
