package image

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/minipod/minipod/pkg/testutil"
)

// TestUnpackLayerBounded: a layer stream longer than max-layer-size fails,
// naming the layer, and leaves neither the layer nor a partial extraction;
// one exactly at the limit unpacks.
func TestUnpackLayerBounded(t *testing.T) {
	testutil.RequiresRoot(t)
	layer := layerTar(t, tent{name: "big", body: strings.Repeat("x", 64<<10), typ: '0'})
	sum := sha256.Sum256(layer)
	diffID := "sha256:" + hex.EncodeToString(sum[:])
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(layer)), nil }
	cases := []struct {
		limit int
		ok    bool
	}{
		{len(layer) - 1, false},
		{32 << 10, false},
		{len(layer), true},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.limit), func(t *testing.T) {
			t.Setenv("MINIPOD_MAX_LAYER_SIZE", strconv.Itoa(tc.limit))
			s := NewStore(t.TempDir())
			if err := s.Init(); err != nil {
				t.Fatal(err)
			}
			_, err := s.UnpackLayer(diffID, open)
			if tc.ok {
				if err != nil || !s.HasLayer(diffID) {
					t.Fatalf("at the limit: %v", err)
				}
				return
			}
			var tooLarge *LayerTooLargeError
			if !errors.As(err, &tooLarge) || !strings.HasPrefix(err.Error(), "layer "+diffID+": larger than max-layer-size ("+strconv.Itoa(tc.limit)+" bytes)") {
				t.Fatalf("got %v, want the layer named and too large", err)
			}
			if s.HasLayer(diffID) {
				t.Error("the layer was unpacked")
			}
			if ents, _ := os.ReadDir(s.dir("tmp")); len(ents) != 0 {
				t.Errorf("partial extraction left in tmp: %v", ents)
			}
		})
	}
}

func TestMaxLayerSizeSetting(t *testing.T) {
	t.Setenv("MINIPOD_CONFIG", t.TempDir()+"/none")
	if n, err := MaxLayerSize(); err != nil || n != DefaultMaxLayerSize {
		t.Errorf("default = %d, %v", n, err)
	}
	for _, bad := range []string{"0", "-1", "1G", "x"} {
		t.Setenv("MINIPOD_MAX_LAYER_SIZE", bad)
		if _, err := MaxLayerSize(); err == nil || !strings.Contains(err.Error(), "max-layer-size") {
			t.Errorf("max-layer-size = %q: %v", bad, err)
		}
	}
}
