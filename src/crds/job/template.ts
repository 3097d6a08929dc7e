// Files a task renders from consul-template templates (`template` block).
import type { Duration, Integer } from "../common.js";

/** The script run when a rendered template changes, with changeMode "script" (`change_script` block). */
export interface ChangeScript {
  /**
   * The command, run inside the task.
   * @minLength 1
   */
  command: string;
  /** Its arguments. */
  args?: string[];
  /** How long the script may run. Nomad's default is "5s". */
  timeout?: Duration;
  /** Whether the task is killed when the script fails. Nomad's default is false. */
  failOnError?: boolean;
}

/** How long to wait for dependencies to settle before rendering (`wait` block). */
export interface TemplateWait {
  /** Minimum quiet time. */
  min?: Duration;
  /** Maximum wait, even when changes keep coming. */
  max?: Duration;
}

/**
 * A file rendered into the task directory from a Go template with
 * consul-template functions (key, service, secret, env, …).
 * @validation [{"rule": "has(self.source) || has(self.data)", "message": "a template needs source or data"}, {"rule": "!has(self.changeMode) || self.changeMode != 'signal' || has(self.changeSignal)", "message": "changeMode signal needs changeSignal"}, {"rule": "!has(self.changeMode) || self.changeMode != 'script' || has(self.changeScript)", "message": "changeMode script needs changeScript"}]
 */
export interface Template {
  /** Path of a template file on the client, relative to the task directory (e.g. fetched by an artifact). */
  source?: string;
  /**
   * Where the rendered file goes, relative to the task directory (e.g. "local/config.yaml", "secrets/db.env").
   * @minLength 1
   */
  destination: string;
  /** The template text, used instead of source. */
  data?: string;
  /**
   * What happens when the rendered file changes: "noop", "restart", "signal" or "script". Nomad's default is "restart".
   * @maxLength 7
   */
  changeMode?: "noop" | "restart" | "signal" | "script";
  /** The signal sent when changeMode is "signal", e.g. "SIGHUP". */
  changeSignal?: string;
  /** The script run when changeMode is "script". */
  changeScript?: ChangeScript;
  /** A random delay of up to this long before a change acts, so many tasks don't restart at once. Nomad's default is "5s". */
  splay?: Duration;
  /**
   * File permissions of the rendered file, in octal. Nomad's default is "0644".
   * @pattern ^[0-7]{3,4}$
   */
  perms?: string;
  /**
   * Owner user ID of the rendered file (Unix).
   * @minimum 0
   */
  uid?: Integer;
  /**
   * Owner group ID of the rendered file (Unix).
   * @minimum 0
   */
  gid?: Integer;
  /** Left delimiter of template actions. Nomad's default is "{{". */
  leftDelimiter?: string;
  /** Right delimiter of template actions. Nomad's default is "}}". */
  rightDelimiter?: string;
  /** Whether the rendered file is read as KEY=value lines into the task's environment. Nomad's default is false. */
  env?: boolean;
  /** Whether a missing map key fails rendering instead of rendering "<no value>". Nomad's default is false. */
  errorOnMissingKey?: boolean;
  /** Quiescence timers overriding the client's defaults. */
  wait?: TemplateWait;
}
