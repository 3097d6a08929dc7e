package main

import (
	"fmt"
	"time"

	"github.com/hashicorp/nomad/api"
)

// monitor replays command/monitor.go: poll the evaluation and its
// allocations every second until it is terminal, follow NextEval, then watch
// the evaluation's deployment with blocking queries until it ends (with
// -verbose, reading the deployment's allocations each time). It returns the
// deployment's final status ("" when there is none), or an error when the
// command would exit non-zero.
func monitor(c *api.Client, evalID string, verbose bool) (string, error) {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		eval, _, err := c.Evaluations().Info(evalID, nil)
		if err != nil {
			return "", fmt.Errorf("No evaluation with id %q found: %w", evalID, err)
		}
		if _, _, err := c.Evaluations().Allocations(eval.ID, nil); err != nil {
			return "", fmt.Errorf("reading the evaluation's allocations: %w", err)
		}
		switch eval.Status {
		case api.EvalStatusComplete, api.EvalStatusFailed, api.EvalStatusCancelled:
		default:
			if time.Now().After(deadline) {
				return "", fmt.Errorf("evaluation %s still %q", eval.ID, eval.Status)
			}
			time.Sleep(time.Second)
			continue
		}
		if len(eval.FailedTGAllocs) > 0 {
			return "", fmt.Errorf("evaluation %s failed to place allocations: %v", eval.ID, eval.FailedTGAllocs)
		}
		if eval.Status != api.EvalStatusComplete {
			return "", fmt.Errorf("evaluation %s finished %q", eval.ID, eval.Status)
		}
		if eval.NextEval != "" {
			time.Sleep(eval.Wait)
			evalID = eval.NextEval
			continue
		}
		if eval.DeploymentID == "" {
			return "", nil
		}
		return monitorDeployment(c, eval.DeploymentID, eval.Wait, verbose)
	}
}

// monitorDeployment replays DeploymentStatusCommand.defaultMonitor:
// blocking queries on the deployment from index 0 until it is no longer
// running.
func monitorDeployment(c *api.Client, id string, wait time.Duration, verbose bool) (string, error) {
	q := api.QueryOptions{AllowStale: true, WaitTime: wait}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		d, meta, err := c.Deployments().Info(id, &q)
		if err != nil {
			return "", fmt.Errorf("Error fetching deployment: %w", err)
		}
		if verbose {
			allocs, _, err := c.Deployments().Allocations(id, nil)
			if err != nil {
				return "", fmt.Errorf("Error fetching allocations: %w", err)
			}
			for _, a := range allocs {
				if a.DeploymentStatus != nil && a.JobVersion != d.JobVersion {
					return "", fmt.Errorf("allocation %s of version %d in the deployment of version %d", a.ID, a.JobVersion, d.JobVersion)
				}
			}
		}
		switch d.Status {
		case api.DeploymentStatusSuccessful:
			return d.Status, nil
		case api.DeploymentStatusFailed, api.DeploymentStatusCancelled, api.DeploymentStatusBlocked:
			return d.Status, fmt.Errorf("deployment %s ended %q: %s", d.ID, d.Status, d.StatusDescription)
		}
		if time.Now().After(deadline) {
			return d.Status, fmt.Errorf("deployment %s still %q: %s", d.ID, d.Status, d.StatusDescription)
		}
		if meta.LastIndex < q.WaitIndex {
			return d.Status, fmt.Errorf("a blocking query went back from index %d to %d", q.WaitIndex, meta.LastIndex)
		}
		q.WaitIndex = meta.LastIndex
	}
}
