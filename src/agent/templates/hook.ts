// What the alloc runner needs from a task's templates: render them all before
// the task starts (yielding the env of `env = true` templates), and hear when
// a re-render changed a file so it can apply the template's change_mode.
export type ChangeAction =
  | { mode: "restart" }
  | { mode: "signal"; signal: NodeJS.Signals }
  | { mode: "noop" };

export interface TaskTemplateHook {
  /** Renders every template once all its sources exist; resolves with env from env templates. */
  prestart(): Promise<Record<string, string>>;
  /** The env from env templates as last rendered. */
  env(): Record<string, string>;
  stop(): void;
}

export interface TemplateHookEvents {
  event(type: string, message: string, extra?: Record<string, unknown>): void;
  /** A re-render changed files; the actions of the templates that changed, splay already waited. */
  changed(action: ChangeAction): void;
}
