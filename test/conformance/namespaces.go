package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/nomad/api"
)

// The namespace command group.
var namespaceReplays = []replay{
	{"namespace list", false, namespaceList},
	{"namespace status", false, namespaceStatus},
	{"namespace apply", false, namespaceApply},
	{"namespace apply (denied)", true, namespaceApplyDenied},
	{"namespace delete", false, namespaceDelete},
}

// nomad namespace list
func namespaceList(s *session) error {
	namespaces, _, err := s.client.Namespaces().List(nil)
	if err != nil {
		return err
	}
	for _, ns := range namespaces {
		if ns.Name == "default" {
			return nil
		}
	}
	return fmt.Errorf("no default namespace in %+v", namespaces)
}

// nomad namespace status default: a prefix list, an exact name winning.
func namespaceStatus(s *session) error {
	namespaces, _, err := s.client.Namespaces().PrefixList("default", nil)
	if err != nil {
		return err
	}
	for _, ns := range namespaces {
		if ns.Name == "default" {
			return nil
		}
	}
	return fmt.Errorf("no default namespace in %+v", namespaces)
}

// nomad namespace apply -description "team a" team-a: read it (404: a
// new one), then write it.
func namespaceApply(s *session) error {
	ns, _, err := s.client.Namespaces().Info("team-a", nil)
	if err != nil && !strings.Contains(err.Error(), "404") {
		return fmt.Errorf("Error looking up namespace: %w", err)
	}
	if ns == nil {
		ns = &api.Namespace{Name: "team-a"}
	}
	ns.Description = "team a"
	if _, err := s.client.Namespaces().Register(ns, nil); err != nil {
		return err
	}
	got, _, err := s.client.Namespaces().Info("team-a", nil)
	if err != nil || got.Description != "team a" {
		return fmt.Errorf("after apply: %+v %v", got, err)
	}
	return nil
}

// Only a management token writes namespaces.
func namespaceApplyDenied(s *session) error {
	_, err := s.reader.Namespaces().Register(&api.Namespace{Name: "denied"}, nil)
	return denied(err)
}

// nomad namespace delete team-a
func namespaceDelete(s *session) error {
	if _, err := s.client.Namespaces().Delete("team-a", nil); err != nil {
		return err
	}
	return poll(30*time.Second, func() (bool, error) {
		_, _, err := s.client.Namespaces().Info("team-a", nil)
		return err != nil && strings.Contains(err.Error(), "404"), err
	})
}
