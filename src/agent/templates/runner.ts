// A task's templates, rendered by the agent (Nomad's template hook): before
// the task starts, every template is rendered into the task directory once
// all the ConfigMaps and Secrets it reads exist; afterwards a change to any of
// them re-renders, and a template whose file changed applies its change_mode
// (restart, signal or noop) after a random splay.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { durationMs } from "../../common/duration.js";
import { defaultTemplate } from "../../crds/job/defaults.js";
import type { Task } from "../../crds/job/task.js";
import type { Template as TemplateBlock } from "../../crds/job/template.js";
import type { NomadAllocation } from "../../crds/objects.js";
import {
  parseTemplate,
  renderTemplate,
  type Template,
  type TemplateDependency,
} from "../../template/index.js";
import { parseEnvFile } from "./envfile.js";
import type { ChangeAction, TaskTemplateHook, TemplateHookEvents } from "./hook.js";
import { dependencyObject, type KubeTemplateSources } from "./sources.js";

interface Rendered {
  block: TemplateBlock;
  template: Template;
  destination: string;
  /** The content last written; undefined before the first render. */
  content?: string;
}

export interface TemplateRunnerContext {
  alloc: NomadAllocation;
  taskDir: string;
  env: Record<string, string>;
}

export class TaskTemplates implements TaskTemplateHook {
  private readonly namespace: string;
  private rendered: Rendered[] | undefined;
  private readonly unwatch = new Map<string, () => void>();
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private firstDone = false;
  private stopped = false;
  private lastMissing = "";
  /** Sources whose first list is in: what they lack is really missing. */
  private readonly listed = new Set<string>();
  private envVars: Record<string, string> = {};

  constructor(
    private readonly task: Task,
    private readonly ctx: TemplateRunnerContext,
    private readonly events: TemplateHookEvents,
    private readonly sources: KubeTemplateSources,
    private readonly random: () => number = Math.random,
  ) {
    this.namespace = ctx.alloc.metadata.namespace ?? "default";
  }

  env(): Record<string, string> {
    return this.envVars;
  }

  async prestart(): Promise<Record<string, string>> {
    if (this.firstDone) return this.envVars;
    this.rendered ??= (this.task.templates ?? []).map((b) => this.parse(b));
    for (;;) {
      if (this.stopped) throw new Error("task stopped before its templates rendered");
      const changed = new Promise<void>((r) => {
        this.wake = r;
      });
      const missing = this.renderAll(true);
      if (missing.length === 0) break;
      // Sources just watched are not listed yet: missing for now is not missing.
      const listing = missing
        .map(dependencyObject)
        .filter((o) => o && !this.listed.has(`${o.kind}/${o.name}`));
      if (listing.length) {
        await Promise.race([
          Promise.all(
            listing.map(async (o) => {
              if (!o) return;
              await this.sources.synced(o.kind, this.namespace, o.name);
              this.listed.add(`${o.kind}/${o.name}`);
            }),
          ),
          changed,
        ]);
        continue;
      }
      const text = `Missing: ${missing.map((d) => `${d.kind}(${d.name})`).join(", ")}`;
      if (text !== this.lastMissing) this.events.event("Template", text);
      this.lastMissing = text;
      await changed;
    }
    this.firstDone = true;
    this.events.event("Template Rendered", `Rendered ${this.rendered.length} template(s)`);
    return this.envVars;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const off of this.unwatch.values()) off();
    this.unwatch.clear();
    this.wake?.();
  }

  private parse(block: TemplateBlock): Rendered {
    const destination = this.inside(block.destination, "template.destination");
    let text = block.data ?? "";
    if (block.data === undefined && block.source !== undefined) {
      const source = this.inside(block.source, "template.source");
      try {
        text = readFileSync(source, "utf8");
      } catch (err) {
        throw new Error(`template.source "${block.source}": ${(err as Error).message}`);
      }
    }
    const template = parseTemplate(text, {
      name: block.destination,
      ...(block.leftDelimiter ? { leftDelim: block.leftDelimiter } : {}),
      ...(block.rightDelimiter ? { rightDelim: block.rightDelimiter } : {}),
    });
    return { block, template, destination };
  }

  private inside(relative: string, field: string): string {
    const full = path.resolve(this.ctx.taskDir, relative);
    if (!full.startsWith(this.ctx.taskDir + path.sep))
      throw new Error(`${field}: "${relative}" escapes the task directory`);
    return full;
  }

  /**
   * Renders every template, watching what each reads, and writes those whose
   * content changed and whose sources are all present. Returns what is still
   * missing; `throwErrors` (the first render) fails instead of reporting.
   */
  private renderAll(throwErrors: boolean): TemplateDependency[] {
    const missing: TemplateDependency[] = [];
    const actions: ChangeAction[] = [];
    const env: Record<string, string> = {};
    for (const r of this.rendered ?? []) {
      let result: ReturnType<typeof renderTemplate>;
      try {
        result = renderTemplate(r.template, {
          env: this.ctx.env,
          sources: this.sources.sourcesFor(this.namespace, {
            job: this.ctx.env.NOMAD_JOB_ID ?? this.ctx.alloc.spec.jobName,
            group: this.ctx.alloc.spec.group,
            task: this.task.name,
          }),
          errorOnMissingKey: Boolean(r.block.errorOnMissingKey),
        });
      } catch (err) {
        if (throwErrors) throw err;
        this.events.event("Template", `Template failed: ${(err as Error).message}`);
        continue;
      }
      for (const dep of result.dependencies) this.watchDependency(dep);
      if (result.missing.length) {
        missing.push(...result.missing);
        continue;
      }
      if (r.block.env) {
        const parsed = parseEnvFile(result.output, r.block.destination);
        if (!parsed.ok) {
          if (throwErrors) throw new Error(parsed.error);
          this.events.event("Template", `Template failed: ${parsed.error}`);
          continue;
        }
        Object.assign(env, parsed.env);
      }
      if (r.content === result.output) continue;
      const first = r.content === undefined;
      this.write(r, result.output);
      if (first) continue;
      if (r.block.changeMode === "script")
        this.events.event(
          "Template",
          `${r.block.destination} re-rendered; change_mode "script" is not supported here, nothing was run`,
        );
      actions.push(changeAction(r.block));
    }
    if (missing.length === 0) this.envVars = env;
    if (actions.length) this.apply(actions);
    return missing;
  }

  private write(r: Rendered, content: string): void {
    mkdirSync(path.dirname(r.destination), { recursive: true });
    const tmp = `${r.destination}.caravan-tmp`;
    writeFileSync(tmp, content);
    chmodSync(tmp, Number.parseInt(r.block.perms ?? defaultTemplate.perms, 8));
    renameSync(tmp, r.destination);
    r.content = content;
  }

  private watchDependency(dep: TemplateDependency): void {
    const object = dependencyObject(dep);
    if (!object) return;
    const id = `${object.kind}/${object.name}`;
    if (this.unwatch.has(id)) return;
    this.unwatch.set(
      id,
      this.sources.watch(object.kind, this.namespace, object.name, () => this.sourceChanged()),
    );
  }

  private sourceChanged(): void {
    if (this.stopped) return;
    if (!this.firstDone) {
      this.wake?.();
      return;
    }
    // Changes come in bursts (an apply touching several keys): render once,
    // after the templates' wait { min } quiet time if they set one.
    if (this.timer) return;
    const quietMs = Math.max(
      50,
      ...(this.task.templates ?? []).map((t) => durationMs(t.wait?.min, 0)),
    );
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.renderAll(false);
    }, quietMs);
  }

  /** Restart wins over signals, which win over noop; after up to the largest splay. */
  private apply(actions: ChangeAction[]): void {
    const splayMs = Math.max(
      ...(this.task.templates ?? []).map((t) => durationMs(t.splay ?? defaultTemplate.splay, 0)),
    );
    const restart = actions.find((a) => a.mode === "restart");
    const signals = [...new Set(actions.flatMap((a) => (a.mode === "signal" ? [a.signal] : [])))];
    if (!restart && signals.length === 0) return;
    setTimeout(
      () => {
        if (this.stopped) return;
        if (restart) this.events.changed(restart);
        else for (const signal of signals) this.events.changed({ mode: "signal", signal });
      },
      Math.floor(this.random() * splayMs),
    ).unref();
  }
}

function changeAction(block: TemplateBlock): ChangeAction {
  const mode = block.changeMode ?? defaultTemplate.changeMode;
  if (mode === "signal")
    return { mode: "signal", signal: (block.changeSignal ?? "SIGHUP") as NodeJS.Signals };
  if (mode === "restart") return { mode: "restart" };
  return { mode: "noop" };
}
