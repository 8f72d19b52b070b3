package leanjson

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
)

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
)

// Marshal returns what json.Marshal returns for v.
func Marshal(v any) ([]byte, error) {
	var e encoder
	if err := e.value(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// MarshalIndent returns what json.MarshalIndent returns for v (which is
// json.Marshal's output, indented). It indents as it goes: indenting the
// finished output took a fifth of the time of encoding a state record,
// and a second buffer.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	return AppendIndent(nil, v, prefix, indent)
}

// AppendIndent appends MarshalIndent's output for v to dst, for a caller
// that encodes a value again and again into the same buffer.
func AppendIndent(dst []byte, v any, prefix, indent string) ([]byte, error) {
	e := encoder{buf: dst, indented: true, prefix: prefix, indent: indent}
	if err := e.value(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return e.buf, nil
}

// encoder writes one value. Its members are listed once per type for
// the call, and forgotten with it.
type encoder struct {
	buf       []byte
	members   map[reflect.Type][]field
	methodsOf map[reflect.Type]int
	depth     int

	// MarshalIndent's layout: each member and element on a line of its
	// own, behind prefix and level times indent.
	indented       bool
	prefix, indent string
	level          int
}

// cycleDepth is how deep a value may nest before it is left to
// encoding/json, which reports a cycle where this walk would recurse
// until the stack ran out.
const cycleDepth = 1000

func (e *encoder) value(v reflect.Value) error {
	if e.depth >= cycleDepth {
		return e.delegate(v)
	}
	e.depth++
	err := e.walk(v)
	e.depth--
	return err
}

func (e *encoder) walk(v reflect.Value) error {
	if !v.IsValid() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if done, err := e.ownMethod(v); done {
		return err
	}
	switch v.Kind() {
	case reflect.Bool:
		e.buf = strconv.AppendBool(e.buf, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = strconv.AppendInt(e.buf, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.buf = strconv.AppendUint(e.buf, v.Uint(), 10)
	case reflect.String:
		if v.Type() == numberType {
			return e.delegate(v) // written as the number it holds
		}
		return e.string(v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		return e.value(v.Elem())
	case reflect.Struct:
		return e.object(v)
	case reflect.Map:
		return e.mapping(v)
	case reflect.Slice:
		if v.IsNil() {
			e.buf = append(e.buf, "null"...)
			return nil
		}
		if bytesAsBase64(v.Type()) {
			e.buf = strconv.AppendQuote(e.buf, base64.StdEncoding.EncodeToString(v.Bytes()))
			return nil
		}
		return e.array(v)
	case reflect.Array:
		return e.array(v)
	default:
		return e.delegate(v) // floats and what JSON has no form for: encoding/json's answer
	}
	return nil
}

// The methods a type's values may encode themselves with: its own, or
// its pointer's (which a value can use only when it has an address).
const (
	ownJSON = 1 << iota
	ptrJSON
	ownText
	ptrText
)

// ownMethod encodes v through its MarshalJSON or MarshalText, in the
// order encoding/json tries them.
func (e *encoder) ownMethod(v reflect.Value) (bool, error) {
	m := e.methods(v.Type())
	switch addr := v.CanAddr(); {
	case m&ptrJSON != 0 && addr:
		return true, e.marshalJSON(v.Addr())
	case m&ownJSON != 0:
		return true, e.marshalJSON(v)
	case m&ptrJSON == 0 && m&ptrText != 0 && addr:
		return true, e.marshalText(v.Addr())
	case m&ownText != 0:
		return true, e.marshalText(v)
	}
	return false, nil
}

// methods are t's, found once per type for the call.
func (e *encoder) methods(t reflect.Type) int {
	if t.PkgPath() == "" && t.Name() != "" {
		return 0 // string, int, bool...: no methods
	}
	if t.Name() == "" && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
		return 0 // nor has []T, [n]T, map[K]V or a pointer to one
	}
	if m, ok := e.methodsOf[t]; ok {
		return m
	}
	m := 0
	if t.Implements(marshalerType) {
		m |= ownJSON
	}
	if t.Implements(textMarshalerType) {
		m |= ownText
	}
	if t.Kind() != reflect.Pointer {
		p := reflect.PointerTo(t)
		if p.Implements(marshalerType) {
			m |= ptrJSON
		}
		if p.Implements(textMarshalerType) {
			m |= ptrText
		}
	}
	if e.methodsOf == nil {
		e.methodsOf = map[reflect.Type]int{}
	}
	e.methodsOf[t] = m
	return m
}

func (e *encoder) marshalJSON(v reflect.Value) error {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	m, ok := v.Interface().(json.Marshaler)
	if !ok { // a nil interface of a type that has the method
		e.buf = append(e.buf, "null"...)
		return nil
	}
	b, err := m.MarshalJSON()
	if err != nil {
		return fmt.Errorf("json: error calling MarshalJSON for type %s: %w", v.Type(), err)
	}
	// encoding/json compacts what a MarshalJSON returns and escapes HTML
	// in it, as in everything it writes; a plain string (a time's) is
	// left as it is by both.
	if plainQuoted(b, "<>&") {
		e.buf = append(e.buf, b...)
		return nil
	}
	var compact, escaped bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return fmt.Errorf("json: error calling MarshalJSON for type %s: %w", v.Type(), err)
	}
	json.HTMLEscape(&escaped, compact.Bytes())
	e.raw(escaped.Bytes())
	return nil
}

func (e *encoder) marshalText(v reflect.Value) error {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	b, err := m.MarshalText()
	if err != nil {
		return fmt.Errorf("json: error calling MarshalText for type %s: %w", v.Type(), err)
	}
	return e.string(string(b))
}

// string quotes s as encoding/json does.
func (e *encoder) string(s string) error {
	e.buf = appendQuoted(e.buf, s)
	return nil
}

func (e *encoder) object(v reflect.Value) error {
	fs, ok := e.members[v.Type()]
	if !ok {
		if fs, ok = fields(v.Type()); !ok {
			return e.delegate(v)
		}
		if e.members == nil {
			e.members = map[reflect.Type][]field{}
		}
		e.members[v.Type()] = fs
	}
	e.buf = append(e.buf, '{')
	n := 0
	for _, f := range fs {
		fv, ok := fieldOf(v, f.index)
		if !ok || f.omitEmpty && empty(fv) {
			continue
		}
		e.item(n)
		n++
		e.key(f.name)
		if err := e.value(fv); err != nil {
			return err
		}
	}
	e.end(n, '}')
	return nil
}

// fieldOf is the field at index, false through a nil embedded pointer
// (such a member is left out, as encoding/json does).
func fieldOf(v reflect.Value, index []int) (reflect.Value, bool) {
	for i, x := range index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v, true
}

// empty is omitempty's test.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0 // -0 too
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

func (e *encoder) mapping(v reflect.Value) error {
	if v.IsNil() {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	if v.Type().Key().Kind() != reflect.String || v.Type().Key().Implements(textMarshalerType) {
		return e.delegate(v)
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		switch {
		case a.String() < b.String():
			return -1
		case a.String() > b.String():
			return 1
		}
		return 0
	})
	e.buf = append(e.buf, '{')
	for i, k := range keys {
		e.item(i)
		e.key(k.String())
		if err := e.value(v.MapIndex(k)); err != nil {
			return err
		}
	}
	e.end(len(keys), '}')
	return nil
}

func (e *encoder) array(v reflect.Value) error {
	e.buf = append(e.buf, '[')
	n := v.Len()
	for i := 0; i < n; i++ {
		e.item(i)
		if err := e.value(v.Index(i)); err != nil {
			return err
		}
	}
	e.end(n, ']')
	return nil
}

// bytesAsBase64 tells whether encoding/json writes a slice of t as a
// base64 string: bytes without JSON or text methods of their own.
func bytesAsBase64(t reflect.Type) bool {
	if t.Elem().Kind() != reflect.Uint8 {
		return false
	}
	p := reflect.PointerTo(t.Elem())
	return !p.Implements(marshalerType) && !p.Implements(textMarshalerType)
}

// delegate has encoding/json encode v: for what this package does not
// walk itself, at the price of encoding/json's entry for v's type.
func (e *encoder) delegate(v reflect.Value) error {
	if v.CanAddr() {
		v = v.Addr() // so that methods of *T inside it are found, as they would be
	}
	b, err := json.Marshal(v.Interface())
	e.raw(b)
	return err
}
