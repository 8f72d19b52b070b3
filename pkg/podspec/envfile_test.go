package podspec

import (
	"strings"
	"testing"
)

func TestEnvFileValue(t *testing.T) {
	const file = "# settings\n\n  DB_ADDRESS='address'\nREST_ENDPOINT='end point' # a comment\n" +
		"MULTI='one\ntwo'\nEMPTY=''\nBLANK= 'ignored'\nSPECIAL='$HOME \"x\" \\n'\nDB_ADDRESS='second'\n"
	cases := []struct {
		key, want string
		found     bool
	}{
		{"DB_ADDRESS", "address", true}, // the first assignment
		{"REST_ENDPOINT", "end point", true},
		{"MULTI", "one\ntwo", true},
		{"EMPTY", "", true},
		{"BLANK", "", true},
		{"SPECIAL", `$HOME "x" \n`, true}, // literal
		{"NONE", "", false},
	}
	for _, c := range cases {
		got, found, err := EnvFileValue([]byte(file), c.key)
		if err != nil || got != c.want || found != c.found {
			t.Errorf("%s: %q, %v, %v; want %q, %v", c.key, got, found, err, c.want, c.found)
		}
	}
}

func TestEnvFileValueMalformed(t *testing.T) {
	cases := map[string]string{
		"A=unquoted\nK='v'\n":    "line 1: the value is not in single quotes",
		"A ='v'\nK='v'\n":        "line 1: blank before '='",
		"just words\nK='v'\n":    "line 1: no '='",
		"='v'\nK='v'\n":          "line 1: no variable name",
		"A='v' trailing\nK='v'":  "line 1: more after the closing quote",
		"A='never closed\nK='v'": "",
		"A=\nK='v'\n":            "line 1: the value is not in single quotes",
	}
	for file, want := range cases {
		_, _, err := EnvFileValue([]byte(file), "K")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one containing %q", file, err, want)
		}
	}
	// The container's text never goes into the error: a name can be 64 KiB
	// of anything, escape sequences included.
	hostile := strings.Repeat("\x1b[2J", 1000) + "=unquoted\nK='v'\n"
	if _, _, err := EnvFileValue([]byte(hostile), "K"); err == nil || strings.Contains(err.Error(), "\x1b") || len(err.Error()) > 100 {
		t.Errorf("error for a hostile name: %.200q", err)
	}
	// Lines that end in CR LF, a blank one among them, and a value over two.
	if v, found, err := EnvFileValue([]byte("A='x'\r\n\r\nK='one\r\ntwo'\r\n"), "K"); err != nil || !found || v != "one\ntwo" {
		t.Errorf("CRLF file: %q %v %v", v, found, err)
	}
	// A malformed line after the key is not read, as the kubelet stops there.
	if v, found, err := EnvFileValue([]byte("K='v'\nbroken\n"), "K"); err != nil || !found || v != "v" {
		t.Errorf("key before a malformed line: %q %v %v", v, found, err)
	}
}

// TestFileKeyRefChecked: the API server's rules for a fileKeyRef.
func TestFileKeyRefChecked(t *testing.T) {
	const fp = "spec.containers[0].env[0].valueFrom.fileKeyRef"
	ref := func(r m) edit {
		return edit{"spec.containers[0].env", l{m{"name": "K", "valueFrom": m{"fileKeyRef": r}}}}
	}
	vols := edit{"spec.volumes", l{m{"name": "scratch", "emptyDir": m{}}, m{"name": "cm", "configMap": m{"name": "x"}}}}
	cases := []struct {
		ref  m
		want string
	}{
		{m{"volumeName": "cm", "path": "a.env", "key": "K"}, fp + `.volumeName: Invalid value: "cm": referenced volume must be an emptyDir volume`},
		{m{"volumeName": "none", "path": "a.env", "key": "K"}, fp + `.volumeName: Not found: "none"`},
		{m{"volumeName": "scratch", "path": "/a.env", "key": "K"}, fp + `.path: Invalid value: "/a.env": must be a relative path`},
		{m{"volumeName": "scratch", "path": "a.env", "key": "A=B"}, fp + `.key: Invalid value: "A=B"`},
		{m{"volumeName": "scratch", "path": "a.env"}, fp + ".key: Required value"},
	}
	for _, c := range cases {
		expectError(t, podWith(vols, ref(c.ref)), c.want)
	}
	mustParsePod(t, podWith(vols, ref(m{"volumeName": "scratch", "path": "sub/a.env", "key": "K", "optional": true})))
}
