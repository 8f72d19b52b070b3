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
