package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/nomad/api"
)

// session is what the replays share: the client, and what earlier
// commands created (the job, its allocation, a deployment, tokens).
type session struct {
	client *api.Client
	acl    bool

	// reader holds a client token whose policy may read the default
	// namespace and nothing else: the denied calls use it.
	reader *api.Client

	registered *api.JobRegisterResponse
	alloc      *api.Allocation
	deployment string
	nodeID     string
}

// withToken is a second client with the given secret.
func withToken(secret string) (*api.Client, error) {
	c, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		return nil, err
	}
	c.SetSecretID(secret)
	return c, nil
}

// poll calls check every 250ms until it returns true or the time is up.
func poll(timeout time.Duration, check func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		done, err := check()
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s (last: %v)", timeout, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// denied checks that a call was refused as Nomad refuses it: 403 with
// "Permission denied".
func denied(err error) error {
	if err == nil {
		return errors.New("the call succeeded; want 403 Permission denied")
	}
	if !strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "Permission denied") {
		return fmt.Errorf("want 403 Permission denied, got %v", err)
	}
	return nil
}

// shortID is how the CLI names an object without -verbose (its limit): the
// first 8 characters, looked up again by prefix. A Caravan node's ID is its
// name, which may be shorter.
func shortID(id string) string { return id[:min(8, len(id))] }
