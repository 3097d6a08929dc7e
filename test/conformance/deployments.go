package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/nomad/api"
)

// The deployment command group, on a deployment kept running: a second
// job whose allocation needs an hour to count as healthy. (Its own job, as
// a job whose latest deployment failed has `nomad job stop` monitor that
// deployment and exit 1, in Nomad as in Caravan.)
var deploymentReplays = []replay{
	{"job run -detach", false, jobRunDetachSlowDeployment},
	{"deployment list", false, deploymentList},
	{"deployment status", false, deploymentStatus},
	{"deployment pause", false, deploymentPause},
	{"deployment pause (denied)", true, deploymentPauseDenied},
	{"deployment resume", false, deploymentResume},
	{"deployment fail -detach", false, deploymentFail},
	{"job stop -detach -purge", false, jobStopDetachPurge},
}

const rolloutID = "rollout"

// getDeployment replays command/deployment_status.go's getDeployment for a
// short ID: a prefix list.
func getDeployment(c *api.Client, id string) (*api.Deployment, error) {
	deploys, _, err := c.Deployments().PrefixList(shortID(id))
	if err != nil {
		return nil, err
	}
	if len(deploys) != 1 {
		return nil, fmt.Errorf("prefix matched %d deployments", len(deploys))
	}
	return deploys[0], nil
}

// changed checks what a pause, resume or fail answered and the deployment
// read right after it: as Nomad's deployment watcher, the answer comes once
// the status has changed, and names the evaluation it made (none for a pause).
func changed(c *api.Client, id string, resp *api.DeploymentUpdateResponse, want string, evaluated bool) error {
	if (resp.EvalID != "") != evaluated {
		return fmt.Errorf("the answer's evaluation %q", resp.EvalID)
	}
	if evaluated {
		e, _, err := c.Evaluations().Info(resp.EvalID, nil)
		if err != nil || e.DeploymentID != id || e.TriggeredBy != "deployment-watcher" {
			return fmt.Errorf("the answer's evaluation %+v %v", e, err)
		}
	}
	d, _, err := c.Deployments().Info(id, nil)
	if err != nil {
		return err
	}
	if d.Status != want {
		return fmt.Errorf("status %q: %s", d.Status, d.StatusDescription)
	}
	return nil
}

// nomad job run -detach rollout.json, a job with a one-hour
// min_healthy_time: register, print the evaluation, return.
func jobRunDetachSlowDeployment(s *session) error {
	job := conformanceJob()
	job.ID, job.Name = new(rolloutID), new(rolloutID)
	job.Update.MinHealthyTime = new(time.Hour)
	job.Update.HealthyDeadline = new(2 * time.Hour)
	job.Update.ProgressDeadline = new(3 * time.Hour)
	source, err := json.Marshal(job)
	if err != nil {
		return err
	}
	if _, _, err := s.client.Jobs().RegisterOpts(job, &api.RegisterOptions{
		Submission: &api.JobSubmission{Source: string(source), Format: "json"},
	}, nil); err != nil {
		return err
	}
	// What a user does next: wait for the job's deployment to start.
	return poll(60*time.Second, func() (bool, error) {
		d, _, err := s.client.Jobs().LatestDeployment(rolloutID, nil)
		if err != nil || d == nil {
			return false, err
		}
		if d.Status != api.DeploymentStatusRunning {
			return false, fmt.Errorf("latest deployment %s of version %d is %s", d.ID, d.JobVersion, d.Status)
		}
		s.deployment = d.ID
		return true, nil
	})
}

// nomad deployment list: both jobs' deployments, the rollout's running.
func deploymentList(s *session) error {
	deploys, _, err := s.client.Deployments().List(nil)
	if err != nil {
		return err
	}
	running := 0
	for _, d := range deploys {
		if d.JobID != jobID && d.JobID != rolloutID {
			return fmt.Errorf("a deployment of %s", d.JobID)
		}
		if d.Status == api.DeploymentStatusRunning {
			running++
			if d.ID != s.deployment {
				return fmt.Errorf("deployment %s of %s is running", d.ID, d.JobID)
			}
		}
	}
	if len(deploys) < 3 || running != 1 {
		return fmt.Errorf("%d deployments, %d running", len(deploys), running)
	}
	return nil
}

// nomad deployment status DEPLOYMENT
func deploymentStatus(s *session) error {
	d, err := getDeployment(s.client, s.deployment)
	if err != nil {
		return err
	}
	if d.ID != s.deployment || d.TaskGroups["web"] == nil || d.TaskGroups["web"].DesiredTotal != 1 {
		return fmt.Errorf("got %+v", d)
	}
	return nil
}

// nomad deployment pause DEPLOYMENT
func deploymentPause(s *session) error {
	d, err := getDeployment(s.client, s.deployment)
	if err != nil {
		return err
	}
	resp, _, err := s.client.Deployments().Pause(d.ID, true, nil)
	if err != nil {
		return err
	}
	return changed(s.client, d.ID, resp, api.DeploymentStatusPaused, false)
}

// The reader may read the deployment but not pause or resume it.
func deploymentPauseDenied(s *session) error {
	d, err := getDeployment(s.reader, s.deployment)
	if err != nil {
		return fmt.Errorf("reading with a read-only token: %w", err)
	}
	_, _, err = s.reader.Deployments().Pause(d.ID, false, nil)
	return denied(err)
}

// nomad deployment resume DEPLOYMENT
func deploymentResume(s *session) error {
	d, err := getDeployment(s.client, s.deployment)
	if err != nil {
		return err
	}
	resp, _, err := s.client.Deployments().Pause(d.ID, false, nil)
	if err != nil {
		return err
	}
	return changed(s.client, d.ID, resp, api.DeploymentStatusRunning, true)
}

// nomad deployment fail -detach DEPLOYMENT
func deploymentFail(s *session) error {
	d, err := getDeployment(s.client, s.deployment)
	if err != nil {
		return err
	}
	resp, _, err := s.client.Deployments().Fail(d.ID, nil)
	if err != nil {
		return err
	}
	return changed(s.client, d.ID, resp, api.DeploymentStatusFailed, true)
}

// nomad job stop -detach -purge rollout: deregistered, the evaluation
// printed, not monitored; the job is gone.
func jobStopDetachPurge(s *session) error {
	id, err := jobIDByPrefix(s.client, rolloutID)
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
	// As Nomad's, a purge makes an evaluation; -detach prints it.
	if e, _, err := s.client.Evaluations().Info(evalID, nil); err != nil || e.TriggeredBy != "job-deregister" {
		return fmt.Errorf("the purge's evaluation %q: %+v %v", evalID, e, err)
	}
	return poll(60*time.Second, func() (bool, error) {
		_, _, err := s.client.Jobs().Info(id, nil)
		return err != nil && strings.Contains(err.Error(), "404"), err
	})
}
