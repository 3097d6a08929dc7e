import { describe, expect, it } from "vitest";
import { Store } from "../../src/kube/store.js";

type Alloc = { metadata: { name: string; namespace: string; labels: Record<string, string> } };
const alloc = (name: string, node: string): Alloc => ({
  metadata: { name, namespace: "default", labels: { "caravan.dev/node": node } },
});

describe("informer store", () => {
  it("finds objects by a secondary index and keeps it current on update and delete", () => {
    const store = new Store<Alloc>();
    store.addIndex("node", (a) => [a.metadata.labels["caravan.dev/node"] ?? ""]);
    store.upsert(alloc("web-0", "n1"));
    store.upsert(alloc("web-1", "n1"));
    store.upsert(alloc("web-2", "n2"));
    expect(
      store
        .byIndex("node", "n1")
        .map((a) => a.metadata.name)
        .sort(),
    ).toEqual(["web-0", "web-1"]);

    store.upsert(alloc("web-1", "n2")); // moved
    expect(store.byIndex("node", "n1").map((a) => a.metadata.name)).toEqual(["web-0"]);
    expect(store.byIndex("node", "n2")).toHaveLength(2);

    store.remove("default/web-2");
    expect(store.byIndex("node", "n2").map((a) => a.metadata.name)).toEqual(["web-1"]);
    expect(store.get("default/web-0")?.metadata.name).toBe("web-0");
    expect(() => store.byIndex("job", "x")).toThrow(/no index named job/);
  });
});
