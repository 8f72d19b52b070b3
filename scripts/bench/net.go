package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

const hostNetYAML = `apiVersion: v1
kind: Pod
metadata:
  name: %s
spec:
  hostNetwork: true
  terminationGracePeriodSeconds: 5
  containers:
  - name: a
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
  - name: b
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
`

const webYAML = `apiVersion: v1
kind: Pod
metadata:
  name: %s
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: web
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && exec httpd -f -p 8080 -h /www"]
    ports:
    - containerPort: 8080
      hostPort: %d
`

// networkCost compares `up -d`/`down` of the same pod with and without its
// own network (hostNetwork skips the netns, veth, lease and NAT work).
func (b *bench) networkCost(runs int, up, down []time.Duration) {
	var hup, hdown []time.Duration
	for i := 0; i < runs; i++ {
		name := fmt.Sprintf("bench-hn-%d-%d", os.Getpid(), i)
		p := filepath.Join(b.dir, name+".yaml")
		must(os.WriteFile(p, []byte(fmt.Sprintf(hostNetYAML, name)), 0o644))
		hup = append(hup, b.time("up", "-d", p))
		hdown = append(hdown, b.time("down", name))
	}
	report("up -d, hostNetwork", hup)
	report("down, hostNetwork", hdown)
	fmt.Printf("%-24s up -d +%.1f ms, down +%.1f ms (median difference)\n", "pod network adds", ms(median(up)-median(hup)), ms(median(down)-median(hdown)))
}

// hostPortVsPodIP measures HTTP requests through the hostPort DNAT and
// straight to the pod IP: latency of sequential requests, throughput with
// a few concurrent clients. Bounded in count; loopback and the pod only.
func (b *bench) hostPortVsPodIP(requests int) {
	name := fmt.Sprintf("bench-web-%d", os.Getpid())
	port := 20000 + os.Getpid()%10000
	p := filepath.Join(b.dir, name+".yaml")
	must(os.WriteFile(p, []byte(fmt.Sprintf(webYAML, name, port)), 0o644))
	b.time("up", "-d", p)
	defer b.time("down", name)
	podIP := readPodIP(name)
	time.Sleep(200 * time.Millisecond) // httpd binds right after exec
	for _, t := range []struct{ what, url string }{
		{"via hostPort", fmt.Sprintf("http://127.0.0.1:%d/", port)},
		{"to pod IP", fmt.Sprintf("http://%s:8080/", podIP)},
	} {
		lat := latencies(t.url, requests)
		rps := throughput(t.url, requests, 4)
		fmt.Printf("%-24s latency median %.2f ms, throughput %.0f req/s (4 clients)\n", "HTTP "+t.what, ms(median(lat)), rps)
	}
}

func readPodIP(pod string) string {
	data, err := os.ReadFile(filepath.Join("/run/minipod", pod, "state.json"))
	must(err)
	s := string(data)
	i := strings.Index(s, `"podIP": "`)
	if i < 0 {
		must(fmt.Errorf("pod %s has no IP", pod))
	}
	s = s[i+len(`"podIP": "`):]
	return s[:strings.IndexByte(s, '"')]
}

func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}

// newClient opens a fresh connection per request (busybox httpd closes
// them), so each request crosses the NAT path anew.
func newClient() *http.Client {
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
}

func latencies(url string, n int) []time.Duration {
	c := newClient()
	var out []time.Duration
	for i := 0; i < n; i++ {
		start := time.Now()
		must(get(c, url))
		out = append(out, time.Since(start))
	}
	return out
}

func throughput(url string, n, clients int) float64 {
	c := newClient()
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n/clients; i++ {
				must(get(c, url))
			}
		}()
	}
	wg.Wait()
	return float64(n/clients*clients) / time.Since(start).Seconds()
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
