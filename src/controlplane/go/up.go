package main

// `up`: the supervisor that generates state, starts etcd, kube-apiserver and
// kube-controller-manager as child processes, reports readiness, and stops
// them all again.

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	kcmapp "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

const (
	defaultControllers = "garbagecollector,namespace"
	stopGrace          = 5 * time.Second
	etcdReadyTimeout   = 60 * time.Second
	apiReadyTimeout    = 180 * time.Second
	maxPortAttempts    = 3
)

// Admission plugins that kube-apiserver enables by default but that a test
// control plane without nodes, kubelets or a service-account controller does
// not need. NamespaceLifecycle, the webhook plugins, ValidatingAdmissionPolicy
// and ResourceQuota stay on.
var disabledAdmission = []string{
	"LimitRanger", "DefaultStorageClass", "PersistentVolumeClaimResize",
	"DefaultTolerationSeconds", "StorageObjectInUseProtection", "Priority",
	"TaintNodesByCondition", "RuntimeClass", "CertificateApproval",
	"CertificateSigning", "ClusterTrustBundleAttest",
	"CertificateSubjectRestriction", "DefaultIngressClass", "PodSecurity",
}

var errSignal = errors.New("stopped by signal")

type child struct {
	name    string
	logPath string
	logFrom int64 // size of the log before this run: tail shows only this run
	cmd     *exec.Cmd
	done    chan struct{}
	err     error // valid after done is closed
}

type childExit struct{ c *child }

func (e childExit) Error() string {
	return fmt.Sprintf("%s exited unexpectedly (%v)", e.c.name, exitDesc(e.c.err))
}

type supervisor struct {
	self     string
	dir      string
	logDir   string
	exited   chan *child
	sigs     chan os.Signal
	mu       sync.Mutex
	children []*child
}

func runUp(args []string) int {
	fs := flag.NewFlagSet("up", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	dataDir := fs.String("data-dir", "", "state directory")
	port := fs.Int("port", 0, "kube-apiserver port (0: pick a free one)")
	controllers := fs.String("controllers", defaultControllers, "kube-controller-manager controllers")
	crdList := fs.String("crds", "", "CRD manifests (files or directories, comma-separated) to install before the controller manager starts")
	exitWithParent := fs.Bool("exit-with-parent", false, "stop (as on SIGTERM) when the process that started this one dies")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dataDir == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if err := validateControllers(*controllers); err != nil {
		return fail("--controllers: %v", err)
	}
	var crds []*unstructured.Unstructured
	if *crdList != "" {
		files, err := crdFiles(*crdList)
		if err == nil {
			crds, err = readCRDs(files)
		}
		if err != nil {
			return fail("--crds: %v", err)
		}
	}
	if *port != 0 {
		if err := portFree(*port); err != nil {
			return fail("--port %d: %v", *port, err)
		}
	}

	// Keep the main goroutine on the main thread: children are forked from
	// it, and Pdeathsig fires when the forking *thread* exits.
	runtime.LockOSThread()

	sigs := make(chan os.Signal, 4)
	// SIGINT and SIGTERM always stop us (even in a background job, where the
	// shell ignores SIGINT); SIGHUP does unless it is ignored (nohup).
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if !signal.Ignored(syscall.SIGHUP) {
		signal.Notify(sigs, syscall.SIGHUP)
	}
	if *exitWithParent {
		ppid := os.Getppid()
		if err := setPdeathsig(syscall.SIGTERM); err != nil {
			return fail("prctl: %v", err)
		}
		if os.Getppid() != ppid {
			return 0 // parent already gone
		}
	}

	dir, err := filepath.Abs(*dataDir)
	if err != nil {
		return fail("%v", err)
	}
	logDir := filepath.Join(dir, "logs")
	for _, d := range []string{dir, logDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fail("%v", err)
		}
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fail("%v", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return fail("%s is in use by another caravan-controlplane (%v)", dir, err)
	}
	kubeconfigPath := filepath.Join(dir, "kubeconfig")
	os.Remove(kubeconfigPath) // never leave a stale one around while starting

	p := newPKI(filepath.Join(dir, "pki"))
	if err := p.ensure(); err != nil {
		return fail("generate certificates: %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		return fail("%v", err)
	}
	s := &supervisor{self: self, dir: dir, logDir: logDir, exited: make(chan *child, 16), sigs: sigs}
	fmt.Fprintf(os.Stderr, "caravan-controlplane: logs in %s\n", logDir)

	code := s.run(p, *port, *controllers, kubeconfigPath, crds)
	s.stopAll()
	return code
}

// run starts everything and supervises until a signal or a child's death.
func (s *supervisor) run(p *pki, port int, controllers, kubeconfigPath string, crds []*unstructured.Unstructured) int {
	// 1. etcd
	var etcdURL string
	for attempt := 1; ; attempt++ {
		ports, err := freePorts(2)
		if err != nil {
			return fail("%v", err)
		}
		etcdURL = fmt.Sprintf("http://127.0.0.1:%d", ports[0])
		peerURL := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
		etcd, err := s.start("etcd", "etcd", "--data-dir", filepath.Join(s.dir, "etcd"),
			"--client-url", etcdURL, "--peer-url", peerURL)
		if err != nil {
			return fail("start etcd: %v", err)
		}
		hc := &http.Client{Timeout: 2 * time.Second}
		err = s.waitReady(etcdReadyTimeout, func() bool {
			resp, err := hc.Get(etcdURL + "/health")
			if err != nil {
				return false
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode == 200 && bytes.Contains(body, []byte(`"true"`))
		})
		if err == nil {
			break
		}
		if retry := s.portClash(err, etcd, attempt); retry {
			continue
		}
		return s.report(err, "etcd")
	}

	// 2. kube-apiserver
	var server string
	for attempt := 1; ; attempt++ {
		apiPort := port
		if apiPort == 0 {
			ports, err := freePorts(1)
			if err != nil {
				return fail("%v", err)
			}
			apiPort = ports[0]
		} else if err := portFree(apiPort); err != nil {
			return fail("--port %d: %v", apiPort, err)
		}
		server = fmt.Sprintf("https://127.0.0.1:%d", apiPort)
		api, err := s.start("apiserver", "apiserver", s.apiserverArgs(p, apiPort, etcdURL, controllers)...)
		if err != nil {
			return fail("start kube-apiserver: %v", err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(p.caPEM)
		hc := &http.Client{
			Timeout:   2 * time.Second,
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		}
		err = s.waitReady(apiReadyTimeout, func() bool {
			req, _ := http.NewRequest("GET", server+"/readyz", nil)
			req.Header.Set("Authorization", "Bearer "+p.adminToken)
			resp, err := hc.Do(req)
			if err != nil {
				return false
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return resp.StatusCode == 200
		})
		hc.CloseIdleConnections()
		if err == nil {
			break
		}
		if retry := port == 0 && s.portClash(err, api, attempt); retry {
			continue
		}
		return s.report(err, "kube-apiserver")
	}

	// 3. kubeconfigs, then kube-controller-manager
	if err := writeKubeconfig(kubeconfigPath, server, p); err != nil {
		return fail("write kubeconfig: %v", err)
	}
	kcmKubeconfig := filepath.Join(p.dir, "controller-manager.kubeconfig")
	if err := writeKubeconfig(kcmKubeconfig, server, p); err != nil {
		return fail("write kubeconfig: %v", err)
	}
	if len(crds) > 0 {
		done := make(chan error, 1)
		go func() { done <- installCRDs(kcmKubeconfig, crds, 60*time.Second) }()
		select {
		case err := <-done:
			if err != nil {
				return fail("--crds: %v", err)
			}
		case <-s.sigs:
			return 0
		case c := <-s.exited:
			return s.report(childExit{c}, c.name)
		}
	}
	if cs := controllerList(controllers); len(cs) > 0 {
		if _, err := s.start("controller-manager", "controller-manager",
			"--kubeconfig="+kcmKubeconfig,
			"--controllers="+strings.Join(cs, ","),
			"--leader-elect=false",
			"--secure-port=0", // no serving: nothing scrapes it, and no port to clash
			"--use-service-account-credentials=false",
			"--service-account-private-key-file="+p.saKey,
			"--root-ca-file="+p.caCert,
			"--cluster-signing-cert-file="+p.caCert,
			"--cluster-signing-key-file="+p.caKey,
			"--profiling=false",
		); err != nil {
			return fail("start kube-controller-manager: %v", err)
		}
	}

	line, _ := json.Marshal(struct {
		Ready      bool   `json:"ready"`
		Kubeconfig string `json:"kubeconfig"`
		Server     string `json:"server"`
		PID        int    `json:"pid"`
	}{true, kubeconfigPath, server, os.Getpid()})
	os.Stdout.Write(append(line, '\n'))

	// 4. supervise
	select {
	case <-s.sigs:
		return 0
	case c := <-s.exited:
		return s.report(childExit{c}, c.name)
	}
}

func (s *supervisor) apiserverArgs(p *pki, port int, etcdURL, controllers string) []string {
	disabled := append([]string(nil), disabledAdmission...)
	// Without the serviceaccount controller no namespace has a "default"
	// ServiceAccount, and the ServiceAccount admission plugin would reject
	// every Pod; keep it only when that controller runs.
	if !runsServiceAccountController(controllers) {
		disabled = append(disabled, "ServiceAccount")
	}
	return []string{
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(port),
		"--etcd-servers=" + etcdURL,
		"--tls-cert-file=" + p.servingCert,
		"--tls-private-key-file=" + p.servingKey,
		"--client-ca-file=" + p.caCert,
		"--cert-dir=" + p.dir,
		"--token-auth-file=" + p.tokenFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + p.saPub,
		"--service-account-signing-key-file=" + p.saKey,
		"--service-cluster-ip-range=10.96.0.0/24",
		"--disable-admission-plugins=" + strings.Join(disabled, ","),
		"--allow-privileged=true",
		// Fast and quiet on loopback:
		"--enable-priority-and-fairness=false", // no APF config bootstrap / seat accounting
		"--endpoint-reconciler-type=none",      // no lease writes every 10s for the kubernetes Service
		"--profiling=false",
	}
}

func controllerList(list string) []string {
	list = strings.TrimSpace(list)
	if list == "" || list == "none" {
		return nil
	}
	var out []string
	for _, c := range strings.Split(list, ",") {
		if c = strings.TrimSpace(c); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// validateControllers checks the names as kube-controller-manager would, so
// that a typo fails before "ready" rather than after.
func validateControllers(list string) error {
	known := map[string]bool{}
	for _, c := range kcmapp.KnownControllers() {
		known[c] = true
	}
	aliases := kcmapp.ControllerAliases()
	for _, c := range controllerList(list) {
		name := strings.TrimPrefix(c, "-")
		if canonical, ok := aliases[name]; ok {
			name = canonical
		}
		if c != "*" && !known[name] {
			return fmt.Errorf("%q is not a kube-controller-manager controller", c)
		}
	}
	return nil
}

func runsServiceAccountController(list string) bool {
	aliases := kcmapp.ControllerAliases()
	on := false
	for _, c := range controllerList(list) {
		name, off := strings.CutPrefix(c, "-")
		if canonical, ok := aliases[name]; ok {
			name = canonical
		}
		switch {
		case c == "*":
			on = true // serviceaccount-controller is on by default
		case name == "serviceaccount-controller":
			on = !off
		}
	}
	return on
}

// start launches `self sub args...` as a child with its output in
// logs/<name>.log.
func (s *supervisor) start(name, sub string, args ...string) (*child, error) {
	logPath := filepath.Join(s.logDir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var from int64
	if st, err := f.Stat(); err == nil {
		from = st.Size()
	}
	fmt.Fprintf(f, "==== caravan-controlplane: %s starting at %s: %s %s\n",
		name, time.Now().Format(time.RFC3339), sub, strings.Join(args, " "))

	cmd := exec.Command(s.self, append([]string{sub}, args...)...)
	cmd.Stdin = nil
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.Env = append(os.Environ(), parentPIDEnv+"="+strconv.Itoa(os.Getpid()))
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Die with us, however we die.
		Pdeathsig: syscall.SIGKILL,
		// Own process group: a terminal's Ctrl-C (sent to our group) reaches
		// only us, and we stop the children in order (controller manager and
		// apiserver before etcd) instead of all dying at once.
		Setpgid: true,
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{name: name, logPath: logPath, logFrom: from, cmd: cmd, done: make(chan struct{})}
	s.mu.Lock()
	s.children = append(s.children, c)
	s.mu.Unlock()
	go func() {
		c.err = cmd.Wait()
		close(c.done)
		s.exited <- c
	}()
	return c, nil
}

// waitReady polls check until it is true, a child exits, a signal arrives,
// or the timeout passes.
func (s *supervisor) waitReady(timeout time.Duration, check func() bool) error {
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if check() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s", timeout)
		}
		select {
		case <-s.sigs:
			return errSignal
		case c := <-s.exited:
			return childExit{c}
		case <-tick.C:
		}
	}
}

// portClash reports whether a failed start should be retried on new ports.
func (s *supervisor) portClash(err error, c *child, attempt int) bool {
	var ce childExit
	if attempt >= maxPortAttempts || !errors.As(err, &ce) || ce.c != c {
		return false
	}
	if !strings.Contains(tail(c, 200), "address already in use") {
		return false
	}
	fmt.Fprintf(os.Stderr, "caravan-controlplane: %s: port taken, retrying on another\n", c.name)
	return true
}

// report turns a startup or supervision error into an exit code and message.
func (s *supervisor) report(err error, what string) int {
	if errors.Is(err, errSignal) {
		return 0
	}
	var ce childExit
	if errors.As(err, &ce) {
		fmt.Fprintf(os.Stderr, "caravan-controlplane: %s exited unexpectedly (%s); last lines of %s:\n%s\n",
			ce.c.name, exitDesc(ce.c.err), ce.c.logPath, indent(tail(ce.c, 25)))
		return 1
	}
	var last *child
	s.mu.Lock()
	if n := len(s.children); n > 0 {
		last = s.children[n-1]
	}
	s.mu.Unlock()
	msg := fmt.Sprintf("caravan-controlplane: %s: %v", what, err)
	if last != nil {
		msg += fmt.Sprintf("; last lines of %s:\n%s", last.logPath, indent(tail(last, 25)))
	}
	fmt.Fprintln(os.Stderr, msg)
	return 1
}

// stopAll stops the children: controller manager and apiserver first, then
// etcd. Each gets SIGTERM, then SIGKILL after stopGrace (at once on a second
// signal to us).
func (s *supervisor) stopAll() {
	s.mu.Lock()
	children := append([]*child(nil), s.children...)
	s.mu.Unlock()
	var first, last []*child
	for _, c := range children {
		if c.name == "etcd" {
			last = append(last, c)
		} else {
			first = append(first, c)
		}
	}
	for _, group := range [][]*child{first, last} {
		var wg sync.WaitGroup
		for _, c := range group {
			wg.Add(1)
			go func(c *child) { defer wg.Done(); s.terminate(c) }(c)
		}
		wg.Wait()
	}
}

func (s *supervisor) terminate(c *child) {
	select {
	case <-c.done:
		return
	default:
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(stopGrace)
	defer t.Stop()
	select {
	case <-c.done:
		return
	case <-t.C:
	case <-s.sigs: // impatient user: second Ctrl-C
	}
	c.cmd.Process.Kill()
	<-c.done
}

func writeKubeconfig(path, server string, p *pki) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["caravan"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: p.caPEM}
	cfg.AuthInfos["caravan-admin"] = &clientcmdapi.AuthInfo{Token: p.adminToken}
	cfg.Contexts["caravan"] = &clientcmdapi.Context{Cluster: "caravan", AuthInfo: "caravan-admin"}
	cfg.CurrentContext = "caravan"
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data, 0o600)
}

// freePorts returns n distinct free loopback ports (held open together so
// they differ).
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func portFree(port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return err
	}
	return l.Close()
}

// tail returns the last n lines a child wrote to its log during this run.
func tail(c *child, n int) string {
	f, err := os.Open(c.logPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	const max = 64 << 10
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	from := c.logFrom
	if st.Size()-from > max {
		from = st.Size() - max
	}
	buf := make([]byte, st.Size()-from)
	n2, _ := f.ReadAt(buf, from)
	lines := strings.Split(strings.TrimRight(string(buf[:n2]), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	return "  | " + strings.ReplaceAll(s, "\n", "\n  | ")
}

func exitDesc(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

func fail(format string, a ...any) int {
	fmt.Fprintf(os.Stderr, "caravan-controlplane: "+format+"\n", a...)
	return 1
}

func setPdeathsig(sig syscall.Signal) error {
	const prSetPdeathsig = 1
	_, _, errno := syscall.RawSyscall(syscall.SYS_PRCTL, prSetPdeathsig, uintptr(sig), 0)
	if errno != 0 {
		return errno
	}
	return nil
}
