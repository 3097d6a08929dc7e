// Which statuses are final, as Nomad's structs say (Allocation.TerminalStatus,
// ClientTerminalStatus, ServerTerminalStatus, Evaluation.TerminalStatus).
import { describe, expect, it } from "vitest";
import {
  isActive,
  isClientTerminal,
  isEvaluationTerminal,
  isServerTerminal,
  isTerminal,
} from "../../../src/crds/terminal.js";

describe("terminal statuses", () => {
  it.each([
    ["run", undefined, false],
    ["run", "pending", false],
    ["run", "running", false],
    ["run", "unknown", false],
    ["run", "complete", true],
    ["run", "failed", true],
    ["run", "lost", true],
    ["stop", "running", true],
    ["evict", "running", true],
    ["stop", undefined, true],
  ] as const)("an allocation %s/%s is terminal: %s", (desiredStatus, clientStatus, terminal) => {
    const flat = { desiredStatus, clientStatus };
    const object = { spec: { desiredStatus }, status: clientStatus ? { clientStatus } : undefined };
    expect([isTerminal(flat), isTerminal(object)]).toEqual([terminal, terminal]);
    expect([isActive(flat), isActive(object)]).toEqual([!terminal, !terminal]);
  });

  it("tells the client's side from the server's", () => {
    expect(
      ["pending", "running", "complete", "failed", "lost", "unknown"].map(isClientTerminal),
    ).toEqual([false, false, true, true, true, false]);
    expect(isClientTerminal(undefined)).toBe(false);
    expect(["run", "stop", "evict"].map(isServerTerminal)).toEqual([false, true, true]);
  });

  it("ends evaluations when complete, failed or canceled", () => {
    expect(
      ["pending", "blocked", "complete", "failed", "canceled"].map(isEvaluationTerminal),
    ).toEqual([false, false, true, true, true]);
  });
});
