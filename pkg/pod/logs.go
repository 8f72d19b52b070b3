package pod

import (
	"context"
	"io"

	"github.com/minipod/minipod/pkg/logs"
	"github.com/minipod/minipod/pkg/state"
)

// LogsOptions are the flags of `minipod logs`.
type LogsOptions struct {
	Pod, Container string
	Follow         bool
	Tail           int
	Previous       bool
	Timestamps     bool
	Out, Err       io.Writer
}

// Logs prints one container's log, like `kubectl logs`.
func Logs(ctx context.Context, o LogsOptions) error {
	st, err := roots.Load(o.Pod)
	if err != nil {
		return err
	}
	c, err := pickContainer(st, o.Container, o.Err)
	if err != nil {
		return err
	}
	dir := logs.PodDir(roots.Logs, st.Namespace, st.Name, st.UID)
	name, restart := c.Name, c.RestartCount
	path := logs.Path(dir, name, restart)
	switch ok, _ := logs.Exists(path); {
	case o.Previous:
		if path, err = logs.Previous(dir, name, restart); err != nil {
			return err
		}
	case !ok && restart > 0:
		// The new instance has no log yet (it is being started, or waits
		// out its back-off): as the kubelet does, show the newest there is.
		if prev, err := logs.Previous(dir, name, restart); err == nil {
			path, restart = prev, restart-1
		}
	}
	ro := logs.ReadOptions{Tail: o.Tail, Timestamps: o.Timestamps, Follow: o.Follow && !o.Previous}
	ro.Done = func() bool { return instanceDone(o.Pod, name, restart) }
	return logs.Read(ctx, path, ro, o.Out)
}

// instanceDone reports whether instance restart of the container has ended:
// it no longer runs, or the pod is gone.
func instanceDone(pod, name string, restart int) bool {
	st, err := roots.Load(pod)
	if err != nil {
		return true
	}
	c, ok := st.Find(name)
	if !ok {
		return true
	}
	if c.RestartCount > restart {
		return true
	}
	return c.State != state.StateRunning && (c.Started || st.Finished || st.Terminating)
}
