import { ConfigProblem, fieldPath } from "../config/problems";
import { cidrSyntaxProblem } from "../network/cidr";
import { AccessConfig } from "./schema";
import { ADMIN_PORT_NAMES } from "./port";

/** The loudly named switch that lets an admin port be open to the whole internet. */
export const INSECURE_OVERRIDE_FIELD = "access.insecureAllowAdminPortsFromAnywhere";

/** A block that is the whole address space: `0.0.0.0/0`, `::/0`, or any other address with prefix 0. */
export function isAnywhere(cidr: string): boolean {
  return /\/0+$/.test(cidr.trim());
}

/**
 * Why `cidr` may not be the source of a rule that opens `adminPorts` (the admin ports among the rule's ports), or
 * undefined when it may. The whole internet is refused for admin ports unless `allowAnywhere`; IPv6 is refused
 * (the VPC has none); anything else must be a well-formed IPv4 network.
 */
export function sourceCidrProblem(
  cidr: unknown,
  adminPorts: readonly number[],
  allowAnywhere: boolean,
): string | undefined {
  if (typeof cidr === "string" && isAnywhere(cidr) && adminPorts.length > 0 && !allowAnywhere) {
    const ports = adminPorts.map((p) => `${p} (${ADMIN_PORT_NAMES[p]})`).join(", ");
    return `a source narrower than the whole internet for admin port ${ports}, such as your office's address as a /32; or ${INSECURE_OVERRIDE_FIELD}: true`;
  }
  if (typeof cidr === "string" && cidr.includes(":")) return "an IPv4 CIDR block (the VPC has no IPv6)";
  return cidrSyntaxProblem(cidr);
}

/** The problems of the `access` block: each admin CIDR well-formed, listed once, and not the whole internet. */
export function checkAccess(access: AccessConfig | undefined): ConfigProblem[] {
  if (access === undefined) return [];
  const allowAnywhere = access.insecureAllowAdminPortsFromAnywhere === true;
  return access.adminCidrs.flatMap((cidr, i): ConfigProblem[] => {
    const field = fieldPath("access", "adminCidrs", i);
    const expected = sourceCidrProblem(cidr, [22], allowAnywhere);
    if (expected !== undefined) return [{ field, value: cidr, expected }];
    if (access.adminCidrs.indexOf(cidr) !== i) return [{ field, value: cidr, expected: "each admin CIDR listed once" }];
    return [];
  });
}
