package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/hashicorp/nomad/api"
)

// The alloc command group, on the job's running allocation.
var allocReplays = []replay{
	{"alloc status", false, allocStatus},
	{"alloc logs", false, allocLogs},
	{"alloc logs -f", false, allocLogsFollow},
	{"alloc fs", false, allocFSDir},
	{"alloc fs FILE", false, allocFSFile},
	{"alloc checks", false, allocChecks},
	{"alloc signal", false, allocSignal},
	{"alloc restart", false, allocRestart},
	{"alloc restart (denied)", true, allocRestartDenied},
	{"alloc exec", false, allocExec},
	{"alloc exec (denied)", true, allocExecDenied},
	{"alloc stop", false, allocStop},
}

const task = "hello"

// allocByPrefix replays how the alloc commands find an allocation from the
// short ID they are given: a prefix list, then the allocation itself.
func allocByPrefix(c *api.Client, prefix string) (*api.Allocation, error) {
	stubs, _, err := c.Allocations().PrefixList(prefix)
	if err != nil {
		return nil, fmt.Errorf("Error querying allocation: %w", err)
	}
	if len(stubs) != 1 {
		return nil, fmt.Errorf("prefix %q matched %d allocations", prefix, len(stubs))
	}
	alloc, _, err := c.Allocations().Info(stubs[0].ID, nil)
	if err != nil {
		return nil, fmt.Errorf("Error querying allocation: %w", err)
	}
	return alloc, nil
}

// The stdout of the task, as `nomad alloc logs ALLOC hello` prints it.
func stdout(c *api.Client, alloc *api.Allocation) (string, error) {
	cancel := make(chan struct{})
	defer close(cancel)
	frames, errs := c.AllocFS().Logs(alloc, false, task, "stdout", api.OriginStart, 0, cancel, nil)
	data, err := io.ReadAll(api.NewFrameReader(frames, errs, cancel))
	return string(data), err
}

// nomad alloc status ALLOC: the allocation by prefix, then its stats from
// the node agent.
func allocStatus(s *session) error {
	allocs, _, err := s.client.Jobs().Allocations(jobID, false, nil)
	if err != nil {
		return err
	}
	var running string
	for _, a := range allocs {
		if a.ClientStatus == "running" && a.DesiredStatus == "run" {
			running = a.ID
		}
	}
	if running == "" {
		return fmt.Errorf("no running allocation in %d", len(allocs))
	}
	alloc, err := allocByPrefix(s.client, shortID(running))
	if err != nil {
		return err
	}
	if alloc.TaskGroup != "web" || alloc.Job == nil || *alloc.Job.ID != jobID || alloc.TaskStates[task].State != "running" {
		return fmt.Errorf("got group %s, task states %+v", alloc.TaskGroup, alloc.TaskStates)
	}
	stats, err := s.client.Allocations().Stats(alloc, nil)
	if err != nil {
		return err
	}
	if stats.Tasks[task] == nil || stats.Tasks[task].ResourceUsage.MemoryStats.RSS == 0 {
		return fmt.Errorf("stats %+v", stats)
	}
	s.alloc = alloc
	return nil
}

// nomad alloc logs ALLOC hello
func allocLogs(s *session) error {
	alloc, err := allocByPrefix(s.client, shortID(s.alloc.ID))
	if err != nil {
		return err
	}
	return poll(60*time.Second, func() (bool, error) {
		data, err := stdout(s.client, alloc)
		if err != nil {
			return false, err
		}
		return strings.Contains(data, "hello from caravan"), fmt.Errorf("stdout so far: %q", data)
	})
}

// nomad alloc logs -f ALLOC hello: the stream stays open; the first
// frames carry what is there.
func allocLogsFollow(s *session) error {
	alloc, err := allocByPrefix(s.client, shortID(s.alloc.ID))
	if err != nil {
		return err
	}
	cancel := make(chan struct{})
	defer close(cancel)
	frames, errs := s.client.AllocFS().Logs(alloc, true, task, "stdout", api.OriginStart, 0, cancel, nil)
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
			return fmt.Errorf("stream ended with %q", text)
		}
		return nil
	case <-time.After(30 * time.Second):
		return fmt.Errorf("no output within 30s")
	}
}

// nomad alloc fs ALLOC: stat the root, then list it.
func allocFSDir(s *session) error {
	alloc, err := allocByPrefix(s.client, shortID(s.alloc.ID))
	if err != nil {
		return err
	}
	root, _, err := s.client.AllocFS().Stat(alloc, "/", nil)
	if err != nil {
		return err
	}
	if !root.IsDir {
		return fmt.Errorf("/ is not a directory: %+v", root)
	}
	files, _, err := s.client.AllocFS().List(alloc, "/", nil)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, f := range files {
		names[f.Name] = f.IsDir
	}
	if !names["alloc"] || !names[task] {
		return fmt.Errorf("want the alloc and %s directories, got %v", task, names)
	}
	return nil
}

// nomad alloc fs ALLOC alloc/logs/hello.stdout.0: stat the file, then cat it.
func allocFSFile(s *session) error {
	alloc, err := allocByPrefix(s.client, shortID(s.alloc.ID))
	if err != nil {
		return err
	}
	path := "alloc/logs/" + task + ".stdout.0"
	file, _, err := s.client.AllocFS().Stat(alloc, path, nil)
	if err != nil {
		return err
	}
	if file.IsDir || file.Size == 0 {
		return fmt.Errorf("stat %+v", file)
	}
	r, err := s.client.AllocFS().Cat(alloc, path, nil)
	if err != nil {
		return err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if !strings.Contains(string(data), "hello from caravan") {
		return fmt.Errorf("cat %q", data)
	}
	return nil
}

// nomad alloc checks ALLOC: the job has no checks, so none.
func allocChecks(s *session) error {
	alloc, err := allocByPrefix(s.client, shortID(s.alloc.ID))
	if err != nil {
		return err
	}
	checks, err := s.client.Allocations().Checks(alloc.ID, nil)
	if err != nil {
		return err
	}
	if len(checks) != 0 {
		return fmt.Errorf("got %+v", checks)
	}
	return nil
}

// nomad alloc signal -s SIGUSR1 ALLOC hello: the task's trap prints; an
// unknown signal is refused with 400.
func allocSignal(s *session) error {
	alloc, err := allocByPrefix(s.client, shortID(s.alloc.ID))
	if err != nil {
		return err
	}
	if err := s.client.Allocations().Signal(alloc, nil, task, "SIGUSR1"); err != nil {
		return err
	}
	if err := poll(30*time.Second, func() (bool, error) {
		data, err := stdout(s.client, alloc)
		return err == nil && strings.Contains(data, "got usr1"), fmt.Errorf("stdout so far: %q %v", data, err)
	}); err != nil {
		return err
	}
	if err := s.client.Allocations().Signal(alloc, nil, task, "SIGNOPE"); err == nil || !strings.Contains(err.Error(), "400") {
		return fmt.Errorf("an unknown signal: %v", err)
	}
	return nil
}

// nomad alloc restart ALLOC hello: the task restarts in place.
func allocRestart(s *session) error {
	alloc, err := allocByPrefix(s.client, shortID(s.alloc.ID))
	if err != nil {
		return err
	}
	if err := s.client.Allocations().Restart(alloc, task, nil); err != nil {
		return err
	}
	return poll(60*time.Second, func() (bool, error) {
		a, _, err := s.client.Allocations().Info(alloc.ID, nil)
		if err != nil {
			return false, err
		}
		ts := a.TaskStates[task]
		signaled := false
		for _, e := range ts.Events {
			signaled = signaled || e.Type == "Restart Signaled"
		}
		data, _ := stdout(s.client, alloc)
		again := strings.Count(data, "hello from caravan") >= 2
		return signaled && again && ts.State == "running" && !ts.Failed,
			fmt.Errorf("state %s, restart signaled %v, started twice %v", ts.State, signaled, again)
	})
}

// The reader may read the allocation but not restart its task
// (alloc-lifecycle).
func allocRestartDenied(s *session) error {
	alloc, err := allocByPrefix(s.reader, shortID(s.alloc.ID))
	if err != nil {
		return fmt.Errorf("reading with a read-only token: %w", err)
	}
	return denied(s.reader.Allocations().Restart(alloc, task, nil))
}

// nomad alloc stop ALLOC: the allocation stops, the monitored evaluation
// places its replacement.
func allocStop(s *session) error {
	alloc, err := allocByPrefix(s.client, shortID(s.alloc.ID))
	if err != nil {
		return err
	}
	resp, err := s.client.Allocations().Stop(alloc, nil)
	if err != nil {
		return err
	}
	if resp.EvalID == "" {
		return fmt.Errorf("no evaluation in %+v", resp)
	}
	if _, err := monitor(s.client, resp.EvalID, false); err != nil {
		return err
	}
	return poll(60*time.Second, func() (bool, error) {
		stopped, _, err := s.client.Allocations().Info(alloc.ID, nil)
		if err != nil {
			return false, err
		}
		allocs, _, err := s.client.Jobs().Allocations(jobID, false, nil)
		if err != nil {
			return false, err
		}
		replaced := false
		for _, a := range allocs {
			replaced = replaced || (a.ID != alloc.ID && a.DesiredStatus == "run" && a.ClientStatus == "running")
		}
		return stopped.DesiredStatus == "stop" && stopped.ClientStatus == "complete" && replaced,
			fmt.Errorf("stopped allocation %s/%s, replacement running %v", stopped.DesiredStatus, stopped.ClientStatus, replaced)
	})
}

// nomad alloc exec -task hello ALLOC sh -c '…': the websocket (the agent
// first, then the server) carries stdin and its close, stdout, stderr and
// the exit code.
func allocExec(s *session) error {
	alloc, err := allocByPrefix(s.client, shortID(s.alloc.ID))
	if err != nil {
		return err
	}
	var out, errOut strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, err := s.client.Allocations().Exec(ctx, alloc, task, false,
		[]string{"/bin/sh", "-c", "cat; echo to-stderr >&2; exit 3"},
		strings.NewReader("exec stdin\n"), &out, &errOut, nil, nil)
	if err != nil || code != 3 || out.String() != "exec stdin\n" || errOut.String() != "to-stderr\n" {
		return fmt.Errorf("code %d, stdout %q, stderr %q, %v", code, out.String(), errOut.String(), err)
	}
	return nil
}

// The reader may not exec into the task (alloc-exec).
func allocExecDenied(s *session) error {
	alloc, err := allocByPrefix(s.reader, shortID(s.alloc.ID))
	if err != nil {
		return fmt.Errorf("reading with a read-only token: %w", err)
	}
	_, err = s.reader.Allocations().Exec(context.Background(), alloc, task, false, []string{"/bin/true"},
		strings.NewReader(""), io.Discard, io.Discard, nil, nil)
	if err == nil || !strings.Contains(err.Error(), "Permission denied") {
		return fmt.Errorf("want Permission denied, got %v", err)
	}
	return nil
}
