package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// svcWebYAML is a NodePort Service and its one backend: busybox httpd
// serving a small page and a 64 MiB file from a memory-backed emptyDir
// (sendfile from tmpfs: the disk is not measured), ready once it listens.
// %[1]s is the name of both, and the label the Service selects.
const svcWebYAML = `apiVersion: v1
kind: Service
metadata: {name: %[1]s}
spec:
  type: NodePort
  selector: {app: %[1]s}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata:
  name: %[1]s
  labels: {app: %[1]s}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{name: www, emptyDir: {medium: Memory}}]
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "echo hello > /www/index.html && dd if=/dev/zero of=/www/big bs=1M count=64 2>/dev/null && exec httpd -f -p 8080 -h /www"]
    volumeMounts: [{name: www, mountPath: /www}]
    readinessProbe:
      tcpSocket: {port: 8080}
      periodSeconds: 1
`

// bigMiB is the size of the file streamed for throughput.
const bigMiB = 64

// svcOnlyYAML is a ClusterIP Service selecting app=%[1]s, which no pod has
// yet: it rejects connections until a backend is ready.
const svcOnlyYAML = `apiVersion: v1
kind: Service
metadata: {name: %[1]s}
spec:
  selector: {app: %[1]s}
  ports: [{port: 80, targetPort: 8080}]
`

// lateBackendYAML is a backend for svcOnlyYAML's Service (%[2]s) whose
// server listens 0.3 s after start and whose tcpSocket readiness probe
// (1 s period) therefore passes a probe or so later: the pod becomes ready
// well after `up -d --wait-ready=false` returned, and it is already
// serving when it does, so the time to the first accepted connection is
// the Services' part only, not the server's start.
const lateBackendYAML = `apiVersion: v1
kind: Pod
metadata:
  name: %[1]s
  labels: {app: %[2]s}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /w; echo ok > /w/index.html; sleep 0.3; exec httpd -f -p 8080 -h /w"]
    readinessProbe:
      tcpSocket: {port: 8080}
      periodSeconds: 1
`

// servicesBench is issue 11's measurement: HTTP from the node to a pod
// straight to its IP, through its ClusterIP and through its NodePort (at
// 127.0.0.1 and at the node's address), then how soon a pod that becomes
// ready receives a Service's traffic. Everything it creates is deleted on
// the way out, also when a step fails or the bench is interrupted.
func (b *bench) servicesBench(requests, tputRuns, readyRuns int) {
	c := &cleanups{bin: b.bin}
	defer c.run()
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(stop)
	go func() {
		if _, ok := <-stop; ok {
			c.run()
			os.RemoveAll(b.dir) // main's deferred removal does not run
			os.Exit(130)
		}
	}()
	defer func() {
		if r := recover(); r != nil {
			c.run()
			os.RemoveAll(b.dir)
			fmt.Fprintln(os.Stderr, "bench: services:", r)
			os.Exit(1)
		}
	}()
	b.servicePaths(c, requests, tputRuns)
	b.readyToTraffic(c, readyRuns)
	signal.Stop(stop)
	close(stop)
}

// cleanups are `minipod down` commands to run once, in reverse order.
type cleanups struct {
	bin  string
	mu   sync.Mutex
	once sync.Once
	args [][]string
}

func (c *cleanups) add(args ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.args = append(c.args, append([]string{"down", "--ignore-not-found"}, args...))
}

func (c *cleanups) run() {
	c.once.Do(func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i := len(c.args) - 1; i >= 0; i-- {
			if out, err := exec.Command(c.bin, c.args[i]...).CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "bench: cleanup: minipod %s: %v\n%s", strings.Join(c.args[i], " "), err, out)
			}
		}
	})
}

// try runs minipod and panics (to servicesBench's cleanup) if it fails.
func (b *bench) try(args ...string) []byte {
	out, err := exec.Command(b.bin, args...).CombinedOutput()
	if err != nil {
		panic(fmt.Sprintf("minipod %s: %v\n%s", strings.Join(args, " "), err, out))
	}
	return out
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}

// servicePaths measures, for each way to the same backend, the latency of
// one small request per connection (keep-alives off: every request pays
// the connect and, but straight to the pod, the DNAT of a new connection)
// and the throughput of streaming a 64 MiB file on one connection. The
// paths take turns, request by request and stream by stream (the order
// rotating each round), so that they all see the same machine.
func (b *bench) servicePaths(c *cleanups, requests, runs int) {
	name := fmt.Sprintf("bench-svc-%d", os.Getpid())
	p := filepath.Join(b.dir, name+".yaml")
	check(os.WriteFile(p, []byte(fmt.Sprintf(svcWebYAML, name)), 0o644))
	c.add("-f", p)
	b.try("up", "-d", p) // waits for readiness: httpd listens
	podIP, hostIP := b.podAddrs(name)
	clusterIP, nodePort := b.serviceAddr(name)
	paths := []struct{ what, addr string }{
		{"pod IP", net.JoinHostPort(podIP, "8080")},
		{"ClusterIP", net.JoinHostPort(clusterIP, "80")},
		{"NodePort lo", fmt.Sprintf("127.0.0.1:%d", nodePort)},
		{"NodePort node", fmt.Sprintf("%s:%d", hostIP, nodePort)},
	}
	fmt.Printf("%-24s pod %s:8080, ClusterIP %s:80, NodePort %d at lo 127.0.0.1 and node %s\n", "svc backend", podIP, clusterIP, nodePort, hostIP)
	measurePaths("", newClient(), paths, requests, runs)
	// From a pod, as Services are mostly used: its traffic to a ClusterIP
	// is DNATed before routing (the node's own, after it: rerouted).
	cli := name + "-client"
	cp := filepath.Join(b.dir, cli+".yaml")
	check(os.WriteFile(cp, []byte(fmt.Sprintf(svcClientYAML, cli)), 0o644))
	c.add(cli)
	b.try("up", "-d", cp)
	measurePaths(" from pod", podClient(b.podNetNS(cli)), paths[:2], requests, runs)
}

// svcClientYAML is an idle pod whose network namespace the bench dials
// from.
const svcClientYAML = `apiVersion: v1
kind: Pod
metadata:
  name: %s
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: idle
    image: busybox
    command: ["sleep", "3600"]
`

// measurePaths times, with client, one small request per connection over
// each path and the streaming of the big file, paths taking turns, and
// prints the medians with each path's ratio to the first (the pod IP).
func measurePaths(from string, client *http.Client, paths []struct{ what, addr string }, requests, runs int) {
	for _, pa := range paths { // warm up: ARP, the page in the server's cache
		check(get(client, "http://"+pa.addr+"/index.html"))
	}
	lat := make([][]time.Duration, len(paths))
	for i := 0; i < requests; i++ {
		for k := range paths {
			j := (i + k) % len(paths)
			start := time.Now()
			check(get(client, "http://"+paths[j].addr+"/index.html"))
			lat[j] = append(lat[j], time.Since(start))
		}
	}
	tput := make([][]float64, len(paths))
	buf := make([]byte, 1<<20)
	for i := 0; i < runs; i++ {
		for k := range paths {
			j := (i + k) % len(paths)
			tput[j] = append(tput[j], stream(client, "http://"+paths[j].addr+"/big", buf))
		}
	}
	for j, pa := range paths {
		ratio := ""
		if j > 0 {
			ratio = fmt.Sprintf(", %.2fx pod IP", float64(median(lat[j]))/float64(median(lat[0])))
		}
		fmt.Printf("%-24s median %.3f ms, p90 %.3f ms (n=%d)%s\n", "svc lat"+from+", "+pa.what, ms(median(lat[j])), ms(quantile(lat[j], 0.9)), len(lat[j]), ratio)
	}
	for j, pa := range paths {
		ratio := ""
		if j > 0 {
			ratio = fmt.Sprintf(", %.2fx pod IP (target >= 0.90)", medianF(tput[j])/medianF(tput[0]))
		}
		s := append([]float64(nil), tput[j]...)
		sort.Float64s(s)
		fmt.Printf("%-24s median %.0f MB/s, min %.0f, max %.0f (%d MiB, n=%d)%s\n", "svc MB/s"+from+", "+pa.what, medianF(s), s[0], s[len(s)-1], bigMiB, len(s), ratio)
	}
}

// podNetNS is where the pod's network namespace is held, from its state
// record.
func (b *bench) podNetNS(pod string) string {
	var st struct {
		NSPaths map[string]string `json:"nsPaths"`
	}
	data, err := os.ReadFile(filepath.Join("/run/minipod", pod, "state.json"))
	check(err)
	check(json.Unmarshal(data, &st))
	if st.NSPaths["net"] == "" {
		panic(fmt.Sprintf("pod %s: no network namespace in its state", pod))
	}
	return st.NSPaths["net"]
}

// podClient is an HTTP client whose connections are made in the network
// namespace at path: one locked OS thread joins it and creates every
// socket (a socket belongs to the namespace it was made in; the transfer
// then runs on any thread).
func podClient(path string) *http.Client {
	type dialed struct {
		c   net.Conn
		err error
	}
	reqs := make(chan string)
	res := make(chan dialed)
	ready := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread goes with the goroutine
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err == nil {
			err = unix.Setns(fd, unix.CLONE_NEWNET)
			unix.Close(fd)
		}
		ready <- err
		for addr := range reqs {
			c, err := net.Dial("tcp", addr)
			res <- dialed{c, err}
		}
	}()
	check(<-ready)
	var mu sync.Mutex
	dial := func(_ context.Context, _, addr string) (net.Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		reqs <- addr
		d := <-res
		return d.c, d.err
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, DialContext: dial}}
}

// stream GETs url on a new connection and reads the body through buf,
// returning MB/s (10^6 bytes) from the request to the last byte.
func stream(c *http.Client, url string, buf []byte) float64 {
	start := time.Now()
	resp, err := c.Get(url)
	check(err)
	defer resp.Body.Close()
	var n int64
	for {
		k, err := resp.Body.Read(buf)
		n += int64(k)
		if err == io.EOF {
			break
		}
		check(err)
	}
	if n != bigMiB<<20 {
		panic(fmt.Sprintf("GET %s: %d bytes, want %d", url, n, bigMiB<<20))
	}
	return float64(n) / 1e6 / time.Since(start).Seconds()
}

// podAddrs is the pod's IP and the node's address, from its state record.
func (b *bench) podAddrs(pod string) (podIP, hostIP string) {
	var st struct{ PodIP, HostIP string }
	data, err := os.ReadFile(filepath.Join("/run/minipod", pod, "state.json"))
	check(err)
	check(json.Unmarshal(data, &st))
	if st.PodIP == "" || st.HostIP == "" {
		panic(fmt.Sprintf("pod %s: no podIP or hostIP in its state", pod))
	}
	return st.PodIP, st.HostIP
}

// serviceAddr is the Service's virtual IP and its first port's node port
// (0 for a ClusterIP Service), as `get svc -o json` shows them.
func (b *bench) serviceAddr(name string) (string, int) {
	var svc struct {
		Spec struct {
			ClusterIP string
			Ports     []struct{ NodePort int }
		}
	}
	check(json.Unmarshal(b.try("get", "svc", name, "-o", "json"), &svc))
	if svc.Spec.ClusterIP == "" || len(svc.Spec.Ports) == 0 {
		panic(fmt.Sprintf("service %s: no clusterIP or port", name))
	}
	return svc.Spec.ClusterIP, svc.Spec.Ports[0].NodePort
}

// pollEvery is how often readyToTraffic tries to connect to the Service:
// the resolution of the first accepted connection. A refused connect is
// answered on the node by the Service's reject rule, at once.
const pollEvery = 250 * time.Microsecond

// readyToTraffic measures how soon a pod that becomes ready receives the
// traffic of a Service that had no endpoint before. Both instants are
// taken by the bench, on one clock, from outside minipod:
//
//   - ready: the first time the pod's state record
//     (/run/minipod/<pod>/state.json, which the monitor replaces by a
//     rename) says every container is ready, read on the inotify event of
//     that rename: the moment the pod is ready as far as anything on the
//     node (get, Services) can know, late by the wake-up of a blocked
//     thread (tens of µs on an idle node; more on a busy one, which
//     shortens the figure: it can even come out negative);
//   - traffic: the start of the first connect to ClusterIP:80 that is
//     accepted, trying every pollEvery from before the pod is ready (the
//     attempts before are refused by the Service's reject rule), so this
//     is late by at most pollEvery plus one refused connect.
//
// The monitor saves the record and then syncs the Services (the order of
// its loop), so the difference is the Services' delay as a client sees it.
// The backend already listens when its probe passes (lateBackendYAML), so
// no server start-up is counted. The monitor's own "services followed"
// trace is not used: its clock starts with the monitor, and it says when
// Sync returned, not when a connection got through.
func (b *bench) readyToTraffic(c *cleanups, runs int) {
	svc := fmt.Sprintf("bench-svcready-%d", os.Getpid())
	sp := filepath.Join(b.dir, svc+".yaml")
	check(os.WriteFile(sp, []byte(fmt.Sprintf(svcOnlyYAML, svc)), 0o644))
	c.add("-f", sp)
	b.try("up", sp)
	clusterIP, _ := b.serviceAddr(svc)
	addr := net.JoinHostPort(clusterIP, "80")
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		panic("service " + svc + " accepts a connection before it has an endpoint")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		panic(fmt.Sprintf("service %s without endpoints: %v, want connection refused", svc, err))
	}
	var delays, lastRefused []time.Duration
	skipped := 0
	for i := 0; i < runs; i++ {
		name := fmt.Sprintf("%s-%d", svc, i)
		p := filepath.Join(b.dir, name+".yaml")
		check(os.WriteFile(p, []byte(fmt.Sprintf(lateBackendYAML, name, svc)), 0o644))
		c.add(name)
		b.try("up", "-d", "--wait-ready=false", p)
		d, refused, ok := measureReady(name, addr)
		if ok {
			delays = append(delays, d)
			lastRefused = append(lastRefused, refused)
		} else {
			skipped++
		}
		b.try("down", name)
	}
	if len(delays) == 0 {
		panic("no run of the ready-to-traffic measurement was valid")
	}
	report("ready to svc traffic", delays)
	report("ready to last refused", lastRefused)
	fmt.Printf("%-24s target <= 10 ms; connect every %v to the ClusterIP, pod readiness from state.json (inotify); %d run(s) skipped (ready before watched)\n",
		"", pollEvery, skipped)
}

// measureReady watches pod's state record and connects to addr every
// pollEvery until one is accepted; it returns the time from the record
// saying ready to the start of the first accepted connect, and to the
// start of the last refused one. ok is false when the pod was ready
// before the watch began (nothing to time). The watch and the connects
// each run on their own OS thread in blocking system calls, so that the
// kernel wakes them directly: no wait for Go's network poller.
func measureReady(pod, addr string) (accepted, lastRefused time.Duration, ok bool) {
	dir := filepath.Join("/run/minipod", pod)
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC)
	check(err)
	defer unix.Close(fd)
	_, err = unix.InotifyAddWatch(fd, dir, unix.IN_MOVED_TO) // state.Save renames
	check(err)
	if podReady(dir) {
		return 0, 0, false
	}
	sa := sockaddr(addr)
	type result struct {
		ok, refused time.Time
		err         error
	}
	conns := make(chan result, 1)
	var stop atomic.Bool
	defer stop.Store(true)
	go func() {
		runtime.LockOSThread()
		var refused time.Time
		for !stop.Load() {
			start := time.Now()
			err := connect(sa)
			if err == nil {
				conns <- result{ok: start, refused: refused}
				return
			}
			if errors.Is(err, unix.EINTR) {
				continue // a signal of Go's runtime: the outcome is unknown
			}
			if !errors.Is(err, unix.ECONNREFUSED) && !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EINPROGRESS) {
				conns <- result{err: err}
				return
			}
			refused = start
			// Not time.Sleep, which rounds this up to about 1 ms.
			if d := time.Until(start.Add(pollEvery)); d > 0 {
				ts := unix.NsecToTimespec(int64(d))
				_ = unix.Nanosleep(&ts, nil)
			}
		}
	}()
	readyAt := make(chan time.Time, 1)
	go func() {
		runtime.LockOSThread()
		buf := make([]byte, 64<<10)
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
			if n, _ := unix.Poll(pfd, 100); n <= 0 {
				continue
			}
			if _, err := unix.Read(fd, buf); err != nil {
				continue
			}
			now := time.Now()
			if podReady(dir) {
				readyAt <- now
				return
			}
		}
		readyAt <- time.Time{}
	}()
	ready := <-readyAt
	if ready.IsZero() {
		panic(fmt.Sprintf("pod %s did not become ready in 10 s", pod))
	}
	select {
	case r := <-conns:
		check(r.err)
		// The traffic reached the pod's server, not only its accept.
		check(get(newClient(), "http://"+addr+"/index.html"))
		return r.ok.Sub(ready), r.refused.Sub(ready), true
	case <-time.After(5 * time.Second):
		panic(fmt.Sprintf("pod %s is ready but %s refuses connections for 5 s", pod, addr))
	}
}

// sockaddr parses an IPv4 "host:port".
func sockaddr(addr string) *unix.SockaddrInet4 {
	ap, err := netip.ParseAddrPort(addr)
	check(err)
	if !ap.Addr().Is4() {
		panic("not an IPv4 address: " + addr)
	}
	return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}
}

// connect opens a TCP connection to sa and closes it: nil if accepted. A
// blocking connect, given up after 100 ms (EINPROGRESS, as if refused).
func connect(sa *unix.SockaddrInet4) error {
	s, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(s)
	tv := unix.NsecToTimeval(int64(100 * time.Millisecond))
	if err := unix.SetsockoptTimeval(s, unix.SOL_SOCKET, unix.SO_SNDTIMEO, &tv); err != nil {
		return err
	}
	return unix.Connect(s, sa)
}

// podReady says whether the state record in dir says the pod runs and
// every container is ready (a missing or half-read record: not yet).
func podReady(dir string) bool {
	var st struct {
		Phase       string
		Terminating bool
		Containers  []struct{ Ready bool }
	}
	data, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil || json.Unmarshal(data, &st) != nil || st.Phase != "Running" || st.Terminating || len(st.Containers) == 0 {
		return false
	}
	for _, c := range st.Containers {
		if !c.Ready {
			return false
		}
	}
	return true
}

func quantile(ds []time.Duration, q float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(q*float64(len(s)-1)+0.5)]
}

func medianF(fs []float64) float64 {
	s := append([]float64(nil), fs...)
	sort.Float64s(s)
	return s[len(s)/2]
}
