package pod

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/podstatus"
	"github.com/minipod/minipod/pkg/state"
)

// WaitOptions are the flags of `minipod wait`.
type WaitOptions struct {
	Names []string
	// For is kubectl wait's --for: condition=NAME[=VALUE], delete, or
	// jsonpath=TEMPLATE=VALUE.
	For     string
	Timeout time.Duration
	Out     io.Writer
}

// waitPoll is how often the pods' records are read.
const waitPoll = 100 * time.Millisecond

// Wait waits until every named pod meets the condition, as kubectl wait
// does, printing "pod/NAME condition met" (or "deleted") for each.
func Wait(o WaitOptions) error {
	if len(o.Names) == 0 {
		return errors.New("wait: name at least one pod")
	}
	met, err := waitCondition(o.For)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(o.Timeout)
	for _, name := range o.Names {
		for {
			ok, msg, err := met(name)
			if err != nil {
				return err
			}
			if ok {
				fmt.Fprintf(o.Out, "pod/%s %s\n", name, msg)
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("timed out waiting for the condition on pods/%s", name)
			}
			time.Sleep(waitPoll)
		}
	}
	return nil
}

// waitCondition parses --for into a test of one pod.
func waitCondition(spec string) (func(name string) (bool, string, error), error) {
	switch {
	case spec == "delete":
		return func(name string) (bool, string, error) {
			_, err := roots.Load(name)
			return errors.Is(err, state.ErrNotExist), "deleted", nil
		}, nil
	case strings.HasPrefix(spec, "condition="):
		cond, want, _ := strings.Cut(strings.TrimPrefix(spec, "condition="), "=")
		if want == "" {
			want = "True"
		}
		return func(name string) (bool, string, error) {
			st, err := roots.Load(name)
			if err != nil {
				return false, "", err
			}
			for _, c := range podstatus.V1(st).Conditions {
				if strings.EqualFold(c.Type, cond) && strings.EqualFold(c.Status, want) {
					return true, "condition met", nil
				}
			}
			return false, "", nil
		}, nil
	case strings.HasPrefix(spec, "jsonpath="):
		expr := strings.TrimPrefix(spec, "jsonpath=")
		i := strings.LastIndex(expr, "=")
		if i < 0 || !strings.Contains(expr[:i], "{") && !strings.HasPrefix(expr, ".") {
			return nil, fmt.Errorf("wait: --for=jsonpath= needs TEMPLATE=VALUE, got %q", spec)
		}
		tmpl, want := expr[:i], expr[i+1:]
		return func(name string) (bool, string, error) {
			st, err := roots.Load(name)
			if err != nil {
				return false, "", err
			}
			p, err := v1Pod(st)
			if err != nil {
				return false, "", err
			}
			got, err := jsonPath(tmpl, p)
			return err == nil && got == want, "condition met", err
		}, nil
	}
	return nil, fmt.Errorf("wait: --for must be condition=NAME[=VALUE], delete or jsonpath=TEMPLATE=VALUE, got %q", spec)
}
