// Command caravan-controlplane runs a real, throw-away Kubernetes control plane
// (embedded etcd, kube-apiserver, kube-controller-manager) on loopback for
// Caravan's tests. The three components are built from the Kubernetes Go
// modules into this one binary and run as child processes of it (hidden
// subcommands), because kube-apiserver and kube-controller-manager register
// global flags and metrics and cannot share a process.
//
//	caravan-controlplane up --data-dir DIR [--port N] [--controllers garbagecollector,namespace]
//
// When the API server is ready it writes DIR/kubeconfig and prints one JSON
// line on stdout:
//
//	{"ready":true,"kubeconfig":"DIR/kubeconfig","server":"https://127.0.0.1:PORT","pid":PID}
//
// Component logs go to DIR/logs/{etcd,apiserver,controller-manager}.log.
package main

import (
	"fmt"
	"os"
)

const usage = `usage: caravan-controlplane up --data-dir DIR [--port N] [--controllers LIST] [--crds PATHS] [--exit-with-parent]

  --data-dir DIR      all state: etcd data, certificates, token, keys, logs, kubeconfig
                      (reused on restart, so objects survive)
  --port N            kube-apiserver port on 127.0.0.1 (default: a free port)
  --controllers LIST  kube-controller-manager controllers (default
                      "garbagecollector,namespace"; "none" or "" starts no
                      controller manager)
  --crds PATHS        CustomResourceDefinition manifests (files or directories,
                      comma-separated) to install before "ready"; the garbage
                      collector then knows them at once (it rediscovers types
                      only every 30s)
  --exit-with-parent  also stop (as on SIGTERM) when the process that started
                      this one dies (for test harnesses)

Prints {"ready":true,"kubeconfig":...,"server":...,"pid":...} on stdout once
the API server is ready; stops everything on SIGINT/SIGTERM.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	switch cmd {
	case "up":
		os.Exit(runUp(args))
	case "etcd":
		childGuard()
		os.Exit(runEtcd(args))
	case "apiserver":
		childGuard()
		os.Exit(runAPIServer(args))
	case "controller-manager":
		childGuard()
		os.Exit(runControllerManager(args))
	case "-h", "--help", "help":
		fmt.Fprint(os.Stdout, usage)
	default:
		fmt.Fprintf(os.Stderr, "caravan-controlplane: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
}
