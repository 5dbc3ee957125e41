import { exampleHcl } from "../../modules/tools/terraform-module/packages";

/** The consumer HCL of the project README's "Terraform modules for HCL users" section. */
export function readmeUsageHcl(): string {
  return exampleHcl("network", "acme/network/aws", "~> 0.1").replace(/^terraform \{[\s\S]*?\n\}\n\n/, "");
}
