import { skipTokenCreationTraces } from "../../app/stack-traces";

/** Puts back cdktf's token creation traces, which every test file skips (setup.ts imports this module first). */
export const restoreTokenCreationTraces = skipTokenCreationTraces();
