import { ebsOptimizedFor } from "../../instance/ebs-optimized";
import { Rule } from "../engine";
import { resourcesOf } from "../view";
import { isSet } from "./logging";

export const instanceDetailedMonitoring: Rule = {
  id: "instance-detailed-monitoring",
  scannerIds: ["CKV_AWS_126"],
  description:
    "Every instance has detailed (1-minute) monitoring on (monitoring = true); an environment that leaves it off accepts it per instance block",
  check: (view) =>
    resourcesOf(view, "aws_instance")
      .filter((instance) => instance.values.monitoring !== true)
      .map((instance) => ({
        address: instance.address,
        message: `monitoring is ${JSON.stringify(instance.values.monitoring ?? null)}, not true`,
      })),
};

export const instanceEbsOptimized: Rule = {
  id: "instance-ebs-optimized",
  scannerIds: ["CKV_AWS_135"],
  description:
    "Every instance whose type supports it is EBS-optimized (ebs_optimized = true); t1/t2 and other types that cannot be are left alone",
  check: (view) =>
    resourcesOf(view, "aws_instance")
      .filter((instance) => {
        const type = instance.values.instance_type;
        return (
          instance.values.ebs_optimized !== true &&
          (typeof type !== "string" || type.includes("${") || ebsOptimizedFor(type))
        );
      })
      .map((instance) => ({
        address: instance.address,
        message: `ebs_optimized is ${JSON.stringify(instance.values.ebs_optimized ?? null)}, and ${String(instance.values.instance_type)} supports it`,
      })),
};

export const instanceProfile: Rule = {
  id: "instance-profile",
  scannerIds: ["CKV2_AWS_41"],
  description: "Every instance has an IAM instance profile (its own least-privilege role), not none",
  check: (view) =>
    resourcesOf(view, "aws_instance")
      .filter((instance) => !isSet(instance, "iam_instance_profile"))
      .map((instance) => ({
        address: instance.address,
        message: "no iam_instance_profile: the instance gets no role of its own",
      })),
};
