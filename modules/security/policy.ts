import { ConfigProblem, fieldPath } from "../core/problems";
import { cidrSyntaxProblem, ipv6CidrSyntaxProblem, looksIpv6 } from "../core/cidr";
import { AccessConfig } from "./schema";
import { ADMIN_PORT_NAMES } from "../core/port";

/** The loudly named switch that lets an admin port be open to the whole internet. */
export const INSECURE_OVERRIDE_FIELD = "access.insecureAllowAdminPortsFromAnywhere";

/** A block that is the whole address space: `0.0.0.0/0`, `::/0`, or any other address with prefix 0. */
export function isAnywhere(cidr: string): boolean {
  return /\/0+$/.test(cidr.trim());
}

/**
 * Why `cidr` may not be the source of a rule that opens `adminPorts` (the admin ports among the rule's ports), or
 * undefined when it may. The whole internet (IPv4 or IPv6) is refused for admin ports unless `allowAnywhere`; an
 * IPv6 network is taken when the VPC is dual-stack (`ipv6`); anything else must be a well-formed IPv4 network.
 */
export function sourceCidrProblem(
  cidr: unknown,
  adminPorts: readonly number[],
  allowAnywhere: boolean,
  ipv6 = false,
): string | undefined {
  if (typeof cidr === "string" && isAnywhere(cidr) && adminPorts.length > 0 && !allowAnywhere) {
    const ports = adminPorts.map((p) => `${p} (${ADMIN_PORT_NAMES[p]})`).join(", ");
    return `a source narrower than the whole internet for admin port ${ports}, such as your office's address as a /32; or ${INSECURE_OVERRIDE_FIELD}: true`;
  }
  if (looksIpv6(cidr))
    return ipv6
      ? ipv6CidrSyntaxProblem(cidr)
      : "an IPv4 CIDR block (the VPC has no IPv6: ipv6: true makes it dual-stack)";
  return cidrSyntaxProblem(cidr);
}

/**
 * The problems of the `access` block: each admin CIDR well-formed (IPv6 too in a dual-stack VPC, `ipv6`), listed
 * once, and not the whole internet.
 */
export function checkAccess(access: AccessConfig | undefined, ipv6 = false): ConfigProblem[] {
  if (access === undefined) return [];
  return sourceCidrListProblems(access.adminCidrs, fieldPath("access", "adminCidrs"), {
    adminPorts: [22],
    allowAnywhere: access.insecureAllowAdminPortsFromAnywhere === true,
    duplicate: "each admin CIDR listed once",
    ipv6,
  });
}

/**
 * The problems of a list of source CIDRs (`base` is its field path): each one a source `sourceCidrProblem` accepts for
 * `adminPorts`, then each listed once (`duplicate` says so).
 */
export function sourceCidrListProblems(
  cidrs: readonly string[],
  base: string,
  options: { adminPorts: readonly number[]; allowAnywhere: boolean; duplicate: string; ipv6?: boolean },
): ConfigProblem[] {
  return cidrs.flatMap((cidr, i) => {
    const expected =
      sourceCidrProblem(cidr, options.adminPorts, options.allowAnywhere, options.ipv6) ??
      (cidrs.indexOf(cidr) !== i ? options.duplicate : undefined);
    return expected === undefined ? [] : [{ field: fieldPath(base, i), value: cidr, expected }];
  });
}
