/** Whether process `pid` still runs. */
export function isRunning(pid: number): boolean;
/** Takes the lease dir `lease`, or takes it over from a process that no longer runs; false when another holds it. */
export function takeLease(lease: string): boolean;
