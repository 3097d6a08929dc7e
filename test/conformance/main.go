// Conformance of Caravan's HTTP API with Nomad's official Go client
// (github.com/hashicorp/nomad/api). Run against `caravan dev` with ACLs
// enabled: NOMAD_ADDR names it. Each step prints "ok <step>"; the first
// failure prints "FAIL <step>: <why>" and exits 1.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/nomad/api"
)

const jobHCL = `
job "conformance" {
  group "web" {
    count = 1
    scaling {
      min = 1
      max = 4
    }
    task "hello" {
      driver = "raw_exec"
      config {
        command = "/bin/sh"
        args    = ["-c", "trap 'echo got usr1' USR1; echo hello from caravan; while true; do sleep 1; done"]
      }
      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
`

func fail(step string, format string, args ...any) {
	fmt.Printf("FAIL %s: %s\n", step, fmt.Sprintf(format, args...))
	os.Exit(1)
}

func ok(step string) { fmt.Printf("ok %s\n", step) }

// poll calls check every 250ms until it returns true or the time is up.
func poll(step string, timeout time.Duration, check func() (bool, error)) {
	deadline := time.Now().Add(timeout)
	for {
		done, err := check()
		if done {
			return
		}
		if time.Now().After(deadline) {
			fail(step, "timed out (last error: %v)", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func main() {
	client, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		fail("client", "%v", err)
	}

	// ACLs: bootstrap once, then act with the management token.
	boot, _, err := client.ACLTokens().Bootstrap(nil)
	if err != nil {
		fail("acl bootstrap", "%v", err)
	}
	if boot.Type != "management" || boot.SecretID == "" {
		fail("acl bootstrap", "got %+v", boot)
	}
	if _, _, err := client.Jobs().List(nil); err == nil || !strings.Contains(err.Error(), "403") {
		fail("acl anonymous denied", "listing jobs without a token: %v", err)
	}
	client.SetSecretID(boot.SecretID)
	ok("acl bootstrap")

	leader, err := client.Status().Leader()
	if err != nil || leader == "" {
		fail("status leader", "%q %v", leader, err)
	}
	self, err := client.Agent().Self()
	if err != nil {
		fail("agent self", "%v", err)
	}
	if region, _ := self.Config["Region"].(string); region == "" {
		fail("agent self", "no region in %v", self.Config)
	}
	ok("status and agent")

	job, err := client.Jobs().ParseHCLOpts(&api.JobsParseRequest{JobHCL: jobHCL, Canonicalize: true})
	if err != nil {
		fail("parse", "%v", err)
	}
	if *job.ID != "conformance" || *job.TaskGroups[0].Count != 1 || *job.Priority != 50 {
		fail("parse", "unexpected job %s count %d", *job.ID, *job.TaskGroups[0].Count)
	}
	ok("parse")

	reg, _, err := client.Jobs().Register(job, nil)
	if err != nil {
		fail("register", "%v", err)
	}
	if reg.EvalID == "" || reg.JobModifyIndex == 0 {
		fail("register", "got %+v", reg)
	}
	ok("register")

	info, _, err := client.Jobs().Info("conformance", nil)
	if err != nil {
		fail("info", "%v", err)
	}
	if *info.Type != "service" || info.TaskGroups[0].Tasks[0].Driver != "raw_exec" {
		fail("info", "got %s %s", *info.Type, info.TaskGroups[0].Tasks[0].Driver)
	}
	jobs, _, err := client.Jobs().List(nil)
	if err != nil || len(jobs) != 1 || jobs[0].ID != "conformance" {
		fail("list", "%v %v", jobs, err)
	}
	ok("info and list")

	var running *api.AllocationListStub
	poll("allocation running", 120*time.Second, func() (bool, error) {
		allocs, _, err := client.Jobs().Allocations("conformance", false, nil)
		if err != nil {
			return false, err
		}
		for _, a := range allocs {
			if a.ClientStatus == "running" {
				running = a
				return true, nil
			}
		}
		return false, fmt.Errorf("%d allocations, none running", len(allocs))
	})
	ok("allocation running")

	// The event stream, resumed from before the registration: the job's
	// JobRegistered and its allocation going running, decoded by the client.
	eventCtx, cancelEvents := context.WithTimeout(context.Background(), 60*time.Second)
	events, err := client.EventStream().Stream(eventCtx, map[api.Topic][]string{
		api.TopicJob:        {"conformance"},
		api.TopicAllocation: {"conformance"},
	}, reg.JobModifyIndex-1, nil)
	if err != nil {
		fail("event stream", "%v", err)
	}
	sawJob, sawAlloc := false, false
	for !sawJob || !sawAlloc {
		var batch *api.Events
		select {
		case batch = <-events:
		case <-eventCtx.Done():
			fail("event stream", "job event %v, running allocation event %v", sawJob, sawAlloc)
		}
		if batch == nil || batch.Err != nil {
			fail("event stream", "%v", batch)
		}
		for _, e := range batch.Events {
			switch e.Topic {
			case api.TopicJob:
				j, err := e.Job()
				if err != nil || j == nil || *j.ID != "conformance" {
					fail("event stream", "job payload %v %v", j, err)
				}
				sawJob = sawJob || e.Type == "JobRegistered"
			case api.TopicAllocation:
				a, err := e.Allocation()
				if err != nil || a == nil || a.JobID != "conformance" {
					fail("event stream", "allocation payload %v %v", a, err)
				}
				sawAlloc = sawAlloc || (e.Type == "AllocationUpdated" && a.ClientStatus == "running")
			default:
				fail("event stream", "unasked topic %s", e.Topic)
			}
		}
	}
	cancelEvents()
	ok("event stream")

	evals, _, err := client.Jobs().Evaluations("conformance", nil)
	if err != nil || len(evals) == 0 {
		fail("evaluations", "%v %v", evals, err)
	}
	eval, _, err := client.Evaluations().Info(reg.EvalID, nil)
	if err != nil || eval.JobID != "conformance" {
		fail("evaluation info", "%v %v", eval, err)
	}
	alloc, _, err := client.Allocations().Info(running.ID, nil)
	if err != nil || alloc.TaskGroup != "web" || alloc.Job == nil || *alloc.Job.ID != "conformance" {
		fail("allocation info", "%v %v", alloc, err)
	}
	// The job's counts follow its allocations within a second or so.
	poll("summary", 30*time.Second, func() (bool, error) {
		summary, _, err := client.Jobs().Summary("conformance", nil)
		if err != nil {
			return false, err
		}
		return summary.Summary["web"].Running == 1, fmt.Errorf("%+v", summary.Summary)
	})
	ok("evaluations, allocation and summary")

	// Logs: the task's stdout, streamed in Nomad's frames.
	stdout := func() (string, error) {
		cancel := make(chan struct{})
		defer close(cancel)
		frames, errs := client.AllocFS().Logs(alloc, false, "hello", "stdout", "start", 0, cancel, nil)
		data, err := io.ReadAll(api.NewFrameReader(frames, errs, cancel))
		return string(data), err
	}
	poll("logs", 60*time.Second, func() (bool, error) {
		data, err := stdout()
		if err != nil {
			return false, err
		}
		return strings.Contains(data, "hello from caravan"), fmt.Errorf("stdout so far: %q", data)
	})
	ok("logs")

	// follow=true: the stream stays open; the first frames carry what is there.
	{
		cancel := make(chan struct{})
		frames, errs := client.AllocFS().Logs(alloc, true, "hello", "stdout", "start", 0, cancel, nil)
		reader := api.NewFrameReader(frames, errs, cancel)
		got := make(chan string, 1)
		go func() {
			buf := make([]byte, 4096)
			text := ""
			for !strings.Contains(text, "hello from caravan") {
				n, err := reader.Read(buf)
				text += string(buf[:n])
				if err != nil {
					break
				}
			}
			got <- text
		}()
		select {
		case text := <-got:
			if !strings.Contains(text, "hello from caravan") {
				fail("logs follow", "stream ended with %q", text)
			}
		case <-time.After(30 * time.Second):
			fail("logs follow", "no output within 30s")
		}
		close(cancel)
	}
	ok("logs follow")

	// Stats, signal and restart: served by the node agent, through the server.
	stats, err := client.Allocations().Stats(alloc, nil)
	if err != nil || stats.Tasks["hello"] == nil || stats.Tasks["hello"].ResourceUsage.MemoryStats.RSS == 0 {
		fail("alloc stats", "%+v %v", stats, err)
	}
	ok("alloc stats")
	if err := client.Allocations().Signal(alloc, nil, "hello", "SIGUSR1"); err != nil {
		fail("alloc signal", "%v", err)
	}
	poll("alloc signal", 30*time.Second, func() (bool, error) {
		data, err := stdout()
		return err == nil && strings.Contains(data, "got usr1"), fmt.Errorf("stdout so far: %q %v", data, err)
	})
	if err := client.Allocations().Signal(alloc, nil, "hello", "SIGNOPE"); err == nil || !strings.Contains(err.Error(), "400") {
		fail("alloc signal", "an unknown signal: %v", err)
	}
	ok("alloc signal")
	if err := client.Allocations().Restart(alloc, "hello", nil); err != nil {
		fail("alloc restart", "%v", err)
	}
	poll("alloc restart", 60*time.Second, func() (bool, error) {
		a, _, err := client.Allocations().Info(alloc.ID, nil)
		if err != nil {
			return false, err
		}
		ts := a.TaskStates["hello"]
		signaled := false
		for _, e := range ts.Events {
			signaled = signaled || e.Type == "Restart Signaled"
		}
		data, _ := stdout()
		again := strings.Count(data, "hello from caravan") >= 2
		return signaled && again && ts.State == "running" && !ts.Failed,
			fmt.Errorf("state %s, restart signaled %v, started twice %v", ts.State, signaled, again)
	})
	ok("alloc restart")

	// alloc exec: Nomad's client dials the websocket (the agent first, then
	// the server), sends stdin and its close, and reads output and exit code.
	{
		var out, errOut strings.Builder
		ctx, cancelExec := context.WithTimeout(context.Background(), 30*time.Second)
		code, err := client.Allocations().Exec(ctx, alloc, "hello", false,
			[]string{"/bin/sh", "-c", "cat; echo to-stderr >&2; exit 3"},
			strings.NewReader("exec stdin\n"), &out, &errOut, nil, nil)
		cancelExec()
		if err != nil || code != 3 || out.String() != "exec stdin\n" || errOut.String() != "to-stderr\n" {
			fail("alloc exec", "code %d, stdout %q, stderr %q, %v", code, out.String(), errOut.String(), err)
		}
	}
	ok("alloc exec")

	// A blocking query on the job's allocations returns when scaling changes them.
	_, meta, err := client.Jobs().Allocations("conformance", false, nil)
	if err != nil {
		fail("blocking query", "%v", err)
	}
	changed := make(chan error, 1)
	go func() {
		started := time.Now()
		_, m, err := client.Jobs().Allocations("conformance", false, &api.QueryOptions{
			WaitIndex: meta.LastIndex,
			WaitTime:  2 * time.Minute,
		})
		if err == nil && (m.LastIndex <= meta.LastIndex || time.Since(started) > 90*time.Second) {
			err = fmt.Errorf("returned index %d after %s", m.LastIndex, time.Since(started))
		}
		changed <- err
	}()
	time.Sleep(time.Second)

	// The autoscaler's calls: read the job, then scale the group.
	count := 2
	if _, _, err := client.Jobs().Scale("conformance", "web", &count, "conformance scaling", false, nil, nil); err != nil {
		fail("scale", "%v", err)
	}
	if err := <-changed; err != nil {
		fail("blocking query", "%v", err)
	}
	ok("blocking query")
	poll("scale", 120*time.Second, func() (bool, error) {
		status, _, err := client.Jobs().ScaleStatus("conformance", nil)
		if err != nil {
			return false, err
		}
		g := status.TaskGroups["web"]
		return g.Desired == 2 && g.Running == 2, fmt.Errorf("%+v", g)
	})
	ok("scale")

	// Policies and a client token that may read but not submit.
	if _, err := client.ACLPolicies().Upsert(&api.ACLPolicy{
		Name:  "readonly",
		Rules: `namespace "default" { policy = "read" }`,
	}, nil); err != nil {
		fail("acl policy", "%v", err)
	}
	token, _, err := client.ACLTokens().Create(&api.ACLToken{Name: "reader", Type: "client", Policies: []string{"readonly"}}, nil)
	if err != nil || token.SecretID == "" {
		fail("acl token", "%v %v", token, err)
	}
	reader, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		fail("acl token", "%v", err)
	}
	reader.SetSecretID(token.SecretID)
	if _, _, err := reader.Jobs().Info("conformance", nil); err != nil {
		fail("acl read allowed", "%v", err)
	}
	if _, _, err := reader.Jobs().Register(job, nil); err == nil || !strings.Contains(err.Error(), "Permission denied") {
		fail("acl write denied", "register with a read-only token: %v", err)
	}
	if _, _, err := reader.Nodes().List(nil); err == nil || !strings.Contains(err.Error(), "403") {
		fail("acl node denied", "node list with a namespace-only token: %v", err)
	}
	if err := reader.Allocations().Restart(alloc, "hello", nil); err == nil || !strings.Contains(err.Error(), "Permission denied") {
		fail("acl alloc lifecycle denied", "restart with a read-only token: %v", err)
	}
	if _, err := reader.Allocations().Exec(context.Background(), alloc, "hello", false, []string{"/bin/true"},
		strings.NewReader(""), io.Discard, io.Discard, nil, nil); err == nil || !strings.Contains(err.Error(), "Permission denied") {
		fail("acl alloc exec denied", "exec with a read-only token: %v", err)
	}
	ok("acl policy and client token")

	// A role naming the policy, a token linking the role by name, and
	// `nomad acl token update`'s call on it.
	role, _, err := client.ACLRoles().Create(&api.ACLRole{
		Name:     "readers",
		Policies: []*api.ACLRolePolicyLink{{Name: "readonly"}},
	}, nil)
	if err != nil || role.ID == "" {
		fail("acl role", "%v %v", role, err)
	}
	if got, _, err := client.ACLRoles().GetByName("readers", nil); err != nil || got.ID != role.ID {
		fail("acl role by name", "%v %v", got, err)
	}
	roleToken, _, err := client.ACLTokens().Create(&api.ACLToken{
		Name:  "role reader",
		Type:  "client",
		Roles: []*api.ACLTokenRoleLink{{Name: "readers"}},
	}, nil)
	if err != nil || roleToken.SecretID == "" {
		fail("acl role token", "%v %v", roleToken, err)
	}
	viaRole, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		fail("acl role token", "%v", err)
	}
	viaRole.SetSecretID(roleToken.SecretID)
	mine, _, err := viaRole.ACLTokens().Self(nil)
	if err != nil || len(mine.Roles) != 1 || mine.Roles[0].ID != role.ID {
		fail("acl role token self", "%+v %v", mine, err)
	}
	if _, _, err := viaRole.Jobs().Info("conformance", nil); err != nil {
		fail("acl role read allowed", "%v", err)
	}
	if _, _, err := viaRole.Jobs().Register(job, nil); err == nil || !strings.Contains(err.Error(), "Permission denied") {
		fail("acl role write denied", "register with a role-linked read-only token: %v", err)
	}
	mine.Name = "renamed"
	if updated, _, err := client.ACLTokens().Update(mine, nil); err != nil || updated.Name != "renamed" || len(updated.Roles) != 1 {
		fail("acl token update", "%+v %v", updated, err)
	}
	ok("acl role and role-linked token")

	// Stop, then purge.
	if _, _, err := client.Jobs().Deregister("conformance", false, nil); err != nil {
		fail("stop", "%v", err)
	}
	stopped, _, err := client.Jobs().Info("conformance", nil)
	if err != nil || !*stopped.Stop {
		fail("stop", "%v %v", stopped, err)
	}
	if _, _, err := client.Jobs().Deregister("conformance", true, nil); err != nil {
		fail("purge", "%v", err)
	}
	poll("purge", 60*time.Second, func() (bool, error) {
		_, _, err := client.Jobs().Info("conformance", nil)
		return err != nil && strings.Contains(err.Error(), "404"), err
	})
	ok("stop and purge")

	// Drain the node, then make it eligible again.
	nodes, _, err := client.Nodes().List(nil)
	if err != nil || len(nodes) == 0 {
		fail("nodes", "%v %v", nodes, err)
	}
	if _, err := client.Nodes().UpdateDrainOpts(nodes[0].ID, &api.DrainOptions{
		DrainSpec: &api.DrainSpec{Deadline: time.Minute},
	}, nil); err != nil {
		fail("drain", "%v", err)
	}
	node, _, err := client.Nodes().Info(nodes[0].ID, nil)
	if err != nil || !node.Drain || node.SchedulingEligibility != "ineligible" {
		fail("drain", "%+v %v", node, err)
	}
	if _, err := client.Nodes().UpdateDrainOpts(nodes[0].ID, &api.DrainOptions{MarkEligible: true}, nil); err != nil {
		fail("drain cancel", "%v", err)
	}
	ok("drain")
}
