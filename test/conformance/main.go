// Conformance of Caravan's HTTP API with Nomad's official Go client
// (github.com/hashicorp/nomad/api). Each replay makes the calls one `nomad`
// CLI command makes, in the CLI's order (read from Nomad's command/*.go), and
// checks what the command would show. Run against `caravan dev`: NOMAD_ADDR
// names it; -acl says ACLs are enabled there (the program bootstraps them,
// acts with the management token and checks one denied call per area).
//
// Each replay prints "ok <name>"; the first failure prints
// "FAIL <name>: <why>" and exits 1, since later replays build on earlier ones.
//
// Adding a replay: write a function func(*session) error in the file of its
// command group and add it to that file's list.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/hashicorp/nomad/api"
)

// A replay is one CLI command's sequence of calls.
type replay struct {
	name string
	// aclOnly replays run only with -acl: bootstrap, tokens, denied calls.
	aclOnly bool
	run     func(*session) error
}

// The journey, group by group. Jobs are torn down before the node is
// drained, as draining the only node would stop them.
func journey() [][]replay {
	return [][]replay{
		aclReplays,
		agentReplays,
		jobReplays,
		allocReplays,
		evalReplays,
		deploymentReplays,
		dispatchReplays,
		jobTeardownReplays,
		nodeReplays,
		poolReplays,
		namespaceReplays,
		systemReplays,
		operatorReplays,
		aclTeardownReplays,
	}
}

func main() {
	aclEnabled := flag.Bool("acl", false, "the agent has ACLs enabled: bootstrap them and check denied calls")
	flag.Parse()
	client, err := api.NewClient(api.DefaultConfig())
	if err != nil {
		fmt.Printf("FAIL client: %v\n", err)
		os.Exit(1)
	}
	s := &session{client: client, acl: *aclEnabled}
	for _, group := range journey() {
		for _, r := range group {
			if r.aclOnly && !s.acl {
				continue
			}
			if err := r.run(s); err != nil {
				fmt.Printf("FAIL %s: %v\n", r.name, err)
				os.Exit(1)
			}
			fmt.Printf("ok %s\n", r.name)
		}
	}
}
