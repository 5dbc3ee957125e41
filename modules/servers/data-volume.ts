import { Construct } from "constructs";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { VolumeAttachment } from "@cdktf/provider-aws/lib/volume-attachment";
import { DATA_VOLUME_DEFAULTS } from "./schema";

/** A server's data volume: size, and whether Terraform refuses to destroy it. */
export interface DataVolumeOptions {
  /** Size in GiB (gp3: 1 to 16384); grow it in place, a smaller size would replace the volume. @default 20 */
  readonly sizeGiB?: number;
  /**
   * Terraform refuses any plan that destroys or replaces the volume (`prevent_destroy`). Turn it off only for a
   * throwaway environment, so that `destroy` can remove the volume and its data. @default true
   */
  readonly preventDestroy?: boolean;
}

/** Where the data volume stands and how it is tagged, with its options. */
export interface DataVolumeProps extends DataVolumeOptions {
  /** The volume's AZ: the server's subnet's. */
  readonly az: string;
  /** Name tag, e.g. `workshop-db-data`. */
  readonly name: string;
  /** Role tag of the server it belongs to, e.g. `db`. */
  readonly role: string;
}

/**
 * An encrypted gp3 EBS volume of its own for a server's data, outside the instance: replacing the instance attaches
 * the same volume to the new one, whose user data (`renderDataVolumeMount`) mounts it again without formatting it.
 * `attachTo` makes the attachment once the instance exists; the volume comes first, since the user data names it.
 */
export class DataVolume extends Construct {
  /** The EBS volume. */
  readonly volume: EbsVolume;

  constructor(scope: Construct, id: string, props: DataVolumeProps) {
    super(scope, id);
    this.volume = new EbsVolume(this, "Volume", {
      availabilityZone: props.az,
      size: props.sizeGiB ?? DATA_VOLUME_DEFAULTS.sizeGiB,
      type: "gp3",
      encrypted: true,
      tags: { Name: props.name, Role: props.role },
      lifecycle: { preventDestroy: props.preventDestroy ?? DATA_VOLUME_DEFAULTS.preventDestroy },
    });
  }

  /** Attaches the volume to `instanceId`; the instance is stopped before a detach, so the filesystem is clean. */
  attachTo(instanceId: string): VolumeAttachment {
    return new VolumeAttachment(this, "Attachment", {
      deviceName: DATA_VOLUME_DEFAULTS.deviceName,
      volumeId: this.volume.id,
      instanceId,
      stopInstanceBeforeDetaching: true,
    });
  }
}
