package main

// The hidden subcommands that run as child processes of `up`.

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	apiserverapp "k8s.io/kubernetes/cmd/kube-apiserver/app"
	kcmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

// parentPIDEnv carries the pid of the `up` process to its children.
const parentPIDEnv = "CARAVAN_CONTROLPLANE_PARENT_PID"

// childGuard makes a child exit at once if the `up` process that started it
// is already gone: Pdeathsig only covers a parent that dies after the fork.
func childGuard() {
	want, err := strconv.Atoi(os.Getenv(parentPIDEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, "this subcommand is internal to `caravan-controlplane up`")
		os.Exit(2)
	}
	if os.Getppid() != want {
		os.Exit(1)
	}
}

// runEtcd runs a single-member embedded etcd until SIGTERM/SIGINT.
func runEtcd(args []string) int {
	fs := flag.NewFlagSet("etcd", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "etcd data directory")
	clientURL := fs.String("client-url", "", "client URL (http://127.0.0.1:PORT)")
	peerURL := fs.String("peer-url", "", "peer URL (http://127.0.0.1:PORT)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cu, err := url.Parse(*clientURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad --client-url:", err)
		return 2
	}
	pu, err := url.Parse(*peerURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad --peer-url:", err)
		return 2
	}

	cfg := embed.NewConfig()
	cfg.Name = "caravan"
	cfg.Dir = *dataDir
	cfg.ListenClientUrls = []url.URL{*cu}
	cfg.AdvertiseClientUrls = []url.URL{*cu}
	cfg.ListenPeerUrls = []url.URL{*pu}
	cfg.AdvertisePeerUrls = []url.URL{*pu}
	// Ignored when the data dir already holds a member (restart): the
	// stale peer URL stored there does not matter for a single member.
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.UnsafeNoFsync = true // a throw-away test cluster: speed over durability
	cfg.Logger = "zap"
	cfg.LogLevel = "warn"
	cfg.LogOutputs = []string{"stderr"} // the parent sends stderr to logs/etcd.log
	cfg.Metrics = "basic"

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcd: start:", err)
		return 1
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)

	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		fmt.Fprintln(os.Stderr, "etcd: failed while starting:", err)
		return 1
	case <-time.After(60 * time.Second):
		fmt.Fprintln(os.Stderr, "etcd: not ready after 60s")
		e.Close()
		return 1
	case <-sigs:
		e.Close()
		return 0
	}
	select {
	case err := <-e.Err():
		fmt.Fprintln(os.Stderr, "etcd: failed:", err)
		e.Close()
		return 1
	case <-sigs:
		e.Close()
		return 0
	}
}

// runAPIServer is kube-apiserver's main with the given flags.
func runAPIServer(args []string) int {
	cmd := apiserverapp.NewAPIServerCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}

// runControllerManager is kube-controller-manager's main with the given flags.
func runControllerManager(args []string) int {
	cmd := kcmapp.NewControllerManagerCommand()
	cmd.SetArgs(args)
	return cli.Run(cmd)
}
