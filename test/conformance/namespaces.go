package main

import (
	"fmt"
)

// The namespace command group.
var namespaceReplays = []replay{
	{"namespace list", false, namespaceList},
	{"namespace status", false, namespaceStatus},
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
