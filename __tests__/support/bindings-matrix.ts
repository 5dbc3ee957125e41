import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CDKTN_RENAMES, Renames } from "../../scripts/bindings";

const ROOT = resolve(__dirname, "..", "..");

/** A way to run the unchanged library: its framework and AWS provider bindings, as `require` renames. */
export interface Flavour {
  /** The packages the library's imports resolve to instead of cdktf and @cdktf/provider-aws 20.x. */
  readonly renames: Renames;
  /** The provider bindings package (installed here as a dev dependency). */
  readonly bindings: string;
  /**
   * Every way its synth may differ from the cdktf + 20.x synth: the JSON path inside a stack's JSON, the value
   * each has (`"<bindings>"`: the AWS provider version the bindings were generated from) and why.
   */
  readonly differences: readonly { path: string; from: string; to: string; why: string }[];
}

const PINNED_PROVIDER = {
  path: "terraform.required_providers.aws.version",
  from: "5.100.0",
  to: "<bindings>",
  why: "each bindings package pins the AWS provider version it was generated from",
};

/** The matrix beside the default (cdktf 0.21 + @cdktf/provider-aws 20.1.0, AWS provider 5.100.0). */
export const FLAVOURS: Readonly<Record<string, Flavour>> = {
  "cdktf 0.21 + @cdktf/provider-aws 21.x": {
    renames: { "@cdktf/provider-aws": "@cdktf/provider-aws-v21" },
    bindings: "@cdktf/provider-aws-v21",
    differences: [PINNED_PROVIDER],
  },
  "cdktn 0.24 + @cdktn/provider-aws 25.x": {
    renames: CDKTN_RENAMES,
    bindings: "@cdktn/provider-aws",
    differences: [
      PINNED_PROVIDER,
      {
        path: "terraform.required_providers.aws.source",
        from: "aws",
        to: "hashicorp/aws",
        why: 'cdktn writes the full source address; Terraform reads "aws" as "hashicorp/aws": the same provider',
      },
    ],
  },
};

/** `{ variant: { stack: json } }` of every documented variant, synthesized in a child process with `renames`. */
export function synthVariantsWith(renames: Renames): Record<string, Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), "bindings-synth-"));
  try {
    const out = join(dir, "variants.json");
    const hook = join(ROOT, "__tests__", "support", "bindings-hook.ts");
    const script = join(ROOT, "__tests__", "support", "synth-variants.ts");
    const run = spawnSync(process.execPath, ["--require", "tsx/cjs", "--require", hook, script, out], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, BINDINGS_RENAMES: JSON.stringify(renames) },
    });
    if (run.status !== 0) throw new Error(`synth with ${JSON.stringify(renames)} failed:\n${run.stderr}`);
    return JSON.parse(readFileSync(out, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One leaf that differs between two JSON documents: its dotted path and both values (undefined where absent). */
export interface JsonDifference {
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
}

/** Every leaf where `a` and `b` differ; arrays compare whole. */
export function jsonDifferences(a: unknown, b: unknown, path: string[] = []): JsonDifference[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v);
  if (!isObject(a) || !isObject(b)) return [{ path: path.join("."), from: a, to: b }];
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => jsonDifferences(a[k], b[k], [...path, k]));
}

/** Runs strict `tsc --noEmit` over the library (modules/) with its imports mapped by `renames`; its output. */
export function compileLibraryWith(renames: Renames): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "bindings-tsc-"));
  try {
    const paths = Object.fromEntries(
      Object.entries(renames).flatMap(([from, to]) => [
        [from, [join(ROOT, "node_modules", to)]],
        [`${from}/*`, [join(ROOT, "node_modules", to, "*")]],
      ]),
    );
    const tsconfig = {
      extends: join(ROOT, "tsconfig.build.json"),
      compilerOptions: { noEmit: true, paths, typeRoots: [join(ROOT, "node_modules", "@types")] },
      include: [join(ROOT, "modules", "**", "*.ts")],
      exclude: [join(ROOT, "**", "*.test.ts")],
    };
    const file = join(dir, "tsconfig.json");
    writeFileSync(file, JSON.stringify(tsconfig));
    const run = spawnSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", file, "--listFiles"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
