package monitor

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLogOptions(t *testing.T) {
	tests := []struct {
		size, files string // env values; "" leaves the setting unset
		wantSize    int64
		wantFiles   int
		wantErr     string // a substring of the error; "" means success
	}{
		{"", "", 10 << 20, 5, ""}, // the kubelet's defaults
		{"64Ki", "3", 64 << 10, 3, ""},
		{"1.5Mi", "2", 3 << 19, 2, ""},
		{"1G", "", 1e9, 5, ""},
		{"", "1", 0, 0, "container-log-max-files"},
		{"", "-5", 0, 0, "container-log-max-files"},
		{"", "five", 0, 0, "container-log-max-files"},
		{"0", "", 0, 0, "container-log-max-size"},
		{"-1Mi", "", 0, 0, "container-log-max-size"},
		{"10MB", "", 0, 0, "container-log-max-size"},
	}
	for _, tt := range tests {
		t.Run(tt.size+"_"+tt.files, func(t *testing.T) {
			t.Setenv("MINIPOD_CONFIG", filepath.Join(t.TempDir(), "none")) // not the host's file
			t.Setenv("MINIPOD_CONTAINER_LOG_MAX_SIZE", tt.size)
			t.Setenv("MINIPOD_CONTAINER_LOG_MAX_FILES", tt.files)
			o, err := logOptions()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || o.MaxSize != tt.wantSize || o.MaxFiles != tt.wantFiles || o.Report == nil {
				t.Errorf("logOptions = %d bytes, %d files, %v; want %d, %d", o.MaxSize, o.MaxFiles, err, tt.wantSize, tt.wantFiles)
			}
		})
	}
}
