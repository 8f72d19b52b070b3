package state

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
)

// SaveGrace records a `down --grace-period` override for the pod's
// monitor, which reads it when it stops the pod.
func (r Roots) SaveGrace(pod string, seconds int) error {
	return WriteFile(r.GraceFile(pod), []byte(strconv.Itoa(seconds)), 0o600)
}

// Grace is the grace period of pod p being deleted: the override of
// `down --grace-period`, else its terminationGracePeriodSeconds, else
// Kubernetes' default of 30 s (p may be nil: a manifest that is gone).
func (r Roots) Grace(p *podspec.Pod, name string) time.Duration {
	if b, err := os.ReadFile(r.GraceFile(name)); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n >= 0 {
			return time.Duration(n) * time.Second
		}
	}
	if p == nil || p.Spec.TerminationGracePeriodSeconds == nil {
		return 30 * time.Second
	}
	return podspec.Seconds(*p.Spec.TerminationGracePeriodSeconds)
}
