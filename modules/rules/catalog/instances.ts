import { Rule, Violation } from "../engine";
import { blocks, resourcesOf } from "../view";

export const imdsv2Required: Rule = {
  id: "imdsv2-required",
  scannerIds: ["CKV_AWS_79", "AVD-AWS-0028"],
  description:
    "Every instance and launch template requires IMDSv2 tokens (metadata_options.http_tokens = required), or turns IMDS off",
  check: (view) =>
    resourcesOf(view, "aws_instance", "aws_launch_template").flatMap((resource) => {
      const [options] = blocks(resource.values.metadata_options);
      if (options?.http_tokens === "required" || options?.http_endpoint === "disabled") return [];
      const found =
        options === undefined
          ? "no metadata_options"
          : `metadata_options.http_tokens is ${JSON.stringify(options.http_tokens ?? null)}, not "required"`;
      return [{ address: resource.address, message: `${found}: IMDSv1 lets any SSRF read the instance's credentials` }];
    }),
};

/** Instance-like resources and their block-device arguments, each of which must be encrypted. */
const BLOCK_DEVICES: Readonly<Record<string, readonly string[]>> = {
  aws_instance: ["root_block_device", "ebs_block_device"],
  aws_launch_configuration: ["root_block_device", "ebs_block_device"],
};

export const volumeEncryption: Rule = {
  id: "volume-encryption",
  scannerIds: ["CKV_AWS_8", "CKV_AWS_3", "AVD-AWS-0131", "AVD-AWS-0026"],
  description:
    "Every root volume, attached EBS block device and EBS volume is encrypted (a missing root_block_device is left to the account default: fails)",
  check: (view) => [
    ...resourcesOf(view, ...Object.keys(BLOCK_DEVICES)).flatMap((resource) => {
      const found: Violation[] = [];
      if (blocks(resource.values.root_block_device).length === 0) {
        found.push({
          address: resource.address,
          message: "root_block_device is not set: its encryption is left to the account default",
        });
      }
      for (const field of BLOCK_DEVICES[resource.type]) {
        blocks(resource.values[field]).forEach((device, i) => {
          if (device.encrypted !== true)
            found.push({
              address: resource.address,
              message: `${field}[${i}].encrypted is ${JSON.stringify(device.encrypted ?? null)}, not true`,
            });
        });
      }
      return found;
    }),
    ...resourcesOf(view, "aws_ebs_volume")
      .filter((r) => r.values.encrypted !== true)
      .map((r) => ({
        address: r.address,
        message: `encrypted is ${JSON.stringify(r.values.encrypted ?? null)}, not true`,
      })),
  ],
};
