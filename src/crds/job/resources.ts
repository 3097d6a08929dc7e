// What a task asks of its node (`resources`, `device`, `numa`) and the
// group's scratch disk (`ephemeral_disk`).
import type { Integer } from "../common.js";
import type { NetworkResource } from "./network.js";
import type { Affinity, Constraint } from "./scheduling.js";

/** Which NUMA placement a task with reserved cores needs (`numa` block). */
export interface NumaResource {
  /** "none" places cores anywhere, "prefer" tries one NUMA node, "require" insists on one. Nomad's default is "none". */
  affinity?: "none" | "prefer" | "require";
  /**
   * Names of requested devices that must sit on the same NUMA node as the cores.
   * @listType set
   */
  devices?: string[];
}

/** A device the task needs (`device "<name>"` block): a GPU, FPGA or similar, fingerprinted by a device plugin. */
export interface RequestedDevice {
  /**
   * What to match: "<type>", "<vendor>/<type>" or "<vendor>/<type>/<model>", e.g. "nvidia/gpu".
   * @minLength 1
   */
  name: string;
  /**
   * How many instances of the device. Nomad's default is 1.
   * @minimum 0
   */
  count?: Integer;
  /** Hard rules on device attributes such as "${device.attr.memory}". */
  constraints?: Constraint[];
  /**
   * Preferences among matching devices.
   * @maxItems 32
   */
  affinities?: Affinity[];
}

/**
 * What the task reserves on its node (`resources` block).
 * @validation [{"rule": "!(has(self.cpu) && has(self.cores))", "message": "set cpu or cores, not both"}, {"rule": "!has(self.memoryMax) || self.memoryMax <= 0 || self.memoryMax >= (has(self.memory) ? self.memory : 300)", "message": "memoryMax must be at least memory"}, {"rule": "!has(self.secrets) || self.secrets <= (has(self.memory) ? self.memory : 300)", "message": "secrets cannot exceed memory"}]
 */
export interface Resources {
  /**
   * CPU to reserve, in MHz. Nomad's default is 100.
   * @minimum 1
   */
  cpu?: Integer;
  /**
   * Whole CPU cores to reserve exclusively; replaces cpu.
   * @minimum 1
   */
  cores?: Integer;
  /**
   * Memory to reserve, in MB. Nomad's default is 300.
   * @minimum 10
   */
  memory?: Integer;
  /**
   * Memory the task may use above memory when the node has it free (oversubscription), in MB; -1 removes the limit. Needs memory oversubscription enabled.
   * @minimum -1
   */
  memoryMax?: Integer;
  /**
   * Size of the in-memory secrets/ directory, in MB, counted within memory (Nomad 1.9 and later).
   * @minimum 0
   */
  secrets?: Integer;
  /**
   * Devices to reserve (`device` blocks).
   * @listMapKeys name
   * @maxItems 16
   */
  devices?: RequestedDevice[];
  /** NUMA placement of reserved cores. */
  numa?: NumaResource;
  /**
   * Deprecated since Nomad 0.12 (read with a warning, as Nomad reads it): the task's own network (`network` block inside `resources`). Its ports are placed with the group's, and only the first block counts, as in Nomad; write the group's `networks` instead.
   */
  networks?: NetworkResource[];
  /**
   * Deprecated and ignored, as in Nomad: disk space is the group's ephemeralDisk. Read from job files (with a warning) and dropped from the stored job.
   * @minimum 0
   */
  disk?: Integer;
}

/** The allocation's scratch disk shared by its tasks (`ephemeral_disk` block). */
export interface EphemeralDisk {
  /**
   * Disk space to reserve, in MB. Nomad's default is 300.
   * @minimum 10
   */
  size?: Integer;
  /** Whether the data is copied to the replacement allocation when it lands on another node (best effort; implies sticky). Nomad's default is false. */
  migrate?: boolean;
  /** Whether a replacement allocation prefers the same node and keeps the data. Nomad's default is false. */
  sticky?: boolean;
}
