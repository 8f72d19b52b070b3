package monitor

import (
	"fmt"
	"time"

	"github.com/minipod/minipod/pkg/state"
)

// imageVolFailed records a failed pull (ErrImagePull) and when the next
// is due; ImagePullBackOff is shown after a moment, as for a container's
// own image (imageFailed).
func (mon *monitor) imageVolFailed(iv *imageVol, err error) {
	ref := iv.v.Image.Reference
	iv.reason, iv.msg = state.ReasonErrImagePull, err.Error()
	mon.st.AddEvent("Warning", "Failed", "", pullFailedWords(ref, iv.msg))
	iv.delay = nextImageBackoff(iv.delay)
	iv.fails++
	mon.retryImageVolAfter(iv, iv.delay)
	fail := iv.fails
	time.AfterFunc(backoffShownAfter, func() { mon.imageVolIsDue(imageVolTimer{iv, fail}) })
}

// retryImageVolAfter brings iv again after d (bringImageVolumes).
func (mon *monitor) retryImageVolAfter(iv *imageVol, d time.Duration) {
	iv.retryAt = time.Now().Add(d)
	time.AfterFunc(d, func() { mon.imageVolIsDue(imageVolTimer{iv: iv}) })
}

// imageVolTimer is a timer of an image volume gone off; fail, when set,
// is the failed pull whose ImagePullBackOff it is to show.
type imageVolTimer struct {
	iv   *imageVol
	fail int
}

// imageVolIsDue tells the loop of a timer of a volume, unless the pod
// stops. A loop that ended as the pod completed leaves the send blocked
// until the monitor exits, which follows.
func (mon *monitor) imageVolIsDue(t imageVolTimer) {
	select {
	case mon.imageVolDue <- t:
	case <-mon.stopping:
	}
}

// onImageVolDue is a timer of iv going off: the back-off is shown, or over.
func (mon *monitor) onImageVolDue(t imageVolTimer) {
	iv := t.iv
	if iv.mounted || iv.pulling {
		return
	}
	if t.fail == iv.fails && iv.reason == state.ReasonErrImagePull {
		ref := iv.v.Image.Reference
		iv.reason = state.ReasonImagePullBackOff
		iv.msg = fmt.Sprintf("Back-off pulling image %q: %s: %s", ref, state.ReasonErrImagePull, iv.msg)
		mon.st.AddEvent("Normal", "BackOff", "", fmt.Sprintf("Back-off pulling image %q", ref))
	}
	mon.advance()
}
