package podspec

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// TestDecodeTypedAgreesWithEncodingJSON: decodeTyped's leanjson gives the
// structs encoding/json (strict) gives, for every manifest minipod accepts:
// quantities, int-or-strings, raw values and omitted fields included.
func TestDecodeTypedAgreesWithEncodingJSON(t *testing.T) {
	checked := 0
	for name, data := range validCases(t) {
		docs, err := readDocuments(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, d := range docs {
			w := &walker{}
			tree := w.value("", reflect.TypeOf(newObject(d.kind)).Elem(), false, d.tree)
			if len(w.errs) > 0 {
				t.Fatalf("%s: %v", name, w.errs.err())
			}
			got, want := newObject(d.kind), newObject(d.kind)
			if err := decodeTyped(tree, got); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			raw, err := json.Marshal(tree)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(want); err != nil {
				t.Fatalf("%s: encoding/json: %v", name, err)
			}
			checked++
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s (%s): leanjson decoded\n%+v\nencoding/json\n%+v", name, d.kind, got, want)
			}
		}
	}
	if checked < 20 {
		t.Errorf("only %d documents compared", checked)
	}
}
