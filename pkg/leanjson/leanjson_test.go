package leanjson_test

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/minipod/minipod/pkg/leanjson"
	"github.com/minipod/minipod/pkg/podspec"
	"github.com/minipod/minipod/pkg/state"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Types that exercise encoding/json's rules for members.
type (
	Inner struct {
		A string `json:"a,omitempty"`
		B int
		C string `json:"shadowed"`
	}
	Promoted struct {
		P string `json:"p"`
		Q *int   `json:"q,omitempty"`
	}
	twin1 struct{ X string }
	twin2 struct{ X string }
	Twin1 = twin1
	Twin2 = twin2
	Both  struct {
		Twin1
		Twin2
	}
	named  string
	byteTM byte
	edges  struct {
		Promoted
		*Inner    `json:"inner,omitempty"`
		Shadowed  string `json:"shadowed"`
		Skip      string `json:"-"`
		Dash      string `json:"-,"`
		Bad       string `json:"a\"b"`
		Named     named
		Bytes     []byte
		NilBytes  []byte
		ByteArray [3]byte
		Raw       json.RawMessage
		Time      time.Time
		TimePtr   *time.Time `json:",omitempty"`
		Any       any
		Map       map[string]any
		EmptyMap  map[string]int `json:",omitempty"`
		Ptrs      []*Promoted
		IOS       podspec.IntOrString
		IOSPtr    *podspec.IntOrString
		Float     float64
		Neg0      float64 `json:",omitempty"`
		Both      Both
		Iface     fmt.Stringer
		unexp     int
	}
)

func (n named) MarshalText() ([]byte, error) { return []byte("<" + string(n) + ">"), nil }

func (n *named) UnmarshalText(b []byte) error {
	*n = named(strings.Trim(string(b), "<>"))
	return nil
}

func edgeValue() *edges {
	q := 7
	tm := time.Date(2026, 12, 1, 10, 0, 0, 5, time.UTC)
	return &edges{
		Promoted: Promoted{P: "p<&>", Q: &q}, Inner: &Inner{A: "", B: 2, C: "hidden"},
		Shadowed: "top", Skip: "no", Dash: "dash", Bad: "bad", Named: "n\u2028",
		Bytes: []byte{0, 1, 254}, Raw: json.RawMessage(`{ "b": [1, 2], "a": "<x>" }`),
		Time: tm, Any: map[string]any{"z": []any{1.5, "s", nil, true}, "a": json.Number("12")},
		Map: map[string]any{"k": "\xff invalid"}, Ptrs: []*Promoted{nil, {P: "x"}},
		IOS: podspec.IntOrString{Int: 8080}, IOSPtr: &podspec.IntOrString{IsString: true, Str: "http"},
		Float: 1e21, Neg0: negZero(), Both: Both{Twin1{"1"}, Twin2{"2"}}, unexp: 3,
	}
}

func negZero() float64 {
	z := 0.0
	return -z
}

func TestMarshalMatchesEncodingJSON(t *testing.T) {
	values := []any{edgeValue(), *edgeValue(), &edges{}, []any{edgeValue(), nil}, map[string]*edges{"b": nil, "a": {}}, nil, "plain"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 40; i++ {
		values = append(values, random[podspec.Pod](rng), random[specs.Spec](rng), random[state.Pod](rng))
	}
	for i, v := range values {
		want, wantErr := json.Marshal(v)
		got, err := leanjson.Marshal(v)
		if (err != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("value %d (%T):\n got %s (%v)\nwant %s (%v)", i, v, got, err, want, wantErr)
		}
		for _, layout := range [][2]string{{"", "  "}, {"> ", "\t"}} {
			want, _ = json.MarshalIndent(v, layout[0], layout[1])
			if got, _ = leanjson.MarshalIndent(v, layout[0], layout[1]); !bytes.Equal(got, want) {
				t.Fatalf("value %d (%T) indented %q:\n got %s\nwant %s", i, v, layout, got, want)
			}
		}
	}
}

// TestAppendIndent: what is in the buffer stays, the value follows it.
func TestAppendIndent(t *testing.T) {
	want, _ := json.MarshalIndent(edgeValue(), "", "  ")
	got, err := leanjson.AppendIndent([]byte("kept"), edgeValue(), "", "  ")
	if err != nil || string(got) != "kept"+string(want) {
		t.Errorf("got %s (%v), want kept and then %s", got, err, want)
	}
}

func TestUnmarshalMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 40; i++ {
		for _, v := range []any{random[podspec.Pod](rng), random[specs.Spec](rng), random[state.Pod](rng), edgeValue()} {
			data, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, data, reflect.TypeOf(v))
		}
	}
	// What only a hand can write: other cases, nulls, members twice,
	// numbers that a float would round, whitespace.
	for _, doc := range []string{
		` {"P":"upper","SHADOWED":"case","inner":{"a":"x","b":3},"Q":null,"Ptrs":[null,{"p":"y"}]} `,
		`{"inner":null,"Map":null,"Bytes":"AAEC","ByteArray":[1,2,3,4],"Any":{"n":9007199254740993}}`,
		`{"IOS":"name","IOSPtr":null,"Named":"<v>","Time":"2026-12-01T10:00:00Z","Raw":[1, {"x" : 2}]}`,
		`{"p":"first","p":"second","EmptyMap":{}}`,
		`null`,
	} {
		roundTrip(t, []byte(doc), reflect.TypeFor[*edges]())
	}
	var pod podspec.Pod
	if err := leanjson.Unmarshal([]byte(`{"spec":{"containers":[{"name":"a","ports":[{"containerPort":"x"}]}]}}`), &pod); err == nil {
		t.Error("a string for a port decoded")
	}
	if err := leanjson.Unmarshal([]byte(`{"spec": [}`), &pod); err == nil {
		t.Error("bad JSON decoded")
	}
}

// roundTrip decodes data into a fresh value of type typ both ways, loose
// and strict, and compares the results: the values, or that both failed
// (what a failed decode left behind is not part of the contract).
func roundTrip(t *testing.T, data []byte, typ reflect.Type) {
	t.Helper()
	if typ.Kind() != reflect.Pointer {
		typ = reflect.PointerTo(typ)
	}
	want, got := reflect.New(typ.Elem()), reflect.New(typ.Elem())
	wantErr := json.Unmarshal(data, want.Interface())
	err := leanjson.Unmarshal(data, got.Interface())
	if (err != nil) != (wantErr != nil) || wantErr == nil && !reflect.DeepEqual(got.Interface(), want.Interface()) {
		t.Fatalf("%s into %s:\n got %+v (%v)\nwant %+v (%v)", data, typ, got.Elem(), err, want.Elem(), wantErr)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	want = reflect.New(typ.Elem())
	wantErr = dec.Decode(want.Interface())
	got = reflect.New(typ.Elem())
	err = leanjson.UnmarshalStrict(data, got.Interface())
	if (err != nil) != (wantErr != nil) || wantErr == nil && !reflect.DeepEqual(got.Interface(), want.Interface()) {
		t.Fatalf("strict: %s into %s:\n got %+v (%v)\nwant %+v (%v)", data, typ, got.Elem(), err, want.Elem(), wantErr)
	}
}

// leaves are the containers of plain values that leanjson decodes itself
// rather than through encoding/json.
type leaves struct {
	Strings []string
	Labels  map[string]string
	Int     *int64
	Bool    *bool
	Pair    [2]string
	Small   []int8
	Unsigns []uint16
	Named   []named // text unmarshalers: encoding/json's
	Bytes   []byte  // base64: encoding/json's
	Octets  [2]uint8
	Ptrs    []*string
	Nested  map[string][]int
}

// TestUnmarshalLeaves: containers of plain values decode as encoding/json
// decodes them, the odd value inside included.
func TestUnmarshalLeaves(t *testing.T) {
	for _, doc := range []string{
		`{"Strings":["a","b c",""],"Labels":{"k":"v","e":""},"Int":-9223372036854775808,"Bool":false}`,
		`{"Strings":["\u00e9t\u00e9","tab\t","cafÃ©",null],"Labels":{"k":null,"q":"\"x\""}}`,
		`{"Strings":[],"Labels":{},"Int":null,"Bool":null,"Pair":["x"],"Small":[127,-128]}`,
		`{"Pair":["a","b","c"],"Unsigns":[0,65535],"Named":["<n>","m"],"Bytes":"AAEC","Octets":[1,2]}`,
		`{"Ptrs":["a",null,"b"],"Nested":{"a":[1,2],"b":null,"c":[]}}`,
		`{"Strings":null,"Labels":null,"Small":null}`,
		`{"Small":[128]}`, `{"Unsigns":[-1]}`, `{"Int":1.5}`, `{"Int":"1"}`,
		`{"Strings":[1]}`, `{"Labels":{"k":1}}`, `{"Bool":"true"}`, `{"Pair":"ab"}`,
		`{"Strings":"a"}`, `{"Labels":["a"]}`, `{"Small":[1e2]}`, `{"Int":01}`,
	} {
		roundTrip(t, []byte(doc), reflect.TypeFor[*leaves]())
	}
}

func TestUnmarshalStrictUnknownField(t *testing.T) {
	var pod podspec.Pod
	err := leanjson.UnmarshalStrict([]byte(`{"kind":"Pod","spec":{"containers":[{"name":"a","imagee":"x"}]}}`), &pod)
	if err == nil || !strings.Contains(err.Error(), `"imagee"`) {
		t.Fatalf("unknown field: %v", err)
	}
	if err := leanjson.Unmarshal([]byte(`{"kind":"Pod","spec":{"containers":[{"name":"a","imagee":"x"}]}}`), &pod); err != nil || pod.Spec.Containers[0].Name != "a" {
		t.Fatalf("loose decode: %v", err)
	}
}

// TestKeepsNothingPerType is the package's reason to be: encoding and
// decoding a struct type never seen before leaves the heap as it was,
// where encoding/json keeps its fields for good.
func TestKeepsNothingPerType(t *testing.T) {
	retained := func(use func(v any)) uint64 {
		v := freshStruct(t, 300)
		before := heapAfterGC()
		use(v)
		after := heapAfterGC()
		runtime.KeepAlive(v)
		if after < before {
			return 0
		}
		return after - before
	}
	// The least of three tries, each with a type of its own: what an
	// encoder keeps per type shows in every try; the runtime or the test
	// framework allocating something of its own meanwhile (5.5 KB, now
	// and then) shows in one.
	least := func(use func(v any)) uint64 {
		m := retained(use)
		for i := 0; i < 2; i++ {
			m = min(m, retained(use))
		}
		return m
	}
	lean := least(func(v any) {
		data, err := leanjson.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := leanjson.Unmarshal(data, v); err != nil {
			t.Fatal(err)
		}
	})
	std := least(func(v any) {
		data, _ := json.Marshal(v)
		_ = json.Unmarshal(data, v)
	})
	t.Logf("kept after one encode and decode of a new 300-field type: leanjson %d B, encoding/json %d B", lean, std)
	if lean > 4<<10 || std < 20<<10 {
		t.Fatalf("leanjson kept %d B, encoding/json %d B: want under 4 KiB and over 20 KiB", lean, std)
	}
}

var freshTypes int

// freshStruct is a pointer to a value of a struct type made now, with n
// string fields, which no encoder has met.
func freshStruct(t *testing.T, n int) any {
	t.Helper()
	freshTypes++
	var fs []reflect.StructField
	for i := 0; i < n; i++ {
		fs = append(fs, reflect.StructField{Name: fmt.Sprintf("F%d_%d", freshTypes, i), Type: reflect.TypeFor[string](),
			Tag: reflect.StructTag(fmt.Sprintf(`json:"f%d,omitempty"`, i))})
	}
	v := reflect.New(reflect.StructOf(fs))
	for i := 0; i < n; i++ {
		v.Elem().Field(i).SetString("x")
	}
	return v.Interface()
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// random is a T with every field filled with a chance, through pointers,
// slices and maps, from rng: values any spec or record may hold.
func random[T any](rng *rand.Rand) *T {
	v := new(T)
	fill(reflect.ValueOf(v).Elem(), rng, 0)
	return v
}

func fill(v reflect.Value, rng *rand.Rand, depth int) {
	if !v.CanSet() || depth > 8 {
		return
	}
	if v.Type() == reflect.TypeFor[podspec.IntOrString]() {
		if rng.IntN(2) == 0 {
			v.Set(reflect.ValueOf(podspec.IntOrString{Int: rng.Int32N(65536)}))
		} else {
			v.Set(reflect.ValueOf(podspec.IntOrString{IsString: true, Str: randomString(rng)}))
		}
		return
	}
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(time.Unix(rng.Int64N(4e9), rng.Int64N(1e9)).UTC()))
		return
	case reflect.TypeFor[json.RawMessage]():
		v.Set(reflect.ValueOf(json.RawMessage(`{"r":[1,"<2>"]}`)))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(rng.Int64()>>(64-v.Type().Bits()) - rng.Int64N(3))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(rng.Uint64() >> (64 - v.Type().Bits()))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(rng.Int32N(1000)) / 8)
	case reflect.String:
		v.SetString(randomString(rng))
	case reflect.Pointer:
		if rng.IntN(3) > 0 {
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), rng, depth+1)
		}
	case reflect.Slice:
		if rng.IntN(4) > 0 {
			n := rng.IntN(3)
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := 0; i < n; i++ {
				fill(v.Index(i), rng, depth+1)
			}
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			fill(v.Index(i), rng, depth+1)
		}
	case reflect.Map:
		if rng.IntN(4) > 0 && v.Type().Key().Kind() == reflect.String {
			v.Set(reflect.MakeMap(v.Type()))
			for i := rng.IntN(3); i > 0; i-- {
				k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
				k.SetString(randomString(rng))
				fill(e, rng, depth+1)
				v.SetMapIndex(k, e)
			}
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if rng.IntN(3) > 0 {
				fill(v.Field(i), rng, depth+1)
			}
		}
	case reflect.Interface:
		if v.NumMethod() == 0 && rng.IntN(2) == 0 {
			v.Set(reflect.ValueOf(map[string]any{"k": randomString(rng), "n": float64(rng.IntN(9))}))
		}
	}
}

func randomString(rng *rand.Rand) string {
	parts := []string{"", "a", "Name", "<script>", "&", "é", "\u2028", "\"q\"", "\\", "\x01", "\xff", "10Mi", "x y"}
	return parts[rng.IntN(len(parts))] + parts[rng.IntN(len(parts))]
}

type ptrMarshaled struct{ N int }

func (*ptrMarshaled) MarshalJSON() ([]byte, error) { return []byte(`"ptr"`), nil }

// TestMarshalCornerCases: a nil interface of a marshaler type, a struct
// left to encoding/json that holds pointer methods, a cycle.
func TestMarshalCornerCases(t *testing.T) {
	type delegated struct {
		A int          `json:",string"`
		B ptrMarshaled `json:"b"`
	}
	for _, v := range []any{
		struct{ M json.Marshaler }{},
		struct{ T encoding.TextMarshaler }{},
		&delegated{},
		&struct{ D delegated }{},
	} {
		want, werr := json.Marshal(v)
		got, err := leanjson.Marshal(v)
		if !bytes.Equal(got, want) || (err == nil) != (werr == nil) {
			t.Errorf("%T: got %s (%v), want %s (%v)", v, got, err, want, werr)
		}
	}
	cycle := map[string]any{}
	cycle["a"] = cycle
	if _, err := leanjson.Marshal(cycle); err == nil {
		t.Error("a cycle was encoded")
	}
}

// TestUnmarshalCornerCases: an unnamed struct does not take its embedded
// field's pointer methods; strict decoding reaches structs in maps.
func TestUnmarshalCornerCases(t *testing.T) {
	var a, b struct {
		T struct{ time.Time } `json:"t"`
	}
	data := []byte(`{"t":"2020-01-01T00:00:00Z"}`)
	werr, err := json.Unmarshal(data, &a), leanjson.Unmarshal(data, &b)
	if (werr == nil) != (err == nil) {
		t.Errorf("unnamed struct: got %v, want %v", err, werr)
	}
	type s struct{ A int }
	var m map[int]s
	if err := leanjson.UnmarshalStrict([]byte(`{"1":{"A":1,"B":2}}`), &m); err == nil {
		t.Error("strict decoding took an unknown member inside a map")
	}
}
