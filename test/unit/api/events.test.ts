// Which Nomad event a change the informers see becomes (the type Nomad's Raft
// message would give it), and how ?topic= parses: what a script following the
// event stream switches on.
import { describe, expect, it } from "vitest";
import {
  allocEvent,
  deploymentEvent,
  evalEvent,
  jobEvent,
  nodeEvent,
  serviceEvent,
} from "../../../src/api/convert/event.js";
import { parseTopics } from "../../../src/api/routes/events.js";
import type {
  NomadAllocation,
  NomadDeployment,
  NomadEvaluation,
  NomadJob,
  NomadNode,
  NomadServiceRegistration,
} from "../../../src/crds/objects.js";

const jobIDOf = (_ns: string, job: string) => `id-of-${job}`;

function alloc(generation: number, spec: object = {}, status: object = {}): NomadAllocation {
  return {
    metadata: { name: "a1", namespace: "prod", generation, resourceVersion: String(generation) },
    spec: { jobName: "web", group: "g", deploymentName: "d1", desiredStatus: "run", ...spec },
    status,
  } as unknown as NomadAllocation;
}

describe("event types", () => {
  it("names an allocation's change as Nomad's Raft message would", () => {
    const placed = allocEvent(undefined, alloc(1), false, jobIDOf);
    expect(placed).toEqual({
      Topic: "Allocation",
      Type: "PlanResult",
      Key: "a1",
      Namespace: "prod",
      FilterKeys: ["id-of-web", "d1"],
    });
    const running = alloc(1, {}, { clientStatus: "running" });
    expect(allocEvent(alloc(1), running, false, jobIDOf)?.Type).toBe("AllocationUpdated");
    const migrate = alloc(2, { desiredTransition: { migrate: true } });
    expect(allocEvent(alloc(1), migrate, false, jobIDOf)?.Type).toBe(
      "AllocationUpdateDesiredStatus",
    );
    const stop = alloc(2, { desiredStatus: "stop" });
    expect(allocEvent(alloc(1), stop, false, jobIDOf)?.Type).toBe("PlanResult");
    // Metadata only (a finalizer, a label), and garbage collection: nothing to publish.
    expect(allocEvent(alloc(1), alloc(1), false, jobIDOf)).toBeUndefined();
    expect(allocEvent(undefined, alloc(1), true, jobIDOf)).toBeUndefined();
  });

  it("tells a registration from a stop, a purge and a status move", () => {
    const job = (generation: number, stop = false, status = "pending") =>
      ({
        metadata: { name: "web", namespace: "prod", generation },
        spec: { id: "web-id", stop },
        status: { status },
      }) as unknown as NomadJob;
    expect(jobEvent(undefined, job(1), false)).toMatchObject({
      Type: "JobRegistered",
      Key: "web-id",
      Namespace: "prod",
    });
    expect(jobEvent(job(1), job(2, true), false)?.Type).toBe("JobDeregistered");
    expect(jobEvent(job(2, true), job(3, true), false)?.Type).toBe("JobRegistered");
    expect(jobEvent(job(1), job(1, false, "running"), false)?.Type).toBe("PlanResult");
    expect(jobEvent(undefined, job(1), true)?.Type).toBe("JobDeregistered");
  });

  it("keys evaluations and deployments by their job, and skips what did not change", () => {
    const ev = (status: string) =>
      ({
        metadata: { name: "e1", namespace: "prod", generation: 1 },
        spec: { jobName: "web", deploymentName: "d1" },
        status: { status },
      }) as unknown as NomadEvaluation;
    expect(evalEvent(undefined, ev("pending"), false, jobIDOf)).toEqual({
      Topic: "Evaluation",
      Type: "EvaluationUpdated",
      Key: "e1",
      Namespace: "prod",
      FilterKeys: ["id-of-web", "d1"],
    });
    expect(evalEvent(ev("pending"), ev("complete"), false, jobIDOf)?.Type).toBe(
      "EvaluationUpdated",
    );
    expect(evalEvent(ev("pending"), ev("pending"), false, jobIDOf)).toBeUndefined();
    const dep = (status: string) =>
      ({
        metadata: { name: "d1", namespace: "prod", generation: 1 },
        spec: { jobName: "web" },
        status: { status },
      }) as unknown as NomadDeployment;
    expect(deploymentEvent(undefined, dep("running"), false, jobIDOf)).toMatchObject({
      Type: "PlanResult",
      FilterKeys: ["id-of-web"],
    });
    expect(deploymentEvent(dep("running"), dep("successful"), false, jobIDOf)?.Type).toBe(
      "DeploymentStatusUpdate",
    );
  });

  it("names node changes: registration, drain, eligibility, status", () => {
    const node = (spec: object = {}, status: object = { status: "ready" }) =>
      ({ metadata: { name: "n1", generation: 1 }, spec, status }) as unknown as NomadNode;
    expect(nodeEvent(undefined, node(), false)).toEqual({
      Topic: "Node",
      Type: "NodeRegistration",
      Key: "n1",
      Namespace: "",
      FilterKeys: null,
    });
    expect(nodeEvent(node(), node({ drain: { deadline: "1h" } }), false)?.Type).toBe("NodeDrain");
    expect(nodeEvent(node(), node({ eligibility: "ineligible" }), false)?.Type).toBe(
      "NodeEligibility",
    );
    expect(nodeEvent(node(), node({}, { status: "down" }), false)?.Type).toBe("NodeStreamEvent");
    expect(nodeEvent(undefined, node(), true)?.Type).toBe("NodeDeregistration");
    expect(nodeEvent(node(), node(), false)).toBeUndefined();
  });

  it("names service registrations and deregistrations, keyed by ID and filtered by job and service", () => {
    const reg = (generation: number, checkStatus?: string) =>
      ({
        metadata: { name: "nomad-task-a1-group-g-web-http", namespace: "prod", generation },
        spec: { id: "_nomad-task-a1-group-g-web-http", serviceName: "web", jobID: "shop" },
        status: checkStatus ? { checkStatus } : {},
      }) as unknown as NomadServiceRegistration;
    expect(serviceEvent(undefined, reg(1), false)).toEqual({
      Topic: "Service",
      Type: "ServiceRegistration",
      Key: "_nomad-task-a1-group-g-web-http",
      Namespace: "prod",
      FilterKeys: ["shop", "web"],
    });
    expect(serviceEvent(reg(1), reg(2), false)?.Type).toBe("ServiceRegistration");
    expect(serviceEvent(reg(1), reg(1, "critical"), false)).toBeUndefined();
    expect(serviceEvent(undefined, reg(1), true)?.Type).toBe("ServiceDeregistration");
  });
});

describe("?topic=", () => {
  const parse = (qs: string) => Object.fromEntries(parseTopics(new URLSearchParams(qs)));
  it("parses Topic:Key pairs as Nomad does, everything when none is given", () => {
    expect(parse("")).toEqual({ "*": ["*"] });
    expect(parse("topic=Job:web&topic=Job:api&topic=Node")).toEqual({
      Job: ["web", "api"],
      Node: ["*"],
    });
    expect(() => parse("topic=Job:a:b")).toThrow(/Invalid key value pair for topic/);
  });
});
