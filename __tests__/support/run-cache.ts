import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { takeLease } from "./lease";

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
    if (takeLease(lock)) break;
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
