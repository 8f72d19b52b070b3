package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// uniqueQueue returns a queue name no other test run uses, and removes the
// queue when the test ends whatever happened.
func uniqueQueue(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("mq_ipc_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() { _ = mqUnlink(name) })
	return name
}

func requireMqueue(t *testing.T) {
	t.Helper()
	name := uniqueQueue(t)
	fd, err := mqOpen(name, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600,
		&mqAttr{MaxMsg: queueMaxMsg, MsgSize: queueMsgSize})
	if errors.Is(err, unix.ENOSYS) {
		t.Skip("kernel without POSIX message queues")
	}
	if err != nil {
		t.Fatalf("mq_open: %v", err)
	}
	unix.Close(fd)
}

type result struct {
	code           int
	stdout, stderr string
}

func runAsync(args ...string) <-chan result {
	ch := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := run(args, &out, &errOut)
		ch <- result{code, out.String(), errOut.String()}
	}()
	return ch
}

func wait(t *testing.T, ch <-chan result, who string) result {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not finish", who)
		return result{}
	}
}

func TestProducerConsumerExchange(t *testing.T) {
	requireMqueue(t)
	for _, consumerFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("consumerFirst=%v", consumerFirst), func(t *testing.T) {
			q := uniqueQueue(t)
			var prodCh, consCh <-chan result
			if consumerFirst {
				consCh = runAsync("-consumer", "-queue", q)
				time.Sleep(100 * time.Millisecond) // consumer waits for a missing queue
				prodCh = runAsync("-producer", "-queue", "/"+q)
			} else {
				prodCh = runAsync("-producer", "-queue", q)
				consCh = runAsync("-consumer", "-queue", q)
			}
			prod, cons := wait(t, prodCh, "producer"), wait(t, consCh, "consumer")
			if prod.code != 0 || cons.code != 0 {
				t.Fatalf("exit codes producer=%d consumer=%d; stderr %q / %q",
					prod.code, cons.code, prod.stderr, cons.stderr)
			}
			checkExchange(t, prod.stdout, cons.stdout, 10)
			if _, err := mqOpen(q, unix.O_RDONLY|unix.O_CLOEXEC, 0, nil); !errors.Is(err, unix.ENOENT) {
				t.Errorf("queue still exists after the consumer finished (err=%v)", err)
			}
		})
	}
}

func checkExchange(t *testing.T, produced, consumed string, n int) {
	t.Helper()
	pl := strings.Split(strings.TrimSuffix(produced, "\n"), "\n")
	cl := strings.Split(strings.TrimSuffix(consumed, "\n"), "\n")
	if len(pl) != n+1 || len(cl) != n+1 {
		t.Fatalf("want %d lines each, got producer %q consumer %q", n+1, produced, consumed)
	}
	hex := regexp.MustCompile(`^Produced: [0-9a-f]{2}$`)
	for i := range n {
		if !hex.MatchString(pl[i]) {
			t.Errorf("producer line %d = %q, want two hex digits", i, pl[i])
		}
		if want := strings.Replace(pl[i], "Produced", "Consumed", 1); cl[i] != want {
			t.Errorf("consumer line %d = %q, want %q", i, cl[i], want)
		}
	}
	if pl[n] != "Produced: done" || cl[n] != "Consumed: done" {
		t.Errorf("last lines %q / %q, want the done message", pl[n], cl[n])
	}
}

func TestConsumerGivesUpWithoutQueue(t *testing.T) {
	requireMqueue(t)
	q := uniqueQueue(t)
	start := time.Now()
	r := wait(t, runAsync("-consumer", "-queue", q, "-wait", "200ms"), "consumer")
	if r.code != 1 || !strings.Contains(r.stderr, "does not exist") {
		t.Fatalf("code %d stderr %q, want 1 and a missing-queue error", r.code, r.stderr)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("gave up after %v, before the wait elapsed", d)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-producer", "-consumer"},
		{"-producer", "extra"},
		{"-consumer", "-queue", "a/b"},
		{"-consumer", "-queue", "/"},
		{"-producer", "-count", "-1"},
		{"-nosuchflag"},
	} {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("run(%q) = %d, want 2 (stderr %q)", args, code, errOut.String())
		}
	}
}
