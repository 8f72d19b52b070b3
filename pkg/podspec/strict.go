package podspec

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// walker checks a YAML tree against one of our Go types, field by field, so
// that every unknown field and wrong type is reported with its
// full path (encoding/json reports the first one, without a path). It returns
// a normalised tree that encoding/json then decodes without surprises:
// dropped fields removed, quantities turned into strings.
type walker struct {
	errs  errList
	warns []string
}

func fieldPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

func (w *walker) typeError(path, want string, v any) {
	w.errs.add(&FieldError{Path: path, Kind: "Invalid type",
		Detail: fmt.Sprintf("expected %s, got %s", want, typeName(v))})
}

// value dispatches on the Go type; nil (YAML null) is always accepted, as
// encoding/json leaves the zero value for it.
func (w *walker) value(path string, t reflect.Type, quantity bool, v any) any {
	if v == nil {
		return nil
	}
	if t == rawMessageType || t.Kind() == reflect.Interface {
		return plain(v)
	}
	if t == intOrStringType {
		return w.intOrString(path, v)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return w.value(path, t.Elem(), quantity, v)
	case reflect.Struct:
		return w.object(path, t, v)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return w.bytes(path, v)
		}
		return w.list(path, t.Elem(), quantity, v)
	case reflect.Map:
		return w.dict(path, t.Elem(), quantity, v)
	case reflect.String:
		if quantity {
			return w.quantity(path, v)
		}
		return w.scalar(path, "string", v)
	case reflect.Bool:
		return w.scalar(path, "boolean", v)
	case reflect.Int32, reflect.Int64:
		return w.integer(path, t.Bits(), v)
	}
	panic(fmt.Sprintf("podspec: no schema rule for %s", t))
}

func (w *walker) object(path string, t reflect.Type, v any) any {
	obj, ok := v.(object)
	if !ok {
		w.typeError(path, "object", v)
		return nil
	}
	fields := structFields(t)
	out := make(map[string]any, len(obj))
	for _, p := range obj {
		fp := fieldPath(path, p.key)
		f, ok := fields[p.key]
		if !ok {
			w.errs.add(&FieldError{Path: fp, Kind: "unknown field"})
			continue
		}
		if val, keep := w.field(fp, f, p.val); keep {
			out[p.key] = val
		}
	}
	return out
}

// field type-checks one field, then applies its class.
func (w *walker) field(path string, f fieldInfo, v any) (any, bool) {
	val := w.value(path, f.typ, f.quantity, v)
	switch f.class {
	case classWarn:
		if isSet(f, v) {
			w.warns = append(w.warns, path+": accepted but ignored on one node")
		}
	case classDrop:
		if v != nil {
			w.warns = append(w.warns, path+": ignored on input (it is set by minipod)")
		}
		return nil, false
	case classReject:
		if isSet(f, v) {
			w.errs.add(rejected(path, f.why))
		}
	case classYet:
		if isSet(f, v) {
			w.errs.add(notSupported(path, "not supported yet"))
		}
	}
	return val, true
}

func (w *walker) list(path string, elem reflect.Type, quantity bool, v any) any {
	items, ok := v.([]any)
	if !ok {
		w.typeError(path, "array", v)
		return nil
	}
	out := make([]any, len(items))
	for i, item := range items {
		out[i] = w.value(fmt.Sprintf("%s[%d]", path, i), elem, quantity, item)
	}
	return out
}

// dict checks a map; Kubernetes writes map entries as path[key]. A null
// quantity in a resource list is a zero Quantity to Kubernetes, so it is
// "0" here rather than an empty string.
func (w *walker) dict(path string, elem reflect.Type, quantity bool, v any) any {
	obj, ok := v.(object)
	if !ok {
		w.typeError(path, "object", v)
		return nil
	}
	out := make(map[string]any, len(obj))
	for _, p := range obj {
		kp := fmt.Sprintf("%s[%s]", path, p.key)
		if quantity && p.val == nil {
			out[p.key] = "0"
			continue
		}
		out[p.key] = w.value(kp, elem, quantity, p.val)
	}
	return out
}

func (w *walker) scalar(path, want string, v any) any {
	ok := false
	switch v.(type) {
	case string:
		ok = want == "string"
	case bool:
		ok = want == "boolean"
	}
	if !ok {
		w.typeError(path, want, v)
		return nil
	}
	return v
}

func (w *walker) integer(path string, bits int, v any) any {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case uint64: // above MaxInt64
		w.errs.add(invalid(path, strconv.FormatUint(x, 10), "out of range for a 64-bit integer"))
		return nil
	case float64:
		if x != math.Trunc(x) {
			w.typeError(path, "integer", v)
			return nil
		}
		// float64(MaxInt64) rounds up to 2^63, which int64 cannot hold: the
		// bounds are exact powers of two, compared as floats.
		if x >= 1<<63 || x < -(1<<63) {
			w.errs.add(invalid(path, strconv.FormatFloat(x, 'g', -1, 64), "out of range for a 64-bit integer"))
			return nil
		}
		n = int64(x)
	default:
		w.typeError(path, "integer", v)
		return nil
	}
	if bits == 32 && (n < math.MinInt32 || n > math.MaxInt32) {
		w.errs.add(invalid(path, strconv.FormatInt(n, 10), "out of range for a 32-bit integer"))
		return nil
	}
	return n
}

// quantity accepts a string or a number, as resource.Quantity does, and
// keeps it as a string.
func (w *walker) quantity(path string, v any) any {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case int64:
		s = strconv.FormatInt(x, 10)
	case uint64:
		s = strconv.FormatUint(x, 10)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		w.typeError(path, "quantity (string or number)", v)
		return nil
	}
	if _, err := parseQuantity(s); err != nil {
		w.errs.add(invalid(path, s, err.Error()))
		return nil
	}
	return s
}

// bytes accepts base64 text, as encoding/json does for []byte.
func (w *walker) bytes(path string, v any) any {
	s, ok := v.(string)
	if !ok {
		w.typeError(path, "base64 string", v)
		return nil
	}
	if _, err := base64.StdEncoding.DecodeString(s); err != nil {
		// The API server's words, without the value: a Secret's data
		// pasted in plain text must not end up in a terminal or CI log.
		w.errs.add(&FieldError{Path: path, Kind: "Invalid value", Detail: "illegal base64 data at input byte " + strconv.FormatInt(int64(err.(base64.CorruptInputError)), 10)})
		return nil
	}
	return s
}

var intOrStringType = reflect.TypeFor[IntOrString]()

// intOrString accepts a whole number in the int32 range or a string.
func (w *walker) intOrString(path string, v any) any {
	if s, ok := v.(string); ok {
		return s
	}
	n := w.integer(path, 32, v)
	if n == nil {
		return nil
	}
	return n
}
