package monitor

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"github.com/minipod/minipod/pkg/mounts"
	"github.com/minipod/minipod/pkg/podspec"
	"golang.org/x/sys/unix"
)

// readEnvFile reads the env file a fileKeyRef names, in an emptyDir
// volume that containers write. What they wrote is hostile: the path is
// resolved inside the volume (a link cannot lead out of it), only a
// regular file is read (a FIFO would hang the monitor, a device read the
// host's), and no more than podspec.MaxEnvFile of it.
func (pe podEnv) readEnvFile(volume, path string) ([]byte, error) {
	v, ok := pe.volumes[volume]
	if !ok {
		return nil, fmt.Errorf("volume %s has no directory", volume)
	}
	dir, err := os.Open(v.Dir)
	if err != nil {
		return nil, fmt.Errorf("open volume %s: %w", volume, err)
	}
	defer dir.Close()
	h, err := mounts.OpenInRoot(dir, path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR) {
		return nil, podspec.ErrNoEnvFile
	}
	if err != nil {
		return nil, fmt.Errorf("env file %s in volume %s: %w", path, volume, err)
	}
	defer h.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(h.Fd()), &st); err != nil {
		return nil, fmt.Errorf("env file %s in volume %s: %w", path, volume, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("env file %s in volume %s is not a regular file", path, volume)
	}
	if st.Size > podspec.MaxEnvFile {
		return nil, fmt.Errorf("env file %s in volume %s is larger than %d bytes", path, volume, podspec.MaxEnvFile)
	}
	// The handle is O_PATH: opened again through it, the same file.
	f, err := os.OpenFile("/proc/self/fd/"+strconv.Itoa(int(h.Fd())), os.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("env file %s in volume %s: %w", path, volume, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, podspec.MaxEnvFile+1))
	if err != nil {
		return nil, fmt.Errorf("read env file %s in volume %s: %w", path, volume, err)
	}
	if len(data) > podspec.MaxEnvFile {
		return nil, fmt.Errorf("env file %s in volume %s is larger than %d bytes", path, volume, podspec.MaxEnvFile)
	}
	return data, nil
}
