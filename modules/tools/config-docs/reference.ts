import { environmentSchema } from "../../environment/schema";
import { fieldRows, inputJsonSchema, renderFieldTable } from "../../core/field-tables";
import { tierSchema } from "../../network/schema";

/**
 * The README's config reference: which environment fields each table documents. Every field of the schema is in
 * exactly one table (`undocumentedFields` says which are not), so a new field cannot go undocumented.
 */
export const CONFIG_REFERENCE_SECTIONS: Readonly<Record<string, readonly string[]>> = {
  "config:environment": [
    "name",
    "region",
    "azs",
    "vpcCidr",
    "acknowledgeNonRfc1918VpcCidr",
    "azSlots",
    "tiers",
    "nat",
    "flowLogs",
    "s3GatewayEndpoint",
    "interfaceEndpoints",
    "ipv6",
    "secondaryCidrBlocks",
    "tags",
  ],
  "config:access": ["access", "sshPublicKey", "ami", "hardening", "bastion", "instanceConnect"],
  "config:servers": ["servers"],
  "config:backend": ["backend"],
  "config:guardrails": ["guardrails"],
  "config:loadbalancer": ["loadBalancer"],
  "config:ci": ["ci"],
};

/** Each marked section's Markdown table, rendered from the schema's descriptions and defaults. */
export function renderConfigReference(): Record<string, string> {
  const environment = inputJsonSchema(environmentSchema);
  return {
    ...Object.fromEntries(
      Object.entries(CONFIG_REFERENCE_SECTIONS).map(([name, keys]) => [
        name,
        renderFieldTable(fieldRows(environment, keys)),
      ]),
    ),
    "config:tier": renderFieldTable(fieldRows(inputJsonSchema(tierSchema))),
  };
}

/** Top-level environment fields no section documents. */
export function undocumentedFields(): string[] {
  const documented = new Set(Object.values(CONFIG_REFERENCE_SECTIONS).flat());
  return Object.keys(environmentSchema.shape).filter((key) => !documented.has(key));
}
