package podspec

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// class says what minipod does with a Kubernetes field (see the package doc).
type class int

const (
	classImplemented class = iota
	classWarn              // accepted, warned about, kept
	classDrop              // accepted, warned about, discarded
	classReject            // "not supported" when set
	classYet               // "not supported yet" when set
)

func (c class) String() string {
	return [...]string{"implemented", "warned", "dropped", "rejected", "rejected (yet)"}[c]
}

// fieldInfo is one json field of one of our types.
type fieldInfo struct {
	name     string
	typ      reflect.Type
	class    class
	emptyOK  bool   // for reject: {} and [] count as unset
	quantity bool   // string values are resource quantities
	why      string // for reject: the reason, from the field's why tag
}

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	fieldCache     sync.Map // reflect.Type -> map[string]fieldInfo
)

// structFields returns the json fields of t, with inline (anonymous,
// untagged) structs flattened as encoding/json does.
func structFields(t reflect.Type) map[string]fieldInfo {
	if cached, ok := fieldCache.Load(t); ok {
		return cached.(map[string]fieldInfo)
	}
	fields := map[string]fieldInfo{}
	collectFields(t, fields)
	fieldCache.Store(t, fields)
	return fields
}

func collectFields(t reflect.Type, into map[string]fieldInfo) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			collectFields(f.Type, into)
			continue
		}
		into[name] = parseFieldTag(name, f)
	}
}

func parseFieldTag(name string, f reflect.StructField) fieldInfo {
	info := fieldInfo{name: name, typ: f.Type, why: f.Tag.Get("why")}
	for _, opt := range strings.Split(f.Tag.Get("minipod"), ",") {
		switch opt {
		case "warn":
			info.class = classWarn
		case "drop":
			info.class = classDrop
		case "reject":
			info.class = classReject
		case "yet":
			info.class = classYet
		case "emptyok":
			info.emptyOK = true
		case "quantity":
			info.quantity = true
		}
	}
	return info
}

// isSet reports whether a field's input value asks for something. For typed
// fields the zero value (false, 0, "") is the Kubernetes default and so not a
// request; for raw fields anything but null is one.
func isSet(f fieldInfo, v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case object:
		return !(f.emptyOK && len(x) == 0)
	case []any:
		return !(f.emptyOK && len(x) == 0)
	}
	if f.typ == rawMessageType {
		return true
	}
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != ""
	case int64:
		return x != 0
	case float64:
		return x != 0
	}
	return true
}
