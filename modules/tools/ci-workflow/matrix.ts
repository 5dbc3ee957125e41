/** What the pipeline runs per stack: every stack is planned (and checked for drift); environment stacks are applied. */
export interface PipelineMatrix {
  /** Every stack of the synthesized app, in the manifest's order. */
  readonly plan: readonly string[];
  /** The environment stacks, each with the GitHub environment its apply job runs in. */
  readonly apply: ReadonlyArray<{ readonly stack: string; readonly environment: string }>;
}

/** An environment as the matrix sees it (a config environment fits). */
export interface MatrixEnvironment {
  readonly name: string;
  readonly ci?: { readonly github: { readonly environment?: string } };
}

/**
 * The jobs' matrix from the synthesized manifest's stack names. State bootstrap and CI identity stacks are planned
 * but never applied by the pipeline: an administrator applies them once (the apply role cannot change them).
 */
export function pipelineMatrix(
  manifestStacks: readonly string[],
  environments: readonly MatrixEnvironment[],
): PipelineMatrix {
  const byName = new Map(environments.map((e) => [e.name, e]));
  return {
    plan: [...manifestStacks],
    apply: manifestStacks.flatMap((stack) => {
      const env = byName.get(stack);
      return env === undefined ? [] : [{ stack, environment: env.ci?.github.environment ?? env.name }];
    }),
  };
}

/** The matrix as `$GITHUB_OUTPUT` lines: `plan=[...]` and `apply=[...]`. */
export function matrixOutputs(matrix: PipelineMatrix): string {
  return `plan=${JSON.stringify(matrix.plan)}\napply=${JSON.stringify(matrix.apply)}\n`;
}
