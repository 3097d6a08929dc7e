package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/nomad/api"
)

// Parameterized and periodic jobs: registered (the CLI does not monitor
// them), then dispatched and forced.
var dispatchReplays = []replay{
	{"job run (parameterized)", false, jobRunParameterized},
	{"job dispatch -meta", false, jobDispatch},
	{"job run (periodic)", false, jobRunPeriodic},
	{"job periodic force", false, jobPeriodicForce},
}

const (
	parameterizedID = "greet"
	periodicID      = "nightly"
)

func batchJob(id, script string) *api.Job {
	return &api.Job{
		ID:   new(id),
		Type: new("batch"),
		TaskGroups: []*api.TaskGroup{{
			Name: new("run"),
			Tasks: []*api.Task{{
				Name:      "run",
				Driver:    "raw_exec",
				Config:    map[string]any{"command": "/bin/sh", "args": []string{"-c", script}},
				Resources: &api.Resources{CPU: new(20), MemoryMB: new(16)},
			}},
		}},
	}
}

// jobIDByFilteredPrefix replays Meta.jobIDByPrefix with a filter, as job
// dispatch and job periodic force find their job.
func jobIDByFilteredPrefix(c *api.Client, prefix, filter string) (string, error) {
	jobs, _, err := c.Jobs().ListOptions(nil, &api.QueryOptions{Prefix: prefix, Filter: filter, PerPage: 20})
	if err != nil {
		return "", fmt.Errorf("Error querying job prefix %q: %w", prefix, err)
	}
	if len(jobs) != 1 {
		return "", fmt.Errorf("prefix %q with filter %q matched %d jobs", prefix, filter, len(jobs))
	}
	return jobs[0].ID, nil
}

// registerOnly replays `nomad job run` of a job the CLI does not monitor:
// the registration answers with no evaluation.
func registerOnly(c *api.Client, job *api.Job) error {
	resp, _, err := c.Jobs().RegisterOpts(job, &api.RegisterOptions{}, nil)
	if err != nil {
		return err
	}
	if resp.EvalID != "" {
		return fmt.Errorf("a parent job's registration made evaluation %s", resp.EvalID)
	}
	return nil
}

// nomad job run greet.json: a parameterized batch job needing meta "who".
func jobRunParameterized(s *session) error {
	job := batchJob(parameterizedID, `echo "hello $NOMAD_META_who"`)
	job.ParameterizedJob = &api.ParameterizedJobConfig{MetaRequired: []string{"who"}}
	return registerOnly(s.client, job)
}

// nomad job dispatch -meta who=caravan gre: the parent by prefix, the
// dispatch, the monitor; the child job runs to completion.
func jobDispatch(s *session) error {
	id, err := jobIDByFilteredPrefix(s.client, "gre", `ParentID == "" and ParameterizedJob is not nil`)
	if err != nil {
		return err
	}
	if _, _, err := s.client.Jobs().DispatchOpts(&api.DispatchOptions{JobID: id}, nil); err == nil ||
		!strings.Contains(err.Error(), "400 (Dispatch did not provide required meta keys: [who])") {
		return fmt.Errorf("a dispatch without the required meta: %v", err)
	}
	resp, _, err := s.client.Jobs().DispatchOpts(&api.DispatchOptions{
		JobID: id,
		Meta:  map[string]string{"who": "caravan"},
	}, nil)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(resp.DispatchedJobID, parameterizedID+"/dispatch-") || resp.EvalID == "" {
		return fmt.Errorf("got %+v", resp)
	}
	if _, err := monitor(s.client, resp.EvalID, false); err != nil {
		return err
	}
	return childCompletes(s.client, resp.DispatchedJobID)
}

// childCompletes waits for a child job to finish, as `nomad job status
// CHILD` shows it: dead, its one allocation complete.
func childCompletes(c *api.Client, child string) error {
	return poll(60*time.Second, func() (bool, error) {
		job, _, err := c.Jobs().Info(child, nil)
		if err != nil {
			return false, err
		}
		summary, _, err := c.Jobs().Summary(child, nil)
		if err != nil {
			return false, err
		}
		return *job.Status == "dead" && summary.Summary["run"].Complete == 1,
			fmt.Errorf("child %s is %s, %+v", child, *job.Status, summary.Summary["run"])
	})
}

// nomad job run nightly.json: a periodic batch job, launched yearly.
func jobRunPeriodic(s *session) error {
	job := batchJob(periodicID, "echo nightly")
	job.Periodic = &api.PeriodicConfig{Spec: new("0 3 1 1 *"), SpecType: new("cron")}
	return registerOnly(s.client, job)
}

// nomad job periodic force nig: the parent by prefix, a launch now,
// monitored; the child runs to completion.
func jobPeriodicForce(s *session) error {
	id, err := jobIDByFilteredPrefix(s.client, "nig", "Periodic is not nil")
	if err != nil {
		return err
	}
	evalID, _, err := s.client.Jobs().PeriodicForce(id, nil)
	if err != nil {
		return err
	}
	eval, _, err := s.client.Evaluations().Info(evalID, nil)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(eval.JobID, periodicID+"/periodic-") {
		return fmt.Errorf("the forced evaluation is for %s", eval.JobID)
	}
	if _, err := monitor(s.client, evalID, false); err != nil {
		return err
	}
	return childCompletes(s.client, eval.JobID)
}
