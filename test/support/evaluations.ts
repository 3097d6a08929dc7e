// The name (Nomad's evaluation ID) of the evaluation a job's spec change asks
// for, as the API and the jobs controller both derive it.
import { evaluationName } from "../../src/crds/new-evaluation.js";

export function specEvaluation(namespace: string, job: string, generation: number): string {
  return evaluationName(namespace, job, { kind: "job-spec", generation });
}
