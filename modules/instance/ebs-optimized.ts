/**
 * Whether an instance type can be EBS-optimized (dedicated bandwidth to its volumes). Every current-generation type
 * is, by default and at no extra cost; of the previous generations, t1 and t2 never are, and some families only from
 * a size up (AWS EC2 User Guide, "Amazon EBS-optimized instance types", previous generation table).
 */
export const PREVIOUS_GENERATION_SIZES: Readonly<Record<string, readonly string[] | "none">> = {
  t1: "none",
  t2: "none",
  c1: ["xlarge"],
  c3: ["xlarge", "2xlarge", "4xlarge"],
  g2: ["2xlarge"],
  i2: ["xlarge", "2xlarge", "4xlarge"],
  m1: ["large", "xlarge"],
  m2: ["2xlarge", "4xlarge"],
  m3: ["xlarge", "2xlarge"],
  r3: ["xlarge", "2xlarge", "4xlarge"],
};

/** `ebs_optimized` for an instance type: true where the type supports it, false where it cannot be. */
export function ebsOptimizedFor(instanceType: string): boolean {
  const [family, size] = instanceType.split(".");
  const sizes = PREVIOUS_GENERATION_SIZES[family];
  if (sizes === undefined) return true;
  return sizes !== "none" && sizes.includes(size);
}
