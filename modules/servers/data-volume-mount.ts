/**
 * A server's data volume as its user data sees it: where it is mounted, and the script section that finds, formats
 * (only when blank) and mounts it. Plain strings, tested without synthesizing; the volume itself is `DataVolume`.
 */
import { installIfMissing, OS_PACKAGES } from "../instance/user-data";
import { DATA_VOLUME_DEFAULTS } from "./schema";

/**
 * Shell functions of the data volume section:
 * - `find_data_device SECONDS CANDIDATE...` prints the first candidate path that exists (resolved), waiting for the
 *   attachment up to SECONDS, and fails naming every candidate;
 * - `format_if_blank DEVICE LABEL` makes an ext4 filesystem only when `blkid -p` finds no filesystem or partition
 *   table at all (exit 2), keeps what is there (exit 0), and fails on anything else rather than guess;
 * - `mount_data_volume DEVICE MOUNT_POINT FSTAB` adds the filesystem by UUID to FSTAB with `nofail` (once), and mounts it;
 * - `require_mount UNIT MOUNT_POINT` makes the unit wait for the mount at every boot (and not start without it).
 */
export const DATA_VOLUME_FUNCTIONS = `find_data_device() {
  local seconds=$1 deadline=$((SECONDS + $1)) candidate
  shift
  while :; do
    for candidate in "$@"; do
      if [ -e "$candidate" ]; then
        readlink -f "$candidate"
        return 0
      fi
    done
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "the data volume is not attached after $seconds s: none of $* exists" >&2
      return 1
    fi
    sleep 5
  done
}
format_if_blank() {
  local status=0
  blkid -p "$1" >/dev/null 2>&1 || status=$?
  case "$status" in
    0) echo "$1 holds a filesystem: kept as it is" ;;
    2)
      mkfs.ext4 -q -L "$2" "$1"
      echo "$1 was blank: formatted ext4"
      ;;
    *)
      echo "blkid -p $1 failed (exit $status): not formatting a volume it cannot read" >&2
      return 1
      ;;
  esac
}
mount_data_volume() {
  local uuid type
  uuid=$(blkid -s UUID -o value "$1" || true)
  type=$(blkid -s TYPE -o value "$1" || true)
  if [ -z "$uuid" ] || [ -z "$type" ]; then
    echo "no filesystem UUID or type on $1" >&2
    return 1
  fi
  install -d -m 0755 "$2"
  grep -qs "^UUID=$uuid " "$3" || printf 'UUID=%s %s %s defaults,nofail 0 2\\n' "$uuid" "$2" "$type" >> "$3"
  mountpoint -q "$2" || mount "$2"
  echo "data volume $1 mounted at $2"
}
require_mount() {
  install -d -m 0755 "/etc/systemd/system/$1.service.d"
  printf '[Unit]\\nRequiresMountsFor=%s\\n' "$2" > "/etc/systemd/system/$1.service.d/10-data-volume.conf"
}
`;

/**
 * The user data section that mounts a server's data volume at `DATA_VOLUME_DEFAULTS.mountPoint`, before its engine is
 * installed: finds the volume by its id in the NVMe serial (`/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol...`,
 * Nitro instances), else by the attachment's device name (`/dev/sdf`, `/dev/xvdf` on Xen); formats it only when it is
 * blank; mounts it by filesystem UUID from `/etc/fstab` with `nofail` (a missing volume does not stop the boot); and
 * makes each of `units` require the mount, so an engine never starts on the empty mount point.
 * `volumeId` may be a Terraform reference: its dashes are removed by the shell.
 */
export function renderDataVolumeMount(volumeId: string, units: readonly string[]): string {
  const { mountPoint, deviceName, attachTimeoutSeconds, label } = DATA_VOLUME_DEFAULTS;
  const xen = deviceName.replace(/^\/dev\/sd/, "/dev/xvd");
  const requires = units.map((unit) => `require_mount ${unit} ${mountPoint}\n`).join("");
  return `# The data on an EBS volume of its own (${mountPoint}): a new instance mounts what the last one left.
${installIfMissing("mkfs.ext4", OS_PACKAGES.filesystem)}${DATA_VOLUME_FUNCTIONS}data_serial=$(printf '%s' '${volumeId}' | tr -d -)
data_device=$(find_data_device ${attachTimeoutSeconds} "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_$data_serial" ${deviceName} ${xen})
format_if_blank "$data_device" ${label}
mount_data_volume "$data_device" ${mountPoint} /etc/fstab
${requires}systemctl daemon-reload
`;
}
