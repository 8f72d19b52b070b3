package safeterm

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestString(t *testing.T) {
	for in, want := range map[string]string{
		"plain text\n\tindented":   "plain text\n\tindented",
		"\x1b]0;PWNED\x07\x1b[2Jx": `\u001b]0;PWNED\u0007\u001b[2Jx`,
		"cr\rover":                 `cr\u000dover`,
		"del\x7f c1\u009b[31m":     `del\u007f c1\u009b[31m`,
		"ünïcödé ✓":                "ünïcödé ✓",
		"bad \xff byte":            `bad \xff byte`,
	} {
		if got := String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriterSplitRune: the two bytes of U+009B (CSI) in two writes must
// not reach the terminal as one.
func TestWriterSplitRune(t *testing.T) {
	var b bytes.Buffer
	w := Writer(&b)
	_, _ = w.Write([]byte("a\xc2"))
	_, _ = w.Write([]byte("\x9b[2J"))
	if bytes.Contains(b.Bytes(), []byte("\u009b")) {
		t.Errorf("a split CSI went through: %q", b.String())
	}
}

// TestJSONKeepsMeaning: JSON that went through the writer decodes to the
// same string.
func TestJSONKeepsMeaning(t *testing.T) {
	in := "x\x1b[2J\u009b\x7f\ty"
	data, _ := json.Marshal(map[string]string{"m": in})
	var out map[string]string
	if err := json.Unmarshal([]byte(String(string(data))), &out); err != nil || out["m"] != in {
		t.Errorf("decoded %q (%v), want %q", out["m"], err, in)
	}
}
