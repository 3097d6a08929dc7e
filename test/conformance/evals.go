package main

import (
	"fmt"
	"strings"

	"github.com/hashicorp/nomad/api"
)

// The eval command group.
var evalReplays = []replay{
	{"eval list", false, evalList},
	{"eval list -job", false, evalListByJob},
	{"eval status", false, evalStatus},
}

// nomad eval list
func evalList(s *session) error {
	evals, _, err := s.client.Evaluations().List(&api.QueryOptions{})
	if err != nil {
		return err
	}
	for _, e := range evals {
		if e.ID == s.registered.EvalID {
			return nil
		}
	}
	return fmt.Errorf("the registration's evaluation is not among %d", len(evals))
}

// nomad eval list -job conformance -status complete: the CLI turns the
// flags into a filter expression.
func evalListByJob(s *session) error {
	evals, _, err := s.client.Evaluations().List(&api.QueryOptions{
		Filter: `JobID == "conformance" and Status == "complete"`,
	})
	if err != nil {
		return err
	}
	if len(evals) == 0 {
		return fmt.Errorf("no evaluations")
	}
	for _, e := range evals {
		if e.JobID != jobID || e.Status != "complete" {
			return fmt.Errorf("the filter let through %s (%s, %s)", e.ID, e.JobID, e.Status)
		}
	}
	return nil
}

// sanitizeUUIDPrefix is what the CLI does to an ID it is given before a
// prefix lookup: it keeps an even number of characters besides hyphens.
func sanitizeUUIDPrefix(prefix string) string {
	length := len(prefix) - strings.Count(prefix, "-")
	return prefix[:len(prefix)-length%2]
}

// nomad eval status EVAL, given the registration's evaluation by the
// 8-character prefix `nomad eval list` prints: by prefix (as the CLI cuts
// it), then the evaluation, then the allocations it placed.
func evalStatus(s *session) error {
	id := s.registered.EvalID
	evals, _, err := s.client.Evaluations().PrefixList(sanitizeUUIDPrefix(shortID(id)))
	if err != nil {
		return err
	}
	if len(evals) != 1 {
		return fmt.Errorf("Prefix matched %d evaluations", len(evals))
	}
	eval, _, err := s.client.Evaluations().Info(evals[0].ID, nil)
	if err != nil {
		return err
	}
	if eval.ID != id || eval.JobID != jobID || eval.Status != "complete" || eval.TriggeredBy != "job-register" || eval.DeploymentID == "" {
		return fmt.Errorf("got %+v", eval)
	}
	if _, _, err := s.client.Evaluations().Allocations(eval.ID, nil); err != nil {
		return err
	}
	return nil
}
