package monitor

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/image/pullreq"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
)

// imageVol is one image volume of the pod as the kubelet brings it in:
// pulled (as its pullPolicy says, with the pod's pull secrets) before the
// containers start, mounted once for the pod's life. A pull that fails
// holds back only the containers that mount the volume, each waiting with
// the pull's reason; the others start. It is tried again with the image
// pull back-off.
type imageVol struct {
	v       *podspec.Volume
	dir     string
	mounted bool
	pulling bool
	blocked bool         // cannot go on by itself (ErrImageNeverPull, InvalidImageName)
	reason  state.Reason // why the containers that mount it wait; "" while first pulled
	msg     string
	delay   time.Duration // the image pull back-off
	retryAt time.Time     // when a failed pull is tried again
	fails   int           // failed pulls so far: a timer is for the one it was set for
	// img is the image pulled or found for it whose mount failed: the
	// next try mounts it again, it does not pull again.
	img *image.Image
}

// newImageVols lists the pod's image volumes in the order of its volumes,
// the order the kubelet pulls them in.
func newImageVols(p *podspec.Pod, dir func(string) string) []*imageVol {
	var out []*imageVol
	for i := range p.Spec.Volumes {
		if v := &p.Spec.Volumes[i]; v.Image != nil {
			out = append(out, &imageVol{v: v, dir: dir(v.Name)})
		}
	}
	return out
}

// imageVol is the image volume named name, nil if it is none.
func (mon *monitor) imageVol(name string) *imageVol {
	for _, iv := range mon.imageVols {
		if iv.v.Name == name {
			return iv
		}
	}
	return nil
}

// bringImageVolumes starts what each image volume needs next: a pull, a
// mount, or nothing while one is under way or its back-off lasts.
func (mon *monitor) bringImageVolumes() {
	for _, iv := range mon.imageVols {
		if iv.mounted || iv.pulling || iv.blocked || time.Now().Before(iv.retryAt) {
			continue
		}
		mon.bringImageVolume(iv)
	}
}

func (mon *monitor) bringImageVolume(iv *imageVol) {
	if iv.img != nil {
		mon.mountImageVol(iv, iv.img)
		return
	}
	ref := iv.v.Image.Reference
	if _, err := image.ParseRef(ref); err != nil {
		msg := invalidImageWords(ref)
		mon.st.AddEvent("Warning", "InspectFailed", "", msg)
		iv.reason, iv.msg, iv.blocked = state.ReasonInvalidImageName, msg, true
		return
	}
	pull, img, err := needsPull(ref, iv.v.Image.PullPolicy)
	switch {
	case errors.Is(err, errNeverPull):
		msg := neverPullWords(err)
		mon.st.AddEvent("Warning", string(state.ReasonErrImageNeverPull), "", msg)
		iv.reason, iv.msg, iv.blocked = state.ReasonErrImageNeverPull, msg, true
	case err != nil:
		mon.imageVolFailed(iv, err)
	case !pull:
		mon.st.AddEvent("Normal", "Pulled", "", fmt.Sprintf(alreadyPresent, ref))
		mon.mountImageVol(iv, img)
	default:
		iv.pulling = true
		mon.st.AddEvent("Normal", "Pulling", "", fmt.Sprintf("Pulling image %q", ref))
		go func(auths []pullreq.Auth) {
			img, dur, err := mon.pull(ref, auths)
			mon.pulled <- pullResult{iv: iv, img: img, err: err, dur: dur}
		}(mon.pullAuths())
	}
}

// onVolumePulled mounts an image volume whose pull is done, and lets the
// containers that wait for it go on.
func (mon *monitor) onVolumePulled(r pullResult) {
	iv := r.iv
	iv.pulling = false
	if mon.st.Terminating || mon.killed || mon.completing {
		return
	}
	if r.err != nil {
		mon.imageVolFailed(iv, r.err)
		mon.advance() // its containers show why they wait
		return
	}
	mon.st.AddEvent("Normal", "Pulled", "", fmt.Sprintf("Successfully pulled image %q in %s", iv.v.Image.Reference, r.dur.Round(time.Millisecond)))
	mon.mountImageVol(iv, r.img)
	mon.advance()
}

// mountImageVol mounts img as the volume. A mount that fails (an image
// whose files the kernel cannot stack) is the runtime's CreateContainer
// failing in the kubelet's terms, tried again as a failed sync is.
func (mon *monitor) mountImageVol(iv *imageVol, img *image.Image) {
	err := mon.withUserNS(func(userns *os.File) error { return mountImage(iv.dir, img, userns) })
	if err != nil {
		msg := fmt.Sprintf("mount image volume %q (%s): %v", iv.v.Name, iv.v.Image.Reference, err)
		if msg != iv.msg {
			mon.st.AddEvent("Warning", "Failed", "", msg)
		}
		iv.reason, iv.msg, iv.img = state.ReasonCreateContainerError, msg, img
		mon.retryImageVolAfter(iv, configRetry)
		return
	}
	iv.mounted, iv.reason, iv.msg, iv.delay, iv.img = true, "", "", 0, nil
	mon.st.UseImage(img.Digest)
	for _, c := range mon.ctrs {
		if c.st.ImageVolume == iv.v.Name {
			// Waiting again as any container being created.
			c.st.ImageVolume, c.st.Reason, c.st.Message = "", state.ReasonContainerCreating, ""
			if !c.init && !mon.st.Initialized {
				c.st.Reason = state.ReasonPodInitializing
			}
		}
	}
}

// imageVolumesReady tells whether every image volume c mounts is mounted;
// if not, c waits with the reason of the first that failed, as the
// kubelet fails the container's start (one "Error: REASON" event per
// change), or as it was while the first pull runs. Only a first start
// can be held here: a volume, once mounted, stays for the pod's life, so
// a restart (which comes here from a timer, not from advance) passes.
func (mon *monitor) imageVolumesReady(c *ctr) bool {
	for _, vm := range c.spec.VolumeMounts {
		iv := mon.imageVol(vm.Name)
		if iv == nil || iv.mounted {
			continue
		}
		if iv.reason != "" && (c.st.Reason != iv.reason || c.st.Message != iv.msg) {
			c.st.State, c.st.Reason, c.st.Message = state.StateWaiting, iv.reason, iv.msg
			c.st.ImageVolume = iv.v.Name
			mon.st.AddEvent("Warning", "Failed", c.spec.Name, "Error: "+string(iv.reason))
		}
		return false
	}
	return true
}
