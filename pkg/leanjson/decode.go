package leanjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// Unmarshal decodes data into v, a non-nil pointer, as json.Unmarshal
// does. Only error messages may differ, and a member given twice in one
// object is decoded from its last value alone.
func Unmarshal(data []byte, v any) error { return decode(data, v, false) }

// UnmarshalStrict is Unmarshal with a member that no field takes an error,
// as json.Decoder.DisallowUnknownFields makes it.
func UnmarshalStrict(data []byte, v any) error { return decode(data, v, true) }

func decode(data []byte, v any, strict bool) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &json.InvalidUnmarshalError{Type: reflect.TypeOf(v)}
	}
	if !json.Valid(data) {
		return json.Unmarshal(data, new(json.RawMessage)) // encoding/json's syntax error
	}
	d := &decoder{strict: strict}
	return d.into(rv.Elem(), bytes.TrimSpace(data))
}

// decoder reads one document. Its members are listed once per type for
// the call, and forgotten with it.
type decoder struct {
	strict  bool
	members map[reflect.Type][]field
	walks   map[reflect.Type]bool
}

// into decodes the JSON value raw into v, which is addressable.
func (d *decoder) into(v reflect.Value, raw []byte) error {
	if !d.walked(v.Type()) {
		return d.delegate(v, raw)
	}
	null := string(raw) == "null"
	switch v.Kind() {
	case reflect.Pointer:
		if null {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return d.into(v.Elem(), raw)
	case reflect.Struct:
		if null {
			return nil
		}
		return d.object(v, raw)
	case reflect.Map:
		if null {
			v.SetZero()
			return nil
		}
		return d.mapping(v, raw)
	case reflect.Slice:
		if null {
			v.SetZero()
			return nil
		}
		return d.slice(v, raw)
	case reflect.Array:
		if null {
			return nil
		}
		return d.array(v, raw)
	}
	return d.delegate(v, raw)
}

// walked is walked's answer for t, found once per type for the call.
func (d *decoder) walked(t reflect.Type) bool {
	w, ok := d.walks[t]
	if !ok {
		w = walked(t, 0)
		if d.walks == nil {
			d.walks = map[reflect.Type]bool{}
		}
		d.walks[t] = w
	}
	return w
}

// walked tells whether this package decodes values of t itself: types
// that hold structs, and pointers, slices, arrays and maps of plain leaves
// (a spec's []string, map[string]string, *int64), which would otherwise
// each cost a call of encoding/json with its own validation; anything
// else encoding/json decodes without keeping a thing.
func walked(t reflect.Type, depth int) bool {
	if depth > 16 || ownDecoder(t) {
		return false
	}
	switch t.Kind() {
	case reflect.Struct:
		return true
	case reflect.Pointer:
		return walked(t.Elem(), depth+1) || plainKind(t.Elem())
	case reflect.Slice, reflect.Array:
		// A slice of bytes is base64 text to encoding/json.
		return walked(t.Elem(), depth+1) || plainKind(t.Elem()) && t.Elem().Kind() != reflect.Uint8
	case reflect.Map:
		return t.Key().Kind() == reflect.String && !ownDecoder(t.Key()) &&
			(walked(t.Elem(), depth+1) || plainKind(t.Elem()))
	}
	return false
}

// plainKind tells whether plainLeaf may set values of t: strings,
// integers and booleans without methods of their own. What plainLeaf
// cannot read still goes to encoding/json.
func plainKind(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return t != numberType && !ownDecoder(t)
	}
	return false
}

// ownDecoder tells whether t (or its pointer) decodes itself.
func ownDecoder(t reflect.Type) bool {
	if t.PkgPath() == "" && t.Name() != "" {
		return false // string, int, bool...: no methods
	}
	if t.Name() == "" {
		// encoding/json takes the address of named types only: an
		// unnamed struct does not get its embedded field's pointer methods.
		return t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType)
	}
	p := reflect.PointerTo(t)
	return t.Implements(unmarshalerType) || p.Implements(unmarshalerType) ||
		t.Implements(textUnmarshalerType) || p.Implements(textUnmarshalerType)
}

// delegate has encoding/json decode raw into v: it keeps nothing for
// what walked leaves to it.
func (d *decoder) delegate(v reflect.Value, raw []byte) error {
	if plainLeaf(v, raw) {
		return nil
	}
	if !d.strict {
		return json.Unmarshal(raw, v.Addr().Interface())
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v.Addr().Interface())
}

// plainLeaf sets v from raw where that is plain: a string of printable
// ASCII without escapes, an integer in range, a boolean, into a value of
// that kind without methods of its own. Anything else is left to
// encoding/json, with its errors.
func plainLeaf(v reflect.Value, raw []byte) bool {
	if ownDecoder(v.Type()) || v.Type() == numberType {
		return false
	}
	switch v.Kind() {
	case reflect.String:
		s, ok := plainString(raw)
		if ok {
			v.SetString(s)
		}
		return ok
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
		return true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(string(raw), 10, 64)
		if err != nil || v.OverflowUint(n) {
			return false
		}
		v.SetUint(n)
		return true
	case reflect.Bool:
		switch string(raw) {
		case "true", "false":
			v.SetBool(raw[0] == 't')
			return true
		}
	}
	return false
}

func (d *decoder) object(v reflect.Value, raw []byte) error {
	fs, ok := d.members[v.Type()]
	if !ok {
		if fs, ok = fields(v.Type()); !ok {
			return d.delegate(v, raw)
		}
		if d.members == nil {
			d.members = map[reflect.Type][]field{}
		}
		d.members[v.Type()] = fs
	}
	return members(raw, v.Type(), func(key string, val []byte) error {
		f, ok := member(fs, key)
		if !ok {
			if d.strict {
				return fmt.Errorf("json: unknown field %q", key)
			}
			return nil
		}
		return d.into(settableField(v, f.index), val)
	})
}

// member finds the field a key names: by its exact name, or else by a
// name equal under case folding, as encoding/json matches them.
func member(fs []field, key string) (field, bool) {
	for _, f := range fs {
		if f.name == key {
			return f, true
		}
	}
	for _, f := range fs {
		if strings.EqualFold(f.name, key) {
			return f, true
		}
	}
	return field{}, false
}

// settableField is the field at index, allocating embedded pointers on
// the way.
func settableField(v reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

func (d *decoder) slice(v reflect.Value, raw []byte) error {
	items, err := elements(raw, v.Type())
	if err != nil {
		return err
	}
	s := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, item := range items {
		if err := d.into(s.Index(i), item); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}

func (d *decoder) array(v reflect.Value, raw []byte) error {
	items, err := elements(raw, v.Type())
	if err != nil {
		return err
	}
	for i := 0; i < v.Len(); i++ {
		if i >= len(items) {
			v.Index(i).SetZero()
			continue
		}
		if err := d.into(v.Index(i), items[i]); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) mapping(v reflect.Value, raw []byte) error {
	t := v.Type()
	if raw[0] != '{' {
		return &json.UnmarshalTypeError{Value: kindOf(raw), Type: t}
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	return members(raw, t, func(key string, val []byte) error {
		elem := reflect.New(t.Elem()).Elem()
		if err := d.into(elem, val); err != nil {
			return err
		}
		v.SetMapIndex(reflect.ValueOf(key).Convert(t.Key()), elem)
		return nil
	})
}

// kindOf names a JSON value's kind as encoding/json's type errors do.
func kindOf(raw []byte) string {
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}
