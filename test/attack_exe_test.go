package test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// exePod shares one PID namespace between an attacker, which watches /proc
// for any process whose executable is one of the host's minipod programs
// (TARGET), and {{VICTIM}}.
const exePod = `apiVersion: v1
kind: Pod
metadata:
  name: {{NAME}}
spec:
  terminationGracePeriodSeconds: 1
  restartPolicy: Always
  shareProcessNamespace: true
  containers:
  - name: attack
    image: ` + attackImage + `
    command: ["sh", "-c", "{{PREPARE}}/attack exe-attack {{TARGET}} {{SECONDS}}; ` + idle + `"]
{{VICTIM}}`

// selfExeVictim is a container whose command is /proc/self/exe: init
// execs it, and /proc/self/exe of init is the program init runs from
// (minipod-init, or the minipod binary), which then runs as the
// container's process: here init again, of a bundle whose config.json is
// a FIFO nobody writes, so that it stays for the attacker to find.
const selfExeVictim = `  - name: victim
    image: ` + attackImage + `
    command: ["/proc/self/exe", "init", "/b"]
    volumeMounts: [{name: b, mountPath: /b}]
  initContainers:
  - name: fifo
    image: ` + attackImage + `
    command: ["mknod", "/b/config.json", "p"]
    volumeMounts: [{name: b, mountPath: /b}]
  volumes:
  - name: b
    emptyDir: {}
`

// trapLs makes /bin/ls of the attack container a script run by
// /proc/self/exe: an admin's `exec -- ls` then runs the minipod binary of
// the exec'd child inside the container (runc's CVE-2019-5736 route).
const trapLs = `rm /bin/ls && printf '#!/proc/self/exe\\n' > /bin/ls && chmod 755 /bin/ls && `

// TestAttackProcExe (CVE-2019-5736 class): a container got the host's
// minipod binary to run inside the pod, dumpable and with the container's
// own capabilities, so any container process could reach the binary
// through /proc/PID/exe, chmod it (to 4755 in the original attack; here to
// the mode it has) and keep a descriptor of it for later. Two routes: a
// container command of /proc/self/exe (init execs its own binary), and an
// image binary that is a #!/proc/self/exe script run by `exec`. No process
// visible in the pod may ever let the attacker chmod the host binary or
// open it for writing, directly or through a kept descriptor; the binary's
// mode and content stay as they were.
func TestAttackProcExe(t *testing.T) {
	root(t)
	needAttackImage(t)
	t.Run("command /proc/self/exe", func(t *testing.T) {
		t.Parallel()
		name, _ := exeAttack(t, "", selfExeVictim, nil)
		checkPauseSealed(t, name)
		// The attack had a target all along: the victim still runs a host
		// program (which made itself non-dumpable, so the attacker's stat
		// of its /proc/PID/exe failed).
		victimRunsHostProgram(t, name)
	})
	t.Run("exec of a #!/proc/self/exe script", func(t *testing.T) {
		t.Parallel()
		_, _ = exeAttack(t, trapLs, "", func(name string) {
			// Each run is short: repeat until the attacker caught one.
			for i := 0; i < 20 && !strings.Contains(mp(t, "logs", name, "-c", "attack").stdout, "is the target"); i++ {
				mp(t, "exec", name, "-c", "attack", "--", "ls") // fails, having run minipod
			}
		})
	})
}

// exeAttack runs exePod with prepare and victim, calls trigger (if any)
// once the attacker watches, and checks the attacker's findings and the
// host binary. It returns the pod's name and the attacker's log.
func exeAttack(t *testing.T, prepare, victim string, trigger func(name string)) (string, string) {
	t.Helper()
	progs := []string{exe, filepath.Join(filepath.Dir(exe), "minipod-monitor"), filepath.Join(filepath.Dir(exe), "minipod-pause"), filepath.Join(filepath.Dir(exe), "minipod-init")}
	var before []hostFile
	var targets []string
	for _, p := range progs {
		id := fileID(t, p)
		before = append(before, id)
		targets = append(targets, fmt.Sprintf("%d:%d", id.dev, id.ino))
	}
	const secs = 6
	name := podName("atk-exe")
	tryUp(t, name, tmpl(exePod, name, "PREPARE", prepare, "VICTIM", victim,
		"TARGET", strings.Join(targets, ","), "SECONDS", fmt.Sprint(secs)))
	waitLog(t, name, "attack", "watching /proc", 20*time.Second)
	if trigger != nil {
		trigger(name)
	}
	logs := waitLog(t, name, "attack", "\ndone\n", (secs+15)*time.Second)
	for _, l := range lines(logs) {
		if strings.HasSuffix(l, ": OK") {
			t.Errorf("the container got at a host minipod program: %s", l)
		}
	}
	if t.Failed() {
		t.Logf("attacker's log:\n%s", logs)
	}
	for i, p := range progs {
		if after := fileID(t, p); after != before[i] {
			t.Errorf("the host's %s changed: before %+v, after %+v", filepath.Base(p), before[i], after)
		}
	}
	return name, logs
}

// victimRunsHostProgram checks that pod's victim container process runs
// minipod-init, minipod-monitor or minipod (the seal of any: the same
// file).
func victimRunsHostProgram(t *testing.T, pod string) {
	t.Helper()
	st, err := readState(pod)
	if err != nil {
		t.Fatal(err)
	}
	pid := 0
	for _, c := range st.Containers {
		if c.Name == "victim" {
			pid = c.Proc.PID
		}
	}
	var got syscall.Stat_t
	if pid == 0 || syscall.Stat("/proc/"+strconv.Itoa(pid)+"/exe", &got) != nil {
		t.Fatalf("the victim (pid %d) is not running", pid)
	}
	for _, p := range []string{exe, filepath.Join(filepath.Dir(exe), "minipod-init"), filepath.Join(filepath.Dir(exe), "minipod-monitor")} {
		if id := fileID(t, p); id.dev == uint64(got.Dev) && id.ino == got.Ino {
			return
		}
	}
	t.Errorf("the victim (pid %d) does not run a host minipod program", pid)
}

// checkPauseSealed: pause, PID 1 of a shared PID namespace, is a host
// process (the host's root and working directory, minipod's memory); none
// of its /proc entries may open for a container process.
func checkPauseSealed(t *testing.T, pod string) {
	t.Helper()
	for _, p := range []string{"/proc/1/exe", "/proc/1/root/", "/proc/1/cwd/", "/proc/1/environ", "/proc/1/maps", "/proc/1/mem"} {
		if r := mp(t, "exec", pod, "-c", "attack", "--", "/attack", "open", p, "r", "1"); r.code == 0 {
			t.Errorf("a container process opened pause's %s: %s", p, r)
		}
	}
}

// hostFile identifies a file and its content.
type hostFile struct {
	dev, ino uint64
	mode     uint32
	sha256   string
}

func fileID(t *testing.T, path string) hostFile {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hostFile{uint64(st.Dev), st.Ino, st.Mode, hex.EncodeToString(sum[:])}
}
