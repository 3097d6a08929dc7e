package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/nomad/api"
)

// The node command group, on the dev agent's one node, once the job is
// gone (draining the only node would stop it).
var nodeReplays = []replay{
	{"node status", false, nodeStatusList},
	{"node status NODE", false, nodeStatus},
	{"node status -self", false, nodeStatusSelf},
	{"node status (denied)", true, nodeStatusDenied},
	{"node eligibility -disable", false, nodeEligibilityDisable},
	{"node eligibility -enable", false, nodeEligibilityEnable},
	{"node drain -enable", false, nodeDrainEnable},
	{"node drain -disable", false, nodeDrainDisable},
}

// nodeByPrefix replays how the node commands find a node from a short ID.
func nodeByPrefix(c *api.Client, id string) (*api.Node, *api.QueryMeta, error) {
	stubs, _, err := c.Nodes().PrefixList(shortID(id))
	if err != nil {
		return nil, nil, err
	}
	if len(stubs) != 1 {
		return nil, nil, fmt.Errorf("prefix matched %d nodes", len(stubs))
	}
	return c.Nodes().Info(stubs[0].ID, nil)
}

// nomad node status
func nodeStatusList(s *session) error {
	nodes, _, err := s.client.Nodes().List(&api.QueryOptions{})
	if err != nil {
		return err
	}
	if len(nodes) != 1 || nodes[0].Status != "ready" || nodes[0].SchedulingEligibility != "eligible" {
		return fmt.Errorf("got %+v", nodes)
	}
	s.nodeID = nodes[0].ID
	return nil
}

// nomad node status NODE: the node, its allocations, the host's stats
// from the node agent.
func nodeStatus(s *session) error { return showNode(s, s.nodeID) }

// nomad node status -self: the agent's own node, named in its client stats.
func nodeStatusSelf(s *session) error {
	self, err := s.client.Agent().Self()
	if err != nil {
		return err
	}
	id := self.Stats["client"]["node_id"]
	if id != s.nodeID {
		return fmt.Errorf("the agent's client stats name node %q, want %q (%v)", id, s.nodeID, self.Stats["client"])
	}
	return showNode(s, id)
}

func showNode(s *session, id string) error {
	node, _, err := nodeByPrefix(s.client, id)
	if err != nil {
		return err
	}
	if node.Drivers["raw_exec"] == nil || !node.Drivers["raw_exec"].Healthy || node.NodeResources == nil {
		return fmt.Errorf("got %+v", node)
	}
	allocs, _, err := s.client.Nodes().Allocations(node.ID, nil)
	if err != nil {
		return err
	}
	for _, a := range allocs {
		if a.NodeID != node.ID || a.Job == nil {
			return fmt.Errorf("allocation %s on %s, job %v", a.ID, a.NodeID, a.Job)
		}
	}
	stats, err := s.client.Nodes().Stats(node.ID, nil)
	if err != nil {
		return fmt.Errorf("error fetching node stats: %w", err)
	}
	if stats.Memory == nil || stats.Memory.Total == 0 || len(stats.CPU) == 0 {
		return fmt.Errorf("host stats %+v", stats)
	}
	return nil
}

// The reader has no node policy.
func nodeStatusDenied(s *session) error {
	_, _, err := s.reader.Nodes().List(nil)
	return denied(err)
}

func eligibility(s *session, eligible bool, want string) error {
	node, _, err := nodeByPrefix(s.client, s.nodeID)
	if err != nil {
		return err
	}
	if _, err := s.client.Nodes().ToggleEligibility(node.ID, eligible, nil); err != nil {
		return err
	}
	after, _, err := s.client.Nodes().Info(node.ID, nil)
	if err != nil || after.SchedulingEligibility != want {
		return fmt.Errorf("after: %+v %v", after, err)
	}
	return nil
}

// nomad node eligibility -disable NODE
func nodeEligibilityDisable(s *session) error { return eligibility(s, false, "ineligible") }

// nomad node eligibility -enable NODE
func nodeEligibilityEnable(s *session) error { return eligibility(s, true, "eligible") }

// nomad node drain -enable -yes -deadline 1m NODE: set the drain, then
// monitor it until the drain is complete (the node has nothing to move).
func nodeDrainEnable(s *session) error {
	node, _, err := nodeByPrefix(s.client, s.nodeID)
	if err != nil {
		return err
	}
	resp, err := s.client.Nodes().UpdateDrainOpts(node.ID, &api.DrainOptions{
		DrainSpec:    &api.DrainSpec{Deadline: time.Minute},
		MarkEligible: true,
	}, nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var last *api.MonitorMessage
	for msg := range s.client.Nodes().MonitorDrain(ctx, node.ID, resp.LastIndex, false) {
		if msg.Level == api.MonitorMsgLevelError {
			return fmt.Errorf("monitor: %s", msg)
		}
		last = msg
	}
	if ctx.Err() != nil {
		return fmt.Errorf("the drain did not complete: last message %v", last)
	}
	after, _, err := s.client.Nodes().Info(node.ID, nil)
	if err != nil || after.DrainStrategy != nil || after.SchedulingEligibility != "ineligible" {
		return fmt.Errorf("after the drain: %+v %v", after, err)
	}
	return nil
}

// nomad node drain -disable -yes NODE: the node is eligible again.
func nodeDrainDisable(s *session) error {
	node, _, err := nodeByPrefix(s.client, s.nodeID)
	if err != nil {
		return err
	}
	if _, err := s.client.Nodes().UpdateDrainOpts(node.ID, &api.DrainOptions{MarkEligible: true}, nil); err != nil {
		return err
	}
	after, _, err := s.client.Nodes().Info(node.ID, nil)
	if err != nil || after.Drain || after.SchedulingEligibility != "eligible" {
		return fmt.Errorf("after: %+v %v", after, err)
	}
	return nil
}
