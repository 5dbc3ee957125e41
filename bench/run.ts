import { spawnSync } from "node:child_process";
import { cpus, tmpdir } from "node:os";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  Budget,
  failedBudgets,
  fileSeconds,
  formatBudget,
  JestJson,
  pairedRatio,
  stackTimingSummaries,
  summarize,
  Summary,
  table,
  verdict,
  wantsRecord,
} from "./stats";

// `npm run bench [-- --runs N] [--suite-runs N] [--skip-suites] [--skip-plan] [--baseline DIR] [--record]`: measures
// synth, tests and plan; exits 1 when a budget fails; with --record, prepends the table to BENCHMARKS.md (tracked:
// only on purpose).
const root = resolve(__dirname, "..");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1] ?? 0) || 5;
/** The whole suite takes minutes: once by default. */
const suiteRuns = Number(args[args.indexOf("--suite-runs") + 1] ?? 0) || 1;
const scratch = mkdtempSync(join(tmpdir(), "bench-"));
const quiet = { CHECKPOINT_DISABLE: "1", DISABLE_VERSION_CHECK: "true", CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true" };
const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

interface Measurement {
  readonly seconds: Summary;
  /** Each run's wall seconds, in the order taken (for ratios of runs taken in turns). */
  readonly samples: readonly number[];
  /** Peak resident set size in MB of the process tree's largest process, when /usr/bin/time is there. */
  readonly peakMb?: Summary;
}

/** One command to time: what runs, where, with which extra environment. */
interface Timed {
  readonly label: string;
  readonly command: string;
  readonly argv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Runs `timed` once: its wall seconds and peak RSS; fails the benchmark if the run fails. */
function runOnce(timed: Timed): { seconds: number; peakMb?: number } {
  const rssFile = join(scratch, "rss");
  const [cmd, cmdArgs] =
    gnuTime === undefined
      ? [timed.command, [...timed.argv]]
      : [gnuTime, ["-f", "%M", "-o", rssFile, timed.command, ...timed.argv]];
  const started = process.hrtime.bigint();
  const run = spawnSync(cmd, cmdArgs, {
    cwd: timed.cwd ?? root,
    env: { ...process.env, ...quiet, ...timed.env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${timed.label} failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  if (gnuTime === undefined) return { seconds };
  return { seconds, peakMb: Number(readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024 };
}

/**
 * Runs each command `count` times, taking turns (a, b, a, b, ...), so a machine that speeds up or slows down during
 * the benchmark weighs on every command alike; one measurement per command.
 */
function measureInTurns(contenders: readonly Timed[], count = runs): Measurement[] {
  const samples = contenders.map(() => ({ seconds: [] as number[], peaks: [] as number[] }));
  for (let i = 0; i < count; i++) {
    contenders.forEach((timed, c) => {
      const { seconds, peakMb } = runOnce(timed);
      samples[c].seconds.push(seconds);
      if (peakMb !== undefined) samples[c].peaks.push(peakMb);
    });
  }
  return contenders.map((timed, c) => {
    const { seconds, peaks } = samples[c];
    const result = {
      seconds: summarize(seconds),
      samples: seconds,
      peakMb: peaks.length > 0 ? summarize(peaks) : undefined,
    };
    process.stdout.write(
      `${timed.label}: median ${result.seconds.median.toFixed(2)} s${result.peakMb ? `, peak ${result.peakMb.median.toFixed(0)} MB` : ""}\n`,
    );
    return result;
  });
}

/** Runs a command `count` times. */
function measure(
  label: string,
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  count = runs,
): Measurement {
  return measureInTurns([{ label, command, argv, env }], count)[0];
}

/** A config file with `count` copies of the default environment, each with its own name and VPC block. */
function configWith(count: number): string {
  const base = JSON.parse(readFileSync(join(root, "config", "environments.json"), "utf8")).environments[0];
  const environments = Array.from({ length: count }, (_, i) => ({
    ...structuredClone(base),
    name: `env-${i + 1}`,
    vpcCidr: `10.${i + 1}.8.0/22`,
  }));
  const path = join(scratch, `environments-${count}.json`);
  writeFileSync(path, JSON.stringify({ environments }));
  return path;
}

/** A checkout's app command, as its cdktf.json says ("node <loader flags> main.ts"). */
function appCommand(dir: string): [string, ...string[]] {
  const file = join(dir, "cdktf.json");
  if (!existsSync(file) || !existsSync(join(dir, "node_modules")))
    throw new Error(`${dir}: expected a checkout of this project, with its cdktf.json and node_modules installed`);
  return (JSON.parse(readFileSync(file, "utf8")).app as string).split(" ") as [string, ...string[]];
}

/** Another checkout's app synth, named by its path and commit. */
function baselineApp(dir: string): Timed {
  const [command, ...argv] = appCommand(dir);
  const revision = spawnSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { encoding: "utf8" });
  const name = `baseline ${dir}${revision.status === 0 ? ` at ${revision.stdout.trim()}` : ""}`;
  return { label: name, command, argv, cwd: dir, env: { CDKTF_OUTDIR: join(scratch, "baseline") } };
}

/**
 * The same app compiled to JavaScript by tsc beforehand, under node_modules (where node finds cdktf from), run with
 * the config file the app reads: what the app command is held against (budget: at most 1.3x).
 */
function precompiledApp(): Timed {
  const dir = join(root, "node_modules", ".cache", "bench-precompiled");
  rmSync(dir, { recursive: true, force: true });
  const tsc = spawnSync(
    "npx",
    [
      "tsc",
      "main.ts",
      ...["--outDir", dir, "--rootDir", ".", "--target", "ES2022", "--module", "commonjs"],
      ...["--moduleResolution", "node", "--esModuleInterop", "--resolveJsonModule", "--skipLibCheck", "--strict"],
    ],
    { cwd: root, encoding: "utf8" },
  );
  if (tsc.status !== 0) throw new Error(`tsc of the app failed:\n${tsc.stdout}\n${tsc.stderr}`);
  return {
    label: "precompiled app synth",
    command: process.execPath,
    argv: [join(dir, "main.js")],
    env: { ...outdir("precompiled"), ENVIRONMENTS_FILE: join(root, "config", "environments.json") },
  };
}

// The app as cdktf.json runs it; the floor and the helper scripts load TypeScript the same way.
const [appNode, ...app] = appCommand(root);
const loader = app.slice(0, -1);
// `--baseline <dir>`: another checkout (say, the code before a change), its app synth timed in turns with this one's.
const baselineDir = args.includes("--baseline") ? resolve(args[args.indexOf("--baseline") + 1] ?? "") : undefined;
const outdir = (name: string) => ({ CDKTF_OUTDIR: join(scratch, name) });
const results: Array<[string, Measurement]> = [];
const record = (label: string, m: Measurement) => (results.push([label, m]), m);

// The floor, the app synth and a baseline's app synth are timed in turns: their ratios are what the budgets judge.
// A first, untimed synth warms the TypeScript loader's cache and tells which provider classes the app loads: the floor's.
const appSynth: Timed = { label: "app synth", command: appNode, argv: app, env: outdir("default") };
const loadedProviders = join(scratch, "loaded-providers.json");
runOnce({
  ...appSynth,
  argv: [...loader, "--require", "./bench/loaded-providers.ts", ...app.slice(loader.length)],
  env: { ...appSynth.env, BENCH_LOADED_PROVIDERS: loadedProviders },
});
const floorRun: Timed = {
  label: "floor",
  command: appNode,
  argv: [...loader, "bench/floor.ts", readFileSync(loadedProviders, "utf8")],
};
const baselineRun = baselineDir === undefined ? undefined : baselineApp(baselineDir);
const precompiledRun = precompiledApp();
const [floor, synth, precompiled, baseline] = measureInTurns(
  baselineRun === undefined ? [floorRun, appSynth, precompiledRun] : [floorRun, appSynth, precompiledRun, baselineRun],
) as [Measurement, Measurement, Measurement, Measurement | undefined];
record("floor: node loads cdktf + the provider classes the app loads", floor);
if (baselineRun !== undefined && baseline !== undefined)
  record(`app synth, ${baselineRun.label}, its own app command`, baseline);
record("app synth, default environment (cdktf.json's app command)", synth);
record("app synth, the same app precompiled by tsc (node main.js)", precompiled);
const appVsPrecompiled = pairedRatio(synth.samples, precompiled.samples);
// 1 and 100 environments in turns too: their ratio is a budget.
const scaleRuns = [1, 5, 20, 100].map((n): Timed => ({
  label: `synth x${n}`,
  command: appNode,
  argv: app,
  env: { ...outdir(`x${n}`), ENVIRONMENTS_FILE: configWith(n) },
}));
const scale: Record<number, Measurement> = {};
measureInTurns(scaleRuns).forEach((m, i) => {
  const n = [1, 5, 20, 100][i];
  scale[n] = record(`app synth, ${n} environment(s)`, m);
});
const npmSynth = record(
  "npm run synth (the edit loop), default environment",
  measure("npm run synth", "npm", ["run", "--silent", "synth"], outdir("npm")),
);
record(
  "npx cdktf synth, end to end",
  measure("cdktf synth", "npx", ["cdktf", "synth", "--output", join(scratch, "cli")], {}, Math.min(runs, 3)),
);

// npm run diagram / npm run cost on top of synth: drawing and pricing the default app synthesized above, each run in a
// fresh process so Graphviz's WebAssembly start counts (bench/see-and-price.ts times itself, without node's start).
const timings: Record<"diagramMs" | "costMs" | "diagramCpuMs" | "costCpuMs", number[]> = {
  diagramMs: [],
  costMs: [],
  diagramCpuMs: [],
  costCpuMs: [],
};
for (let i = 0; i < runs; i++) {
  const run = spawnSync(appNode, [...loader, "bench/see-and-price.ts", join(scratch, "default")], {
    cwd: root,
    env: { ...process.env, ...quiet },
    encoding: "utf8",
  });
  if (run.status !== 0)
    throw new Error(`bench/see-and-price.ts failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  const measured = JSON.parse(run.stdout) as Record<keyof typeof timings, number>;
  for (const key of Object.keys(timings) as Array<keyof typeof timings>) timings[key].push(measured[key] / 1000);
}
const seconds = (key: keyof typeof timings) => ({ seconds: summarize(timings[key]), samples: timings[key] });
const diagram = record(
  "diagram on top of synth: every stack's SVG, from its JSON (in process, wall)",
  seconds("diagramMs"),
);
const cost = record(
  "cost on top of synth: every stack's estimate, from its JSON (in process, wall)",
  seconds("costMs"),
);
const diagramCpu = record("diagram on top of synth (CPU seconds)", seconds("diagramCpuMs"));
const costCpu = record("cost on top of synth (CPU seconds)", seconds("costCpuMs"));
process.stdout.write(
  `diagram: median ${diagram.seconds.median.toFixed(2)} s (CPU ${diagramCpu.seconds.median.toFixed(2)} s); cost: median ${cost.seconds.median.toFixed(2)} s (CPU ${costCpu.seconds.median.toFixed(2)} s)\n`,
);

const budgets: Budget[] = [
  { name: "diagram on top of synth, CPU median", value: diagramCpu.seconds.median, limit: 0.6, unit: "s" },
  { name: "cost on top of synth, CPU median", value: costCpu.seconds.median, limit: 0.25, unit: "s" },
  { name: "app synth median", value: synth.seconds.median, limit: 1.0, unit: "s" },
  { name: "app synth vs floor", value: synth.seconds.median / floor.seconds.median, limit: 1.5, unit: "x" },
  { name: "npm run synth median", value: npmSynth.seconds.median, limit: 1.5, unit: "s" },
  { name: "20 environments vs 1", value: scale[20].seconds.median / scale[1].seconds.median, limit: 2.0, unit: "x" },
  {
    name: "100 environments vs 1",
    value: pairedRatio(scale[100].samples, scale[1].samples).median,
    limit: 4.0,
    unit: "x",
  },
  { name: "app command vs precompiled (median of paired runs)", value: appVsPrecompiled.median, limit: 1.3, unit: "x" },
];
if (synth.peakMb !== undefined)
  budgets.push({ name: "app synth peak RSS", value: synth.peakMb.max, limit: 200, unit: "MB" });
if (baseline !== undefined)
  budgets.push({
    name: "app synth vs baseline (no slower)",
    value: synth.seconds.median / baseline.seconds.median,
    limit: 1.0,
    unit: "x",
  });

if (!args.includes("--skip-suites")) {
  const unit = record(
    "unit suite (npm run test:unit)",
    measure("unit suite", "npm", ["run", "--silent", "test:unit"], {}, suiteRuns),
  );
  // The whole suite as CI runs it, with jest's per-file times and the stack timings the tests append (a JSON line per
  // terraform step of a stack, see __tests__/support/stack-timings.ts), from its last run.
  const jestJson = join(scratch, "jest.json");
  const stackTimings = join(scratch, "stack-timings.jsonl");
  const full = record(
    "full suite (CI=true npm test: tsc, prettier, API report, all jest projects)",
    measure(
      "full suite",
      "npm",
      ["test", "--", "--json", `--outputFile=${jestJson}`],
      { CI: "true", BENCH_STACK_TIMINGS: stackTimings },
      suiteRuns,
    ),
  );
  for (const [file, secs] of fileSeconds(JSON.parse(readFileSync(jestJson, "utf8")) as JestJson, root))
    if (file.includes(".int.") || secs >= 10) record(`test file ${file} (last full run)`, single(secs));
  if (existsSync(stackTimings))
    for (const [key, summary] of stackTimingSummaries(readFileSync(stackTimings, "utf8")))
      record(`stack ${key} (terraform, in the suite)`, { seconds: summary, samples: [] });
  // The same suite without the apply tests (moto): what every change waited for before them.
  const withoutApply = record(
    "suite without the apply tests (CI=true npm test, every test file but *.apply.int)",
    measure(
      "suite without apply tests",
      "npm",
      // A path pattern that leaves the apply files out: --testPathIgnorePatterns would replace each project's own
      // ignore pattern, and the unit project would then run the integration files a second time.
      ["test", "--", "--testPathPatterns", "^(?!.*\\.apply\\.int\\.test\\.ts$)"],
      { CI: "true" },
      suiteRuns,
    ),
  );
  budgets.push({ name: "unit suite median", value: unit.seconds.median, limit: 60, unit: "s" });
  budgets.push({ name: "full suite median, apply tests included", value: full.seconds.median, limit: 900, unit: "s" });
  budgets.push({ name: "suite without apply tests median", value: withoutApply.seconds.median, limit: 360, unit: "s" });
}
if (!args.includes("--skip-plan")) {
  record(
    "offline terraform plan, default environment",
    measure(
      "offline plan",
      appNode,
      [...loader, "scripts/plan.ts", "--offline", "--stack", "workshop"],
      {},
      Math.min(runs, 3),
    ),
  );
}

function single(seconds: number): Measurement {
  return { seconds: summarize([seconds]), samples: [seconds] };
}

const fmt = (s: Summary | undefined, digits: number) =>
  s === undefined ? "n/a" : `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)})`;
const date = new Date().toISOString().slice(0, 10);
const report = [
  `## ${date}: ${cpus().length} cores, node ${process.version}, ${runs} runs (suites: ${suiteRuns}, plan: ${Math.min(runs, 3)})`,
  "",
  table(
    ["what", "wall s: median (min-max)", "peak RSS MB: median (min-max)"],
    results.map(([label, m]) => [label, fmt(m.seconds, 2), fmt(m.peakMb, 0)]),
  ),
  "",
  table(
    ["budget", "figure", "limit", "verdict"],
    budgets.map((b) => [b.name, `${b.value.toFixed(2)} ${b.unit}`, `${b.limit} ${b.unit}`, verdict(b)]),
  ),
  "",
].join("\n");

const file = join(root, "BENCHMARKS.md");
const header =
  "# Benchmarks\n\nWritten by `npm run bench -- --record` (bench/run.ts); newest first. `npm run bench` exits 1 when a budget fails.\n\n";
process.stdout.write(`\n${budgets.map(formatBudget).join("\n")}\n`);
if (wantsRecord(args)) {
  const previous = existsSync(file) ? readFileSync(file, "utf8").replace(/^# Benchmarks\n\n.*\n\n/, "") : "";
  writeFileSync(file, header + report + "\n" + previous);
  process.stdout.write("\nwritten to BENCHMARKS.md\n");
}
rmSync(scratch, { recursive: true, force: true });
const failed = failedBudgets(budgets);
if (failed.length > 0) {
  process.stderr.write(`${failed.length} budget(s) failed: ${failed.map((b) => b.name).join(", ")}\n`);
  process.exitCode = 1;
}
