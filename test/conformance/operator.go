package main

import (
	"fmt"
	"io"

	"github.com/hashicorp/nomad/api"
)

// The operator command group.
var operatorReplays = []replay{
	{"operator scheduler get-config", false, operatorSchedulerGetConfig},
	{"operator scheduler set-config", false, operatorSchedulerSetConfig},
	{"operator scheduler get-config (denied)", true, operatorSchedulerGetConfigDenied},
	{"operator raft list-peers", false, operatorRaftListPeers},
	{"operator snapshot save", false, operatorSnapshotSave},
	{"operator snapshot save (denied)", true, operatorSnapshotSaveDenied},
}

// nomad operator scheduler get-config
func operatorSchedulerGetConfig(s *session) error {
	resp, _, err := s.client.Operator().SchedulerGetConfiguration(nil)
	if err != nil {
		return err
	}
	if resp.SchedulerConfig == nil || resp.SchedulerConfig.SchedulerAlgorithm != api.SchedulerAlgorithmBinpack {
		return fmt.Errorf("got %+v", resp.SchedulerConfig)
	}
	return nil
}

// setAlgorithm replays nomad operator scheduler set-config
// -scheduler-algorithm=ALGORITHM: read the configuration, change the
// algorithm, write it back checked against the index read.
func setAlgorithm(c *api.Client, algorithm api.SchedulerAlgorithm) error {
	resp, _, err := c.Operator().SchedulerGetConfiguration(nil)
	if err != nil {
		return fmt.Errorf("Error querying for scheduler configuration: %w", err)
	}
	config := resp.SchedulerConfig
	config.SchedulerAlgorithm = algorithm
	result, _, err := c.Operator().SchedulerCASConfiguration(config, nil)
	if err != nil {
		return fmt.Errorf("Error setting scheduler configuration: %w", err)
	}
	if !result.Updated {
		return fmt.Errorf("Scheduler configuration could not be atomically updated")
	}
	return nil
}

// nomad operator scheduler set-config -scheduler-algorithm=spread, then
// back to binpack; a write with a stale index is not applied.
func operatorSchedulerSetConfig(s *session) error {
	stale, _, err := s.client.Operator().SchedulerGetConfiguration(nil)
	if err != nil {
		return err
	}
	if err := setAlgorithm(s.client, api.SchedulerAlgorithmSpread); err != nil {
		return err
	}
	resp, _, err := s.client.Operator().SchedulerGetConfiguration(nil)
	if err != nil || resp.SchedulerConfig.SchedulerAlgorithm != api.SchedulerAlgorithmSpread {
		return fmt.Errorf("after setting spread: %+v %v", resp, err)
	}
	result, _, err := s.client.Operator().SchedulerCASConfiguration(stale.SchedulerConfig, nil)
	if err != nil || result.Updated {
		return fmt.Errorf("a write at the stale index %d: %+v %v", stale.SchedulerConfig.ModifyIndex, result, err)
	}
	return setAlgorithm(s.client, api.SchedulerAlgorithmBinpack)
}

// The reader has no operator policy.
func operatorSchedulerGetConfigDenied(s *session) error {
	_, _, err := s.reader.Operator().SchedulerGetConfiguration(nil)
	return denied(err)
}

// nomad operator raft list-peers: the one server, the leader, a voter.
func operatorRaftListPeers(s *session) error {
	reply, err := s.client.Operator().RaftGetConfiguration(&api.QueryOptions{})
	if err != nil {
		return fmt.Errorf("Failed to retrieve raft configuration: %w", err)
	}
	if len(reply.Servers) != 1 || !reply.Servers[0].Leader || !reply.Servers[0].Voter || reply.Servers[0].Address == "" {
		return fmt.Errorf("servers %+v", reply.Servers)
	}
	return nil
}

// nomad operator snapshot save FILE: the archive, gzipped as Nomad's is.
func operatorSnapshotSave(s *session) error {
	snap, err := s.client.Operator().Snapshot(&api.QueryOptions{})
	if err != nil {
		return fmt.Errorf("Failed to get snapshot file: %w", err)
	}
	defer snap.Close()
	data, err := io.ReadAll(snap)
	if err != nil {
		return fmt.Errorf("Failed to download snapshot file: %w", err)
	}
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return fmt.Errorf("not a gzip archive: %d bytes", len(data))
	}
	return nil
}

// A snapshot needs a management token.
func operatorSnapshotSaveDenied(s *session) error {
	snap, err := s.reader.Operator().Snapshot(&api.QueryOptions{})
	if err == nil {
		snap.Close()
	}
	return denied(err)
}
