package main

import (
	"fmt"
)

// The agent's own commands.
var agentReplays = []replay{
	{"agent-info", false, agentInfo},
	{"server members", false, serverMembers},
	{"agent-info (denied)", true, agentInfoDenied},
}

// nomad agent-info
func agentInfo(s *session) error {
	self, err := s.client.Agent().Self()
	if err != nil {
		return err
	}
	if region, _ := self.Config["Region"].(string); region == "" {
		return fmt.Errorf("no region in %v", self.Config)
	}
	return nil
}

// nomad server members
func serverMembers(s *session) error {
	members, err := s.client.Agent().Members()
	if err != nil {
		return err
	}
	if len(members.Members) == 0 || members.Members[0].Status != "alive" {
		return fmt.Errorf("got %+v", members)
	}
	return nil
}

// The reader has no agent policy.
func agentInfoDenied(s *session) error {
	_, err := s.reader.Agent().Self()
	return denied(err)
}
