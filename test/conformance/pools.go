package main

import (
	"fmt"
	"strings"

	"github.com/hashicorp/nomad/api"
)

// The node pool command group.
var poolReplays = []replay{
	{"node pool list", false, nodePoolList},
	{"node pool info", false, nodePoolInfo},
	{"node pool apply", false, nodePoolApply},
	{"node pool apply (denied)", true, nodePoolApplyDenied},
	{"node pool delete", false, nodePoolDelete},
}

// nodePoolByPrefix replays command/node_pool.go's lookup: a prefix list,
// an exact name winning.
func nodePoolByPrefix(c *api.Client, prefix string) (*api.NodePool, error) {
	pools, _, err := c.NodePools().PrefixList(prefix, nil)
	if err != nil {
		return nil, err
	}
	for _, p := range pools {
		if p.Name == prefix {
			return p, nil
		}
	}
	if len(pools) != 1 {
		return nil, fmt.Errorf("prefix %q matched %d node pools", prefix, len(pools))
	}
	return pools[0], nil
}

// nomad node pool list: the built-in pools.
func nodePoolList(s *session) error {
	pools, _, err := s.client.NodePools().List(nil)
	if err != nil {
		return err
	}
	names := map[string]bool{}
	for _, p := range pools {
		names[p.Name] = true
	}
	if !names["all"] || !names["default"] {
		return fmt.Errorf("want the all and default pools, got %v", names)
	}
	return nil
}

// nomad node pool info default
func nodePoolInfo(s *session) error {
	pool, err := nodePoolByPrefix(s.client, "default")
	if err != nil {
		return err
	}
	if pool.Name != "default" || pool.Description == "" {
		return fmt.Errorf("got %+v", pool)
	}
	return nil
}

// nomad node pool apply gpu.hcl: the pool as the file describes it.
func nodePoolApply(s *session) error {
	if _, err := s.client.NodePools().Register(&api.NodePool{Name: "gpu", Description: "gpu nodes"}, nil); err != nil {
		return err
	}
	pool, err := nodePoolByPrefix(s.client, "gpu")
	if err != nil || pool.Description != "gpu nodes" {
		return fmt.Errorf("after apply: %+v %v", pool, err)
	}
	return nil
}

// The reader has no node_pool policy.
func nodePoolApplyDenied(s *session) error {
	_, err := s.reader.NodePools().Register(&api.NodePool{Name: "denied"}, nil)
	return denied(err)
}

// nomad node pool delete gpu
func nodePoolDelete(s *session) error {
	if _, err := s.client.NodePools().Delete("gpu", nil); err != nil {
		return err
	}
	if _, _, err := s.client.NodePools().Info("gpu", nil); err == nil || !strings.Contains(err.Error(), "404") {
		return fmt.Errorf("reading the deleted pool: %v", err)
	}
	return nil
}
