// Nomad's choose=<n>|<key>: the same registrations in the same order as
// Nomad 2.0's rendezvous hashing picks them, and its parameter's form.
import { describe, expect, it } from "vitest";
import {
  chooseRegistrations,
  parseChoose,
  serviceRegistrationName,
} from "../../../src/crds/service-registration.js";

// Two registrations and what Nomad 2.0.6-dev answered to
// GET /v1/service/web?choose=2|<key> for them (recorded from a dev agent).
const regs = [
  {
    ID: "_nomad-task-18dfc0ff-4832-2540-d98e-0bb5fb81c366-group-web-web-http",
    ServiceName: "web",
    Namespace: "default",
    AllocID: "18dfc0ff-4832-2540-d98e-0bb5fb81c366",
    Address: "127.0.0.1",
    Port: 22826,
    Tags: ["v1", "http"],
  },
  {
    ID: "_nomad-task-e0b1b9ba-9c4c-c558-62e1-f4d8a1afc9fa-group-web-web-http",
    ServiceName: "web",
    Namespace: "default",
    AllocID: "e0b1b9ba-9c4c-c558-62e1-f4d8a1afc9fa",
    Address: "127.0.0.1",
    Port: 28393,
    Tags: ["v1", "http"],
  },
];
const nomadOrder: Record<string, string[]> = {
  a1: ["e0b1", "18df"],
  b2: ["18df", "e0b1"],
  c3: ["e0b1", "18df"],
  d4: ["18df", "e0b1"],
  e5: ["18df", "e0b1"],
  h8: ["e0b1", "18df"],
};

describe("chooseRegistrations", () => {
  it("orders registrations as Nomad's choose does for each key", () => {
    for (const [key, order] of Object.entries(nomadOrder))
      expect(chooseRegistrations(regs, 2, key).map((r) => r.AllocID.slice(0, 4))).toEqual(order);
  });

  it("takes the first n, and all when fewer are registered", () => {
    expect(chooseRegistrations(regs, 1, "b2").map((r) => r.AllocID.slice(0, 4))).toEqual(["18df"]);
    expect(chooseRegistrations(regs, 5, "b2")).toHaveLength(2);
  });
});

describe("parseChoose", () => {
  it("reads <number>|<key> and refuses other forms", () => {
    expect(parseChoose("2|abc")).toEqual({ n: 2, key: "abc" });
    expect(parseChoose("2|a|b")).toEqual({ n: 2, key: "a|b" });
    for (const bad of ["x", "2", "2|", "two|abc"]) expect(parseChoose(bad)).toBeUndefined();
  });
});

describe("serviceRegistrationName", () => {
  it("makes Nomad's registration ID a Kubernetes object name", () => {
    expect(serviceRegistrationName("_nomad-task-a1-group-g-web-http")).toBe(
      "nomad-task-a1-group-g-web-http",
    );
    expect(serviceRegistrationName("_nomad-task-a1-group-g-Web_UI-http")).toMatch(
      /^nomad-task-a1-group-g-web-ui-http-[0-9a-f]{12}$/,
    );
  });
});
