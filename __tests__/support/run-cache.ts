import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Set by the jest global setup (run-dir.setup.js): a dir that lives as long as the whole test run. */
export const RUN_DIR_VARIABLE = "CDKTF_TEST_RUN_DIR";

/**
 * Makes `entry` with `make` unless it is there. A `.lock` dir beside it (atomic mkdir) marks the maker; others wait
 * for `entry/done`, or take over when the maker failed (its lock gone without a result) or its process is gone.
 */
export async function sharedEntry(entry: string, make: () => Promise<void>): Promise<void> {
  const done = join(entry, "done");
  const lock = `${entry}.lock`;
  mkdirSync(join(entry, ".."), { recursive: true });
  for (;;) {
    if (existsSync(done)) return;
    if (takeLock(lock)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    if (existsSync(done)) return;
    rmSync(entry, { recursive: true, force: true });
    mkdirSync(entry);
    await make();
    writeFileSync(done, "");
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Takes the lock dir, or takes it over from a process that no longer runs. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, "pid"), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  let owner: number;
  try {
    owner = Number(readFileSync(join(lock, "pid"), "utf8"));
  } catch {
    return false; // the owner is between mkdir and writing its pid, or just released it
  }
  try {
    process.kill(owner, 0);
    return false;
  } catch {
    rmSync(lock, { recursive: true, force: true });
    return false; // the next round takes it
  }
}
