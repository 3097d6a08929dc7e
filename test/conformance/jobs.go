package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/nomad/api"
	"github.com/hashicorp/nomad/api/contexts"
)

// The job command group, up to the job's teardown (jobTeardownReplays).
var jobReplays = []replay{
	{"job validate", false, jobValidate},
	{"job plan", false, jobPlan},
	{"job run", false, jobRun},
	{"api event stream", false, eventStream},
	{"job status", false, jobStatusList},
	{"job status JOB", false, jobStatus},
	{"job inspect", false, jobInspect},
	{"job allocs", false, jobAllocs},
	{"job deployments", false, jobDeployments},
	{"job scale -verbose", false, jobScale},
	{"job scaling-events", false, jobScalingEvents},
	{"job history -p", false, jobHistory},
	{"job revert", false, jobRevert},
	{"job eval", false, jobEval},
	{"status JOB", false, statusJob},
	{"job run (denied)", true, jobRunDenied},
	{"api jobs parse", false, jobsParse},
}

var jobTeardownReplays = []replay{
	{"job stop", false, jobStop},
	{"job stop -purge", false, jobStopPurge},
}

const jobID = "conformance"

// conformanceJob is the job file `nomad job run` reads: a JSON file
// decodes into api.Job as is, not canonicalized (the server fills the
// defaults). Its task prints to stdout and says when it gets SIGUSR1.
func conformanceJob() *api.Job {
	return &api.Job{
		ID:   new(jobID),
		Name: new(jobID),
		Type: new("service"),
		Update: &api.UpdateStrategy{
			MinHealthyTime: new(time.Second),
		},
		TaskGroups: []*api.TaskGroup{{
			Name:    new("web"),
			Count:   new(1),
			Scaling: &api.ScalingPolicy{Min: new(int64(1)), Max: new(int64(4))},
			Tasks: []*api.Task{{
				Name:   "hello",
				Driver: "raw_exec",
				Config: map[string]any{
					"command": "/bin/sh",
					"args":    []string{"-c", "trap 'echo got usr1' USR1; echo hello from caravan; while true; do sleep 1; done"},
				},
				Resources: &api.Resources{CPU: new(50), MemoryMB: new(32)},
			}},
		}},
	}
}

// jobIDByPrefix replays Meta.JobIDByPrefix: a list by prefix, 20 a page,
// with an exact match winning over longer IDs.
func jobIDByPrefix(c *api.Client, prefix string) (string, error) {
	jobs, _, err := c.Jobs().ListOptions(nil, &api.QueryOptions{Prefix: prefix, PerPage: 20})
	if err != nil {
		return "", fmt.Errorf("Error querying job prefix %q: %w", prefix, err)
	}
	if len(jobs) == 0 {
		return "", fmt.Errorf("No job(s) with prefix or ID %q found", prefix)
	}
	if len(jobs) > 1 && jobs[0].ID != prefix {
		return "", fmt.Errorf("Prefix %q matched multiple jobs", prefix)
	}
	return jobs[0].ID, nil
}

// nomad job validate job.json
func jobValidate(s *session) error {
	resp, _, err := s.client.Jobs().Validate(conformanceJob(), nil)
	if err != nil {
		return err
	}
	if resp.Error != "" || len(resp.ValidationErrors) > 0 {
		return fmt.Errorf("validation errors: %s %v", resp.Error, resp.ValidationErrors)
	}
	bad := conformanceJob()
	bad.TaskGroups[0].Tasks[0].Driver = ""
	resp, _, err = s.client.Jobs().Validate(bad, nil)
	if err == nil && resp.Error == "" && len(resp.ValidationErrors) == 0 {
		return fmt.Errorf("a task without a driver validated")
	}
	return nil
}

// nomad job plan job.json: a plan with a diff, which would create the job
// and place one allocation.
func jobPlan(s *session) error {
	plan, _, err := s.client.Jobs().PlanOpts(conformanceJob(), &api.PlanOptions{Diff: true}, nil)
	if err != nil {
		return err
	}
	if plan.Diff == nil || plan.Diff.Type != "Added" {
		return fmt.Errorf("diff %+v", plan.Diff)
	}
	if u := plan.Annotations; u == nil || u.DesiredTGUpdates["web"] == nil || u.DesiredTGUpdates["web"].Place != 1 {
		return fmt.Errorf("annotations %+v", plan.Annotations)
	}
	return nil
}

// nomad job run job.json: register, then monitor the evaluation and the
// deployment it names until the deployment succeeds.
func jobRun(s *session) error {
	job := conformanceJob()
	source, err := json.Marshal(job)
	if err != nil {
		return err
	}
	resp, _, err := s.client.Jobs().RegisterOpts(job, &api.RegisterOptions{
		Submission: &api.JobSubmission{Source: string(source), Format: "json"},
	}, nil)
	if err != nil {
		return err
	}
	if resp.EvalID == "" || resp.JobModifyIndex == 0 {
		return fmt.Errorf("got %+v", resp)
	}
	s.registered = resp
	status, err := monitor(s.client, resp.EvalID, false)
	if err != nil {
		return err
	}
	if status != api.DeploymentStatusSuccessful {
		return fmt.Errorf("no deployment was monitored (status %q)", status)
	}
	return nil
}

// nomad job status: the job list.
func jobStatusList(s *session) error {
	jobs, _, err := s.client.Jobs().ListOptions(nil, nil)
	if err != nil {
		return err
	}
	if len(jobs) != 1 || jobs[0].ID != jobID || jobs[0].Status != "running" {
		return fmt.Errorf("got %+v", jobs)
	}
	return nil
}

// nomad job status conformance: prefix, info, allocations, evaluations,
// latest deployment, summary.
func jobStatus(s *session) error {
	id, err := jobIDByPrefix(s.client, "conf")
	if err != nil {
		return err
	}
	job, _, err := s.client.Jobs().Info(id, nil)
	if err != nil {
		return err
	}
	if *job.Type != "service" || *job.Priority != 50 || *job.Status != "running" {
		return fmt.Errorf("job %s priority %d status %s", *job.Type, *job.Priority, *job.Status)
	}
	allocs, _, err := s.client.Jobs().Allocations(id, false, nil)
	if err != nil {
		return err
	}
	running := 0
	for _, a := range allocs {
		if a.DesiredStatus == "run" && a.ClientStatus == "running" {
			running++
		}
	}
	if running != 1 {
		return fmt.Errorf("%d of %d allocations running", running, len(allocs))
	}
	evals, _, err := s.client.Jobs().Evaluations(id, nil)
	if err != nil || len(evals) == 0 {
		return fmt.Errorf("evaluations %+v %v", evals, err)
	}
	d, _, err := s.client.Jobs().LatestDeployment(id, nil)
	if err != nil || d == nil || d.Status != api.DeploymentStatusSuccessful {
		return fmt.Errorf("latest deployment %+v %v", d, err)
	}
	s.deployment = d.ID
	// The summary counts an allocation stopped a moment ago until its
	// task has exited.
	return poll(30*time.Second, func() (bool, error) {
		summary, _, err := s.client.Jobs().Summary(id, nil)
		if err != nil {
			return false, err
		}
		return summary.Summary["web"].Running == 1, fmt.Errorf("summary %+v", summary.Summary)
	})
}

// nomad job inspect conformance
func jobInspect(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	job, _, err := s.client.Jobs().Info(id, nil)
	if err != nil {
		return err
	}
	if job.TaskGroups[0].Tasks[0].Driver != "raw_exec" || *job.TaskGroups[0].RestartPolicy.Attempts == 0 {
		return fmt.Errorf("not the canonical job: %+v", job.TaskGroups[0])
	}
	return nil
}

// nomad job allocs conformance
func jobAllocs(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	allocs, _, err := s.client.Jobs().Allocations(id, false, nil)
	if err != nil || len(allocs) != 1 || allocs[0].TaskGroup != "web" {
		return fmt.Errorf("%+v %v", allocs, err)
	}
	return nil
}

// nomad job deployments conformance
func jobDeployments(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	deploys, _, err := s.client.Jobs().Deployments(id, false, nil)
	if err != nil || len(deploys) != 1 || deploys[0].ID != s.deployment {
		return fmt.Errorf("%+v %v", deploys, err)
	}
	return nil
}

// nomad job scale -verbose conformance web 2: scale status (to check the
// group), the scaling request, the job (periodic? parameterized?), then the
// monitor, which reads the deployment's allocations as it goes.
func jobScale(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	before, _, err := s.client.Jobs().ScaleStatus(id, nil)
	if err != nil {
		return err
	}
	if g := before.TaskGroups["web"]; g.Desired != 1 {
		return fmt.Errorf("scale status %+v", before.TaskGroups)
	}
	resp, _, err := s.client.Jobs().ScaleWithRequest(id, &api.ScalingRequest{
		Count:   new(int64(2)),
		Target:  map[string]string{"Job": id, "Group": "web"},
		Message: "submitted using the Nomad CLI",
	}, nil)
	if err != nil {
		return err
	}
	if _, _, err := s.client.Jobs().Info(id, nil); err != nil {
		return err
	}
	status, err := monitor(s.client, resp.EvalID, true)
	if err != nil {
		return err
	}
	if status != api.DeploymentStatusSuccessful {
		return fmt.Errorf("no deployment was monitored (status %q)", status)
	}
	return poll(30*time.Second, func() (bool, error) {
		status, _, err := s.client.Jobs().ScaleStatus(id, nil)
		if err != nil {
			return false, err
		}
		g := status.TaskGroups["web"]
		return g.Desired == 2 && g.Running == 2, fmt.Errorf("%+v", g)
	})
}

// nomad job scaling-events conformance: the group's scale status, whose
// events the CLI lists newest first; the newest is the scale above.
func jobScalingEvents(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	status, _, err := s.client.Jobs().ScaleStatus(id, nil)
	if err != nil {
		return err
	}
	g := status.TaskGroups["web"]
	if g.Desired != 2 || status.JobID != jobID {
		return fmt.Errorf("scale status %+v", status)
	}
	if len(g.Events) == 0 {
		return fmt.Errorf("no scaling events: %+v", g)
	}
	e := g.Events[0]
	if e.Count == nil || *e.Count != 2 || e.PreviousCount != 1 || e.Error ||
		e.Message != "submitted using the Nomad CLI" || e.EvalID == nil || *e.EvalID == "" ||
		e.CreateIndex == 0 || time.Since(time.Unix(0, int64(e.Time))) > time.Hour {
		return fmt.Errorf("newest scaling event %+v", e)
	}
	return nil
}

// nomad job history -p conformance: every version, newest first, with the
// diff of each against the one before it.
func jobHistory(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	versions, diffs, _, err := s.client.Jobs().VersionsOpts(id, &api.VersionsOptions{Diffs: true}, nil)
	if err != nil {
		return err
	}
	if len(versions) != 2 || *versions[0].Version != 1 || *versions[0].TaskGroups[0].Count != 2 || *versions[1].Version != 0 {
		return fmt.Errorf("%d versions", len(versions))
	}
	if len(diffs) != 1 || diffs[0].Type != "Edited" || len(diffs[0].TaskGroups) != 1 {
		return fmt.Errorf("diffs %+v", diffs)
	}
	for _, f := range diffs[0].TaskGroups[0].Fields {
		if f.Name == "Count" && f.Old == "1" && f.New == "2" {
			return nil
		}
	}
	return fmt.Errorf("no Count 1 -> 2 in the group's diff %+v", diffs[0].TaskGroups[0].Fields)
}

// nomad job revert conformance 0: back to one allocation, monitored.
func jobRevert(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	resp, _, err := s.client.Jobs().Revert(id, 0, nil, nil, "", "")
	if err != nil {
		return err
	}
	if _, err := monitor(s.client, resp.EvalID, false); err != nil {
		return err
	}
	job, _, err := s.client.Jobs().Info(id, nil)
	if err != nil {
		return err
	}
	if *job.Version != 2 || *job.TaskGroups[0].Count != 1 {
		return fmt.Errorf("version %d count %d", *job.Version, *job.TaskGroups[0].Count)
	}
	return nil
}

// nomad job eval conformance: a new evaluation of the job, monitored.
func jobEval(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	evalID, _, err := s.client.Jobs().EvaluateWithOpts(id, api.EvalOptions{}, nil)
	if err != nil {
		return err
	}
	if evalID == "" || evalID == s.registered.EvalID {
		return fmt.Errorf("evaluation %q", evalID)
	}
	_, err = monitor(s.client, evalID, false)
	return err
}

// nomad status conformance: a prefix search over every context, the job
// matching exactly, then what `nomad job status conformance` reads.
func statusJob(s *session) error {
	res, _, err := s.client.Search().PrefixSearch(jobID, contexts.All, nil)
	if err != nil {
		return err
	}
	exact := []contexts.Context{}
	for ctx, ids := range res.Matches {
		if len(ids) > 0 && ids[0] == jobID {
			exact = append(exact, ctx)
		}
	}
	if len(exact) != 1 || exact[0] != contexts.Jobs {
		return fmt.Errorf("exact matches in %v, all matches %v", exact, res.Matches)
	}
	return jobStatus(s)
}

// The reader may read the job but not submit one.
func jobRunDenied(s *session) error {
	if _, _, err := s.reader.Jobs().Info(jobID, nil); err != nil {
		return fmt.Errorf("reading with a read-only token: %w", err)
	}
	_, _, err := s.reader.Jobs().RegisterOpts(conformanceJob(), nil, nil)
	return denied(err)
}

// The event stream from before the registration, as `nomad operator api`
// users and the UI read it: the job's JobRegistered and an allocation
// running, decoded by the client.
func eventStream(s *session) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	events, err := s.client.EventStream().Stream(ctx, map[api.Topic][]string{
		api.TopicJob:        {jobID},
		api.TopicAllocation: {jobID},
	}, s.registered.JobModifyIndex-1, nil)
	if err != nil {
		return err
	}
	sawJob, sawAlloc := false, false
	for !sawJob || !sawAlloc {
		var batch *api.Events
		select {
		case batch = <-events:
		case <-ctx.Done():
			return fmt.Errorf("job event %v, running allocation event %v", sawJob, sawAlloc)
		}
		if batch == nil || batch.Err != nil {
			return fmt.Errorf("%v", batch)
		}
		for _, e := range batch.Events {
			switch e.Topic {
			case api.TopicJob:
				j, err := e.Job()
				if err != nil || j == nil || *j.ID != jobID {
					return fmt.Errorf("job payload %v %v", j, err)
				}
				sawJob = sawJob || e.Type == "JobRegistered"
			case api.TopicAllocation:
				a, err := e.Allocation()
				if err != nil || a == nil || a.JobID != jobID {
					return fmt.Errorf("allocation payload %v %v", a, err)
				}
				sawAlloc = sawAlloc || (e.Type == "AllocationUpdated" && a.ClientStatus == "running")
			default:
				return fmt.Errorf("unasked topic %s", e.Topic)
			}
		}
	}
	return nil
}

// POST /v1/jobs/parse, which the UI and Terraform's provider call (the
// CLI parses locally): HCL in, a canonical job out.
func jobsParse(s *session) error {
	job, err := s.client.Jobs().ParseHCLOpts(&api.JobsParseRequest{
		JobHCL:       `job "parsed" { group "g" { task "t" { driver = "raw_exec" } } }`,
		Canonicalize: true,
	})
	if err != nil {
		return err
	}
	if *job.ID != "parsed" || *job.TaskGroups[0].Count != 1 || *job.Priority != 50 {
		return fmt.Errorf("job %s count %d priority %d", *job.ID, *job.TaskGroups[0].Count, *job.Priority)
	}
	return nil
}

// nomad job stop conformance: deregister, monitor; the job stays, stopped.
func jobStop(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	if _, _, err := s.client.Jobs().Info(id, nil); err != nil {
		return err
	}
	evalID, _, err := s.client.Jobs().DeregisterOpts(id, &api.DeregisterOptions{}, nil)
	if err != nil {
		return err
	}
	if _, err := monitor(s.client, evalID, false); err != nil {
		return err
	}
	job, _, err := s.client.Jobs().Info(id, nil)
	if err != nil || !*job.Stop {
		return fmt.Errorf("after stop: %+v %v", job, err)
	}
	return nil
}

// nomad job stop -purge conformance: the job is gone.
func jobStopPurge(s *session) error {
	id, err := jobIDByPrefix(s.client, jobID)
	if err != nil {
		return err
	}
	if _, _, err := s.client.Jobs().Info(id, nil); err != nil {
		return err
	}
	evalID, _, err := s.client.Jobs().DeregisterOpts(id, &api.DeregisterOptions{Purge: true}, nil)
	if err != nil {
		return err
	}
	// The CLI monitors the evaluation Nomad makes, even for a job stopped already.
	if evalID == "" {
		return fmt.Errorf("the purge made no evaluation")
	}
	if _, err := monitor(s.client, evalID, false); err != nil {
		return err
	}
	return poll(60*time.Second, func() (bool, error) {
		_, _, err := s.client.Jobs().Info(id, nil)
		return err != nil && strings.Contains(err.Error(), "404"), err
	})
}
