package monitor

import (
	"fmt"
	"math"
	"os"

	"github.com/minipod/minipod/pkg/logs"
	"github.com/minipod/minipod/pkg/nodeconfig"
	"github.com/minipod/minipod/pkg/podspec"
)

// Node settings bounding each container instance's log, named and
// defaulted as the kubelet's containerLogMaxSize and containerLogMaxFiles.
const (
	logMaxSizeKey      = "container-log-max-size"
	logMaxFilesKey     = "container-log-max-files"
	defaultLogMaxSize  = "10Mi"
	defaultLogMaxFiles = 5
)

// logOptions reads the log rotation settings. The monitor reads them once
// at start, so a pod keeps the limits it started with.
func logOptions() (logs.Options, error) {
	size, err := nodeconfig.String(logMaxSizeKey, defaultLogMaxSize)
	if err != nil {
		return logs.Options{}, err
	}
	maxSize, err := podspec.QuantityBytes(size)
	if err != nil || maxSize <= 0 {
		return logs.Options{}, fmt.Errorf("node setting %s = %q in %s: must be a positive quantity such as 10Mi",
			logMaxSizeKey, size, nodeconfig.File())
	}
	// The kubelet refuses fewer than 2: rotating would leave no file to
	// write to.
	maxFiles, err := nodeconfig.Int(logMaxFilesKey, defaultLogMaxFiles, 2, math.MaxInt32)
	if err != nil {
		return logs.Options{}, err
	}
	return logs.Options{MaxSize: maxSize, MaxFiles: int(maxFiles), Report: reportLogError}, nil
}

// reportLogError puts a log writer's failure in the monitor's own log: the
// container's output is at stake, and nobody else would hear of it.
func reportLogError(err error) {
	fmt.Fprintf(os.Stderr, "monitor: %v\n", err)
}

// logTrouble is a log writer's failure for the loop to put in the pod's
// events: a full or failing log filesystem otherwise loses a container's
// output without anyone being told.
type logTrouble struct {
	ctr string
	err error
}

// logReporter is the Report of one container's log writer: the monitor's
// own log, and an event, unless the loop is too far behind to take it
// now (a copier must never wait for the loop).
func (mon *monitor) logReporter(ctr string) func(error) {
	return func(err error) {
		reportLogError(err)
		select {
		case mon.logLost <- logTrouble{ctr: ctr, err: err}:
		default:
		}
	}
}

// onLogTrouble records a log writer's failure as a Warning event.
func (mon *monitor) onLogTrouble(lt logTrouble) {
	mon.st.AddEvent("Warning", "FailedLogWrite", lt.ctr, "Output of container "+lt.ctr+" is not all in its log: "+lt.err.Error())
}
