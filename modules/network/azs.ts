/**
 * Each AWS region's availability zones (standard zones only: no Local Zones or Wavelength Zones), by the letters of
 * their names. Committed rather than looked up, so a config is checked offline, before anything is written.
 *
 * Refresh (with credentials for an account that has every region enabled), and review the diff:
 *
 *   for r in $(aws account list-regions --region-opt-status-contains ENABLED ENABLED_BY_DEFAULT \
 *       --query 'Regions[].RegionName' --output text); do
 *     printf '%s ' "$r"; aws ec2 describe-availability-zones --region "$r" --all-availability-zones \
 *       --filters Name=zone-type,Values=availability-zone --query 'AvailabilityZones[].ZoneName' --output text
 *   done
 *
 * An AZ name's letter maps to a different physical zone in each account, but the set of letters is the region's.
 * Recorded 2026-12-01.
 */
export const REGION_AZ_LETTERS: Readonly<Record<string, string>> = {
  "af-south-1": "abc",
  "ap-east-1": "abc",
  "ap-east-2": "abc",
  "ap-northeast-1": "acd",
  "ap-northeast-2": "abcd",
  "ap-northeast-3": "abc",
  "ap-south-1": "abc",
  "ap-south-2": "abc",
  "ap-southeast-1": "abc",
  "ap-southeast-2": "abc",
  "ap-southeast-3": "abc",
  "ap-southeast-4": "abc",
  "ap-southeast-5": "abc",
  "ap-southeast-7": "abc",
  "ca-central-1": "abd",
  "ca-west-1": "abc",
  "cn-north-1": "abd",
  "cn-northwest-1": "abc",
  "eu-central-1": "abc",
  "eu-central-2": "abc",
  "eu-north-1": "abc",
  "eu-south-1": "abc",
  "eu-south-2": "abc",
  "eu-west-1": "abc",
  "eu-west-2": "abc",
  "eu-west-3": "abc",
  "il-central-1": "abc",
  "me-central-1": "abc",
  "me-south-1": "abc",
  "mx-central-1": "abc",
  "sa-east-1": "abc",
  "us-east-1": "abcdef",
  "us-east-2": "abc",
  "us-gov-east-1": "abc",
  "us-gov-west-1": "abc",
  "us-west-1": "abc",
  "us-west-2": "abcd",
};

/** The region's AZ names, or undefined for a region the table does not know. */
export function regionAzs(region: string): string[] | undefined {
  const letters = REGION_AZ_LETTERS[region];
  return letters === undefined ? undefined : [...letters].map((letter) => `${region}${letter}`);
}
