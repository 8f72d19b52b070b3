// Package leanjson encodes and decodes JSON exactly as encoding/json does,
// without keeping anything per type. encoding/json caches every type it
// meets for the life of the process: a pod's spec, the OCI runtime spec
// and the state record come to about 350 KB of caches, and a pod's
// long-lived monitor would carry over half a megabyte of heap to its end
// for what it uses once at start-up. Here each call walks the value it is
// given and forgets what it learnt of the types. What this package does
// not walk itself (floats, json.Number, maps without string keys, struct
// fields with ",string" or "omitzero", unexported embedded structs, and
// on decoding every value that holds no struct) is left to encoding/json,
// whose caches for those types are small.
package leanjson

import (
	"reflect"
	"slices"
	"strings"
	"unicode"
)

// field is one JSON member of a struct type.
type field struct {
	name      string
	index     []int
	omitEmpty bool
	tagged    bool
	depth     int
}

// fields lists t's JSON members in encoding/json's order and by its rules:
// exported fields under their tag's name, "-" left out, the fields of an
// embedded struct without a tag name promoted, and of several members of
// one name the shallowest wins, then the one tagged, and otherwise none.
// ok is false where encoding/json does what this package does not (the
// "string" and "omitzero" options, fields of unexported embedded
// structs): the caller then hands the whole value to encoding/json.
func fields(t reflect.Type) (out []field, ok bool) {
	all := make([]field, 0, t.NumField())
	if !collect(t, nil, 0, &all, nil) {
		return nil, false
	}
	n := 0
	for _, f := range all {
		if dominant(f, all) {
			n++
		}
	}
	if n == len(all) {
		return all, true // no name taken twice: the common case
	}
	out = make([]field, 0, n)
	for _, f := range all {
		if dominant(f, all) {
			out = append(out, f)
		}
	}
	return out, true
}

// collect appends t's members, depth first, which is the order of their
// index paths that encoding/json sorts by. seen holds the structs it is
// inside of.
func collect(t reflect.Type, index []int, depth int, all *[]field, seen []reflect.Type) bool {
	if slices.Contains(seen, t) {
		return true // a struct embedded again below itself adds nothing
	}
	seen = append(seen, t)
	// Every field's index path in one allocation: the path to t, then
	// the field's number.
	width := len(index) + 1
	paths := make([]int, t.NumField()*width)
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" || !sf.IsExported() && !sf.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if hasOption(opts, "string") || hasOption(opts, "omitzero") {
			return false
		}
		if !validName(name) {
			name = ""
		}
		ft := sf.Type
		if ft.Name() == "" && ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		idx := paths[i*width : (i+1)*width : (i+1)*width]
		copy(idx, index)
		idx[len(index)] = i
		if sf.Anonymous {
			if !sf.IsExported() {
				if ft.Kind() == reflect.Struct {
					return false // reachable only through reflection's back door
				}
				continue
			}
			if name == "" && ft.Kind() == reflect.Struct {
				if !collect(ft, idx, depth+1, all, seen) {
					return false
				}
				continue
			}
		}
		f := field{name: name, index: idx, omitEmpty: hasOption(opts, "omitempty"), tagged: name != "", depth: depth}
		if f.name == "" {
			f.name = sf.Name
		}
		*all = append(*all, f)
	}
	return true
}

// dominant tells whether f is the member that stands for its name.
func dominant(f field, all []field) bool {
	for _, g := range all {
		if g.name != f.name || sameField(g, f) {
			continue
		}
		if g.depth < f.depth || g.depth == f.depth && (g.tagged || !f.tagged) {
			return false
		}
	}
	return true
}

func sameField(a, b field) bool {
	if len(a.index) != len(b.index) {
		return false
	}
	for i := range a.index {
		if a.index[i] != b.index[i] {
			return false
		}
	}
	return true
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// validName is encoding/json's test of a tag's name (letters, digits and
// punctuation but quotes and backslashes); another name means the field's
// own.
func validName(s string) bool {
	const punctuation = "!#$%&()*+-./:;<=>?@[]^_{|}~ "
	return s != "" && strings.IndexFunc(s, func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune(punctuation, c)
	}) < 0
}
