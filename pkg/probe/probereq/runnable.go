package probereq

import (
	"fmt"
	"os"
	"syscall"
)

// Runnable tells whether f, the sealed helper, can run as what Run makes
// it: nobody. Sealing accepts any program root alone can write; one that
// others may not execute (mode 0700) would fail every HTTPS and gRPC
// probe of the pod with "permission denied".
func Runnable(f *os.File) error {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		return fmt.Errorf("check %s: %w", Program, err)
	}
	if st.Mode&0o001 == 0 {
		return fmt.Errorf("%s is not used: it runs as nobody, who may not execute it (mode %#o); make install gives it 0755", Program, st.Mode&0o7777)
	}
	return nil
}
