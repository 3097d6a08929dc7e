// Volumes a group claims (`volume` block) and where its tasks mount them
// (`volume_mount` block).

/** Mount options for a CSI volume with the file-system attachment mode (`mount_options` block). */
export interface CsiMountOptions {
  /** File system type, e.g. "ext4". */
  fsType?: string;
  /** Mount flags, e.g. "noatime". */
  mountFlags?: string[];
}

/**
 * A volume the group needs (`volume "<name>"` block): a host volume the
 * client exposes, or a CSI volume registered with Nomad.
 * @validation [{"rule": "self.type == 'csi' || (!has(self.mountOptions) && !has(self.perAlloc))", "message": "mountOptions and perAlloc are for CSI volumes"}, {"rule": "self.type != 'csi' || (has(self.accessMode) && has(self.attachmentMode))", "message": "CSI volumes need accessMode and attachmentMode"}]
 */
export interface VolumeRequest {
  /**
   * The name tasks use in volumeMounts.
   * @minLength 1
   */
  name: string;
  /**
   * "host" for a client host volume, "csi" for a CSI volume.
   * @maxLength 4
   */
  type: "host" | "csi";
  /**
   * The host volume's name or the CSI volume's ID.
   * @minLength 1
   */
  source: string;
  /** Whether the volume is claimed read-only. Nomad's default is false. */
  readOnly?: boolean;
  /** How the volume may be shared across nodes (CSI). */
  accessMode?:
    | "single-node-reader-only"
    | "single-node-writer"
    | "multi-node-reader-only"
    | "multi-node-single-writer"
    | "multi-node-multi-writer";
  /** Whether the volume is mounted as a file system or attached as a block device (CSI). */
  attachmentMode?: "file-system" | "block-device";
  /** Mount options (CSI, file-system mode). */
  mountOptions?: CsiMountOptions;
  /** Whether each allocation claims its own volume, named source + "[<alloc index>]" (CSI). Nomad's default is false. */
  perAlloc?: boolean;
  /** Whether a replacement allocation must claim the same dynamic host volume as the one it replaces (Nomad 1.10 and later). Caravan's scheduler does not enforce it yet. Nomad's default is false. */
  sticky?: boolean;
}

/** Where a task mounts one of its group's volumes (`volume_mount` block). */
export interface VolumeMount {
  /**
   * The name of a volume in the group's volumes.
   * @minLength 1
   */
  volume: string;
  /**
   * The path inside the task.
   * @minLength 1
   */
  destination: string;
  /** Whether the mount is read-only. Nomad's default is false. */
  readOnly?: boolean;
  /** Mount propagation: "private", "host-to-task" or "bidirectional". Nomad's default is "private". */
  propagationMode?: "private" | "host-to-task" | "bidirectional";
  /** SELinux label for the mount, e.g. "Z" (drivers that support it). */
  selinuxLabel?: string;
}
