package test

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestAttackKeyring: containers run as root in the host's user namespace,
// so they share host root's user keyring; keyctl let one read a key the
// host's root had stored there. Reading it must fail (seccomp filters
// keyctl by default, and each container gets a fresh session keyring).
func TestAttackKeyring(t *testing.T) {
	root(t)
	needAttackImage(t)
	desc := podName("atk-key-desc") // unique: other tests share this keyring
	secret := podName("host-key-secret")
	id, err := unix.AddKey("user", desc, []byte(secret), unix.KEY_SPEC_USER_KEYRING)
	if err != nil {
		t.Fatalf("add a key to the test's user keyring: %v", err)
	}
	t.Cleanup(func() {
		if _, err := unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0); err != nil {
			t.Errorf("remove the test's key %d: %v", id, err)
		}
	})
	name := podName("atk-key")
	upPod(t, name, attackPodText(name, `["sh", "-c", "/attack keyring-read `+desc+`; `+idle+`"]`, "", ""))
	for who, out := range map[string]string{
		"main process":   waitLog(t, name, "main", "keyring", 20*time.Second),
		"exec'd process": mp(t, "exec", name, "--", "/attack", "keyring-read", desc).String(),
	} {
		if strings.Contains(out, secret) {
			t.Errorf("%s read host root's key:\n%s", who, out)
		}
	}
}
