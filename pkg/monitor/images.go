package monitor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/minipod/minipod/pkg/image"
	"github.com/minipod/minipod/pkg/image/pullreq"
	"github.com/minipod/minipod/pkg/state"
)

// pullResult is what an image pull sends back to the event loop.
type pullResult struct {
	c   *ctr
	iv  *imageVol // an image volume's pull instead (c nil)
	img *image.Image
	err error
	dur time.Duration
}

// imageBackoff is the kubelet's image pull back-off (imageBackOffPeriod,
// MaxImageBackOff).
const (
	imageBackoff    = 10 * time.Second
	maxImageBackoff = 300 * time.Second
)

// needsPull applies imagePullPolicy to the image as the store has it.
// Directory images (built from the project's recipes) come from no
// registry: they are present by definition and never pulled.
func needsPull(ref, policy string) (bool, *image.Image, error) {
	img, err := image.Lookup(roots.Images, ref)
	if err != nil && !errors.Is(err, image.ErrNotFound) {
		return false, nil, err
	}
	present := err == nil
	switch {
	case present && strings.HasPrefix(img.ID, "dir:"):
		return false, img, nil
	case policy == "Never":
		if !present {
			return false, nil, fmt.Errorf("%w: Container image %q is not present with pull policy of Never", errNeverPull, ref)
		}
		return false, img, nil
	case policy == "IfNotPresent" && present:
		return false, img, nil
	default: // Always, or IfNotPresent and missing
		return true, img, nil
	}
}

var errNeverPull = errors.New(string(state.ReasonErrImageNeverPull))

// The kubelet's words for an image, shared by containers and image
// volumes, which its image manager treats alike.

// neverPullWords is the message of a needsPull errNeverPull.
func neverPullWords(err error) string {
	return strings.TrimPrefix(err.Error(), errNeverPull.Error()+": ")
}

// invalidImageWords is the message for a reference that does not parse.
func invalidImageWords(ref string) string {
	return fmt.Sprintf("Failed to apply default image tag %q: couldn't parse image name %q: invalid reference format", ref, ref)
}

// pullFailedWords is the Failed event of a pull of ref.
func pullFailedWords(ref, msg string) string { return "Failed to pull image \"" + ref + "\": " + msg }

// nextImageBackoff is the image pull back-off after one of d.
func nextImageBackoff(d time.Duration) time.Duration {
	return min(max(2*d, imageBackoff), maxImageBackoff)
}

// alreadyPresent is the kubelet's event for an image it need not pull, in
// v1.35's words (KubeletEnsureSecretPulledImages, on by default, adds the
// second half: no credential guards the images of this node).
const alreadyPresent = "Container image %q already present on machine and can be accessed by the pod"

// ensureImage makes c.img current for the next start of c. It returns true
// when the image is ready now; otherwise a pull runs in the background and
// reports to the event loop, or the container waits in an error state.
func (mon *monitor) ensureImage(c *ctr) bool {
	if !mon.imageVolumesReady(c) {
		return false
	}
	if _, err := image.ParseRef(c.spec.Image); err != nil {
		mon.invalidImage(c)
		return false
	}
	pull, img, err := needsPull(c.spec.Image, c.spec.ImagePullPolicy)
	switch {
	case errors.Is(err, errNeverPull):
		mon.imageFailed(c, state.ReasonErrImageNeverPull, neverPullWords(err), false)
		return false
	case err != nil:
		mon.imageFailed(c, state.ReasonErrImagePull, err.Error(), true)
		return false
	case !pull:
		if c.img == nil || c.img.ID != img.ID {
			mon.st.AddEvent("Normal", "Pulled", c.spec.Name, fmt.Sprintf(alreadyPresent, c.spec.Image))
		}
		c.img = img
		mon.st.UseImage(img.Digest)
		return true
	}
	if c.step == stepPulling {
		return false
	}
	c.enter(stepPulling)
	c.st.State, c.st.Reason, c.st.Message = state.StateWaiting, state.ReasonContainerCreating, ""
	mon.st.AddEvent("Normal", "Pulling", c.spec.Name, fmt.Sprintf("Pulling image %q", c.spec.Image))
	go mon.pullImage(c, mon.pullAuths())
	return false
}

// pullImage runs off the event loop: a pull may take long, and `down` must
// still be heard meanwhile. The puller is a program of its own (see
// pullExe); its progress goes to the monitor's log. A pod being deleted
// asks it to stop (SIGTERM, as Ctrl-C stops `minipod pull`); a monitor
// that dies takes it along (see pullreq.Run).
func (mon *monitor) pullImage(c *ctr, auths []pullreq.Auth) {
	img, dur, err := mon.pull(c.spec.Image, auths)
	mon.pulled <- pullResult{c: c, img: img, err: err, dur: dur}
}

// pull pulls ref into the store and looks it up (pullImage).
func (mon *monitor) pull(ref string, auths []pullreq.Auth) (*image.Image, time.Duration, error) {
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-mon.stopping:
			cancel()
		case <-ctx.Done():
		}
	}()
	req := pullreq.Request{Op: pullreq.OpPull, Store: roots.Images, Image: ref, Progress: true, Auths: auths}
	_, err := pullreq.Run(ctx, pullExe(), req, os.Stderr)
	var img *image.Image
	if err == nil {
		img, err = image.Lookup(roots.Images, ref)
	}
	return img, time.Since(start), err
}

// onPulled resumes a container whose image pull finished.
func (mon *monitor) onPulled(r pullResult) {
	if r.iv != nil {
		mon.onVolumePulled(r)
		return
	}
	c := r.c
	if mon.st.Terminating || mon.killed || mon.completing || mon.resandbox {
		// No start now: the pod is stopping, or its sandbox is gone (a new
		// one starts every container over, with this image).
		if r.err == nil {
			c.img = r.img
			mon.st.UseImage(r.img.Digest)
		}
		c.enter(stepDone)
		mon.maybeRecreate()
		return
	}
	if r.err != nil {
		mon.imageFailed(c, state.ReasonErrImagePull, r.err.Error(), true)
		return
	}
	c.imgDelay = 0
	c.img = r.img
	mon.st.UseImage(r.img.Digest)
	mon.st.AddEvent("Normal", "Pulled", c.spec.Name, fmt.Sprintf("Successfully pulled image %q in %s", c.spec.Image, r.dur.Round(time.Millisecond)))
	mon.start(c) // not launch: with Always, launch would pull again, forever
}

// invalidImage leaves c waiting in InvalidImageName, as the kubelet does
// with an image name it cannot parse (the API server takes any name
// without whitespace around it): nothing is pulled, nor started. A pod's
// images never change here, so it waits until the pod is deleted.
func (mon *monitor) invalidImage(c *ctr) {
	msg := invalidImageWords(c.spec.Image)
	c.st.State, c.st.Reason, c.st.Message = state.StateWaiting, state.ReasonInvalidImageName, msg
	mon.st.AddEvent("Warning", "InspectFailed", c.spec.Name, msg)
	mon.st.AddEvent("Warning", "Failed", c.spec.Name, "Error: "+string(state.ReasonInvalidImageName))
	c.enter(stepBlocked)
}

// imageFailed puts c in ErrImagePull (or ErrImageNeverPull) and, when
// retry, schedules the next pull with the kubelet's image back-off; the
// container shows ImagePullBackOff while it waits.
func (mon *monitor) imageFailed(c *ctr, reason state.Reason, msg string, retry bool) {
	c.st.State, c.st.Reason, c.st.Message = state.StateWaiting, reason, msg
	mon.st.AddEvent("Warning", "Failed", c.spec.Name, pullFailedWords(c.spec.Image, msg))
	if !retry {
		c.enter(stepBlocked)
		return
	}
	c.imgDelay = nextImageBackoff(c.imgDelay)
	mon.wait(c, retryPull, c.imgDelay)
	// The kubelet reports ErrImagePull for the failed attempt, then
	// ImagePullBackOff while it waits; show the wait after a moment.
	time.AfterFunc(backoffShownAfter, func() { mon.backoffShown <- c })
}

// backoffShownAfter is how long ErrImagePull stays before ImagePullBackOff.
const backoffShownAfter = time.Second

func (mon *monitor) onBackoffShown(c *ctr) {
	if c.step == stepWaiting && c.retry == retryPull && c.st.Reason == state.ReasonErrImagePull {
		c.st.Reason = state.ReasonImagePullBackOff
		c.st.Message = fmt.Sprintf("Back-off pulling image %q", c.spec.Image)
		mon.st.AddEvent("Normal", "BackOff", c.spec.Name, c.st.Message)
	}
}
