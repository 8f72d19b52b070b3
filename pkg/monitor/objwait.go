package monitor

import (
	"errors"
	"time"

	"github.com/minipod/minipod/pkg/podspec"
)

// objectPoll is how often a pod waiting for a ConfigMap, Secret or claim
// looks for it: a kubelet hears of it from its watch at once; a stat a
// second is what that costs without a daemon.
const objectPoll = time.Second

// mountWaiting makes the volumes whose object was missing, and reports
// whether all are made. Until then no container starts, as the kubelet
// starts none before every volume is mounted; each failure is a
// FailedMount event, once per message, and the loop tries again after
// objectPoll.
func (mon *monitor) mountWaiting() bool {
	var still []*podspec.Volume
	for _, v := range mon.waitingVols {
		vol, err := makeVolume(roots.Volumes(mon.pod.Name), mon.objs, mon.pod, v)
		if err == nil {
			mon.pe.volumes[v.Name] = vol
			continue
		}
		still = append(still, v)
		msg := "MountVolume.SetUp failed for volume \"" + v.Name + "\" : " + missingWords(err)
		if mon.mountMsgs[v.Name] != msg {
			mon.mountMsgs[v.Name] = msg
			mon.st.AddEvent("Warning", "FailedMount", "", msg)
		}
	}
	mon.waitingVols = still
	if len(still) == 0 {
		return true
	}
	if mon.volTimer != nil {
		mon.volTimer.Stop()
	}
	mon.volTimer = time.AfterFunc(objectPoll, func() {
		select {
		case mon.volumesDue <- struct{}{}:
		default: // one due is enough
		}
	})
	return false
}

// missingWords is what the kubelet says of a missing object: `configmap
// "x" not found`; other errors as they are.
func missingWords(err error) string {
	var me *podspec.MissingError
	if errors.As(err, &me) {
		return me.Msg
	}
	return err.Error()
}

// waitsForObjects tells whether the pod waits for an object the node
// does not have, and what for: `up` reports it and returns, as `kubectl
// apply` does, and the pod starts when the object comes.
func (mon *monitor) waitsForObjects() (string, bool) {
	for _, v := range mon.waitingVols {
		return mon.mountMsgs[v.Name], true
	}
	for _, c := range mon.ctrs {
		if c.missingObject != "" {
			return c.spec.Name + ": CreateContainerConfigError: " + c.missingObject, true
		}
	}
	return "", false
}
