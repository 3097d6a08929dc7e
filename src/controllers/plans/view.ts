// The allocations the scheduler and plan applier see: the informer's cache
// plus what the applier wrote that the informer has not delivered yet. Without
// the overlay a worker could plan from a snapshot that misses allocations the
// applier just committed, and place them twice.
import type { NomadAllocation } from "../../crds/objects.js";
import type { Informer } from "../../kube/informer.js";
import { objectKey } from "../../kube/store.js";

export class AllocationView {
  private readonly overlay = new Map<string, NomadAllocation>();

  constructor(private readonly informer: Informer<NomadAllocation>) {
    const seen = (a: NomadAllocation) => {
      const key = objectKey(a);
      const mine = this.overlay.get(key);
      if (mine && !isOlder(a.metadata.resourceVersion, mine.metadata.resourceVersion))
        this.overlay.delete(key);
    };
    informer.addHandlers({
      onAdd: seen,
      onUpdate: (_o, a) => seen(a),
      onDelete: (a) => this.overlay.delete(objectKey(a)),
    });
  }

  /** Records an allocation as the API server returned it after a write. */
  wrote(a: NomadAllocation): void {
    (a.metadata as { managedFields?: unknown }).managedFields = undefined; // as the informer does
    const key = objectKey(a);
    const cached = this.informer.store.get(key);
    if (cached && !isOlder(cached.metadata.resourceVersion, a.metadata.resourceVersion)) return;
    this.overlay.set(key, a);
  }

  get(key: string): NomadAllocation | undefined {
    return this.overlay.get(key) ?? this.informer.store.get(key);
  }

  all(): NomadAllocation[] {
    if (this.overlay.size === 0) return this.informer.store.list();
    const out = this.informer.store.list().filter((a) => !this.overlay.has(objectKey(a)));
    out.push(...this.overlay.values());
    return out;
  }

  get pendingWrites(): number {
    return this.overlay.size;
  }
}

// resourceVersions are opaque to clients, but etcd's are integers, and the
// informer only compares versions of the same object.
function isOlder(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  try {
    return BigInt(a) < BigInt(b);
  } catch {
    return a !== b;
  }
}
