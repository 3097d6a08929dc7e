// Prometheus metrics, named as Nomad names them where Nomad has the metric
// (nomad.nomad.broker.total_ready → nomad_nomad_broker_total_ready), so
// dashboards and alerts written for Nomad keep working.
import { Counter, Gauge, Registry, Summary } from "prom-client";

export interface ControllerMetrics {
  registry: Registry;
  brokerReady: Gauge;
  brokerUnacked: Gauge;
  brokerWaiting: Gauge;
  blockedEvals: Gauge;
  planQueueDepth: Gauge;
  planApply: Summary;
  workerDequeue: Summary;
  workerInvokeScheduler: Summary<"type">;
  evaluations: Counter<"triggered_by" | "outcome">;
  allocationsPlaced: Counter;
}

export function createControllerMetrics(): ControllerMetrics {
  const registry = new Registry();
  const percentiles = [0.5, 0.9, 0.99];
  return {
    registry,
    brokerReady: new Gauge({
      name: "nomad_nomad_broker_total_ready",
      help: "Evaluations ready to be handed to a scheduler worker.",
      registers: [registry],
    }),
    brokerUnacked: new Gauge({
      name: "nomad_nomad_broker_total_unacked",
      help: "Evaluations handed out and not yet finished.",
      registers: [registry],
    }),
    brokerWaiting: new Gauge({
      name: "nomad_nomad_broker_total_waiting",
      help: "Evaluations waiting for their wait time or a redelivery backoff.",
      registers: [registry],
    }),
    blockedEvals: new Gauge({
      name: "nomad_nomad_blocked_evals_total_blocked",
      help: "Evaluations blocked until capacity appears.",
      registers: [registry],
    }),
    planQueueDepth: new Gauge({
      name: "nomad_nomad_plan_queue_depth",
      help: "Plans waiting for the plan applier.",
      registers: [registry],
    }),
    planApply: new Summary({
      name: "nomad_nomad_plan_apply",
      help: "Milliseconds to apply a plan.",
      percentiles,
      registers: [registry],
    }),
    workerDequeue: new Summary({
      name: "nomad_nomad_worker_dequeue_eval",
      help: "Milliseconds a worker waited for an evaluation.",
      percentiles,
      registers: [registry],
    }),
    workerInvokeScheduler: new Summary({
      name: "nomad_nomad_worker_invoke_scheduler",
      help: "Milliseconds the scheduler took for one evaluation, by job type.",
      labelNames: ["type"],
      percentiles,
      registers: [registry],
    }),
    evaluations: new Counter({
      name: "caravan_evaluations_total",
      help: "Evaluations finished, by trigger and outcome.",
      labelNames: ["triggered_by", "outcome"],
      registers: [registry],
    }),
    allocationsPlaced: new Counter({
      name: "caravan_allocations_placed_total",
      help: "Allocations the plan applier created.",
      registers: [registry],
    }),
  };
}
