import { ConfigProblem, fieldPath } from "./problems";

/** AWS's limits on a tag (EC2 and most services): key 1-128 characters, value up to 256, no `aws:` prefix. */
export const TAG_RULES = { maxKeyLength: 128, maxValueLength: 256, reservedPrefix: "aws:" } as const;

/** Every way `tags` breaks AWS's tag rules, each naming the tag; [] when AWS would accept them all. */
export function checkTags(tags: Readonly<Record<string, string>> | undefined, field = "tags"): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(tags ?? {})) {
    const at = fieldPath(field, key);
    if (key.length === 0) problems.push({ field, value: key, expected: "tag keys of at least 1 character" });
    else if (key.toLowerCase().startsWith(TAG_RULES.reservedPrefix)) {
      problems.push({
        field: at,
        value,
        expected: `a tag key without the "aws:" prefix, which AWS reserves for its own tags (it refuses it at apply)`,
      });
    } else if ([...key].length > TAG_RULES.maxKeyLength) {
      problems.push({
        field: at,
        value,
        expected: `a tag key of at most ${TAG_RULES.maxKeyLength} characters (this one has ${[...key].length})`,
      });
    }
    if ([...value].length > TAG_RULES.maxValueLength) {
      problems.push({
        field: at,
        value,
        expected: `a tag value of at most ${TAG_RULES.maxValueLength} characters (this one has ${[...value].length})`,
      });
    }
  }
  return problems;
}
