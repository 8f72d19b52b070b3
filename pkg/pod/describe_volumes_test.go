package pod

import (
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/podspec"
)

// Mounts are listed as kubectl describe lists them: by path, ro or rw as
// the volumeMount says, and the subPath.
func TestWriteMounts(t *testing.T) {
	var b strings.Builder
	writeMounts(&b, []podspec.VolumeMount{
		{Name: "data", MountPath: "/z"},
		{Name: "cfg", MountPath: "/etc/app", ReadOnly: true, SubPath: "app.conf"},
	})
	want := "    Mounts:\n      /etc/app from cfg (ro,path=\"app.conf\")\n      /z from data (rw)\n"
	if b.String() != want {
		t.Errorf("writeMounts:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	writeMounts(&b, nil)
	if b.String() != "    Mounts:\t<none>\n" {
		t.Errorf("writeMounts of none: %q", b.String())
	}
}
