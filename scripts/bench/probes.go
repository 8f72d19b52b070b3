package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// probePodYAML serves HTTP with busybox httpd; %s is the probe stanza.
const probePodYAML = `apiVersion: v1
kind: Pod
metadata:
  name: %s
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /w; echo ok > /w/index.html; exec httpd -f -p 8080 -h /w"]
%s`

const readinessStanza = `    readinessProbe:
      httpGet: {path: /index.html, port: 8080}
      periodSeconds: 1
`

// probeCost runs n pods with an httpGet readiness probe every second and
// n without, and reports what the probes add to each monitor: CPU (share
// of a core over a window) and RSS; then how long a passing probe takes
// to show as READY in get.
func (b *bench) probeCost(n int) {
	var names []string
	defer func() {
		for _, name := range names {
			_ = exec.Command(b.bin, "down", name).Run()
		}
	}()
	start := func(tag, stanza string) []string {
		var group []string
		for i := 0; i < n; i++ {
			name := fmt.Sprintf("bench-probe-%s-%d-%d", tag, os.Getpid(), i)
			p := filepath.Join(b.dir, name+".yaml")
			must(os.WriteFile(p, []byte(fmt.Sprintf(probePodYAML, name, stanza)), 0o644))
			b.time("up", "-d", p)
			names = append(names, name)
			group = append(group, name)
		}
		return group
	}
	plain, probed := start("plain", ""), start("probed", readinessStanza)
	time.Sleep(2 * time.Second) // past start-up
	const window = 10 * time.Second
	cpuPlain, cpuProbed := monitorTicks(plain), monitorTicks(probed)
	time.Sleep(window)
	cpuPlain, cpuProbed = monitorTicks(plain)-cpuPlain, monitorTicks(probed)-cpuProbed
	hz := 100.0 // USER_HZ
	share := func(ticks int64) float64 { return float64(ticks) / hz / window.Seconds() / float64(n) * 100 }
	fmt.Printf("%-24s %.3f%% of a core per pod (probed %.3f%%, plain %.3f%%, %d pods, 1 s period)\n",
		"probe CPU, monitor", share(cpuProbed)-share(cpuPlain), share(cpuProbed), share(cpuPlain), n)
	rss := func(group []string, field string) float64 {
		total := 0.0
		for _, name := range group {
			mon, _ := pids(name)
			total += kb(mon, field)
		}
		return total / float64(len(group)) / 1024
	}
	fmt.Printf("%-24s %+.2f MB per pod (probed %.2f MB, plain %.2f MB; anonymous %+.2f MB, file %+.2f MB)\n", "probe RSS, monitor",
		rss(probed, "VmRSS")-rss(plain, "VmRSS"), rss(probed, "VmRSS"), rss(plain, "VmRSS"),
		rss(probed, "RssAnon")-rss(plain, "RssAnon"), rss(probed, "RssFile")-rss(plain, "RssFile"))
	b.readyLatency()
}

// monitorTicks sums utime+stime of the pods' monitors.
func monitorTicks(group []string) int64 {
	var total int64
	for _, name := range group {
		mon, _ := pids(name)
		data, err := os.ReadFile("/proc/" + strconv.Itoa(mon) + "/stat")
		must(err)
		s := string(data)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		u, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		total += u + st
	}
	return total
}

// readyLatency measures, over several pods, the time from the moment the
// server first answers (polled from the node every 5 ms) to READY 1/1 in
// get (at most the probe period, 1 s, plus the loop's own delay), and the
// part of it after the passing probe: from the probe's request in the
// server's log (busybox httpd -vv, the log's own timestamps) to READY.
func (b *bench) readyLatency() {
	var serving, probed []time.Duration
	client := &http.Client{Timeout: 100 * time.Millisecond}
	for i := 0; i < 10; i++ {
		name := fmt.Sprintf("bench-ready-%d-%d", os.Getpid(), i)
		// Serving starts at a different phase of the probe period each
		// time: the wait for the next probe is spread over the period.
		yaml := strings.Replace(fmt.Sprintf(probePodYAML, name, readinessStanza), `exec httpd`, fmt.Sprintf(`sleep 2.%d; exec httpd -vv`, i), 1)
		p := filepath.Join(b.dir, name+".yaml")
		must(os.WriteFile(p, []byte(yaml), 0o644))
		b.time("up", "-d", "--wait-ready=false", p)
		ipOut, err := exec.Command(b.bin, "get", name, "-o", "jsonpath={.status.podIP}").Output()
		must(err)
		ip := string(ipOut)
		for {
			resp, err := client.Get("http://" + ip + ":8080/index.html")
			if err == nil {
				resp.Body.Close()
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		up := time.Now()
		for {
			out, _ := exec.Command(b.bin, "get", name, "-o", "jsonpath={.status.containerStatuses[0].ready}").Output()
			if string(out) == "true" {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
		ready := time.Now()
		serving = append(serving, ready.Sub(up))
		if at, ok := b.firstProbe(name, ip); ok {
			probed = append(probed, ready.Sub(at))
		}
		b.time("down", name)
	}
	report("serving to READY (1 s period)", serving)
	report("probe passed to READY in get", probed)
}

// firstProbe is when the pod's own address (the prober: the node polls
// from the bridge's) first got an answer, by the container's log.
func (b *bench) firstProbe(name, ip string) (time.Time, bool) {
	out, err := exec.Command(b.bin, "logs", name, "--timestamps").Output()
	must(err)
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && strings.Contains(f[1], ip+"]") && f[2] == "response:200" {
			at, err := time.Parse(time.RFC3339Nano, f[0])
			return at, err == nil
		}
	}
	return time.Time{}, false
}
