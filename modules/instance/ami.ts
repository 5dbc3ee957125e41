import { Construct } from "constructs";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { z } from "zod";

/**
 * Where an instance's image comes from.
 * - an AMI id (`ami-0123456789abcdef0`): pinned, plans offline, and never changes under you;
 * - `{ ssmParameter }`: the current image of an OS, read from AWS's public SSM parameter at plan time
 *   (e.g. `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`); needs AWS credentials to plan,
 *   and a new image replaces the instance on the next apply.
 */
export type AmiSource = string | { readonly ssmParameter: string };

export const AMI_ID_PATTERN = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;

const AMI_EXPECTED = 'an AMI id such as "ami-0123456789abcdef0" or { "ssmParameter": "/aws/service/..." }';

export const amiSourceSchema = z.union(
  [
    // What a generated module's `ami` (an id only) says when refused.
    z
      .string()
      .regex(AMI_ID_PATTERN, { error: AMI_EXPECTED })
      .meta({ expected: 'an AMI id such as "ami-0123456789abcdef0"' }),
    z.strictObject({
      ssmParameter: z
        .string()
        .regex(/^\/[A-Za-z0-9_.\-/]+$/, { error: "an SSM parameter path such as /aws/service/..." }),
    }),
  ],
  { error: AMI_EXPECTED },
);

/** The AMI id for `source`: the literal id, or a reference to the SSM parameter's value. */
export function resolveAmiId(scope: Construct, id: string, source: AmiSource): string {
  if (typeof source === "string") return source;
  return new DataAwsSsmParameter(scope, id, { name: source.ssmParameter }).insecureValue;
}
