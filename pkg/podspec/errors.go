package podspec

import (
	"errors"
	"fmt"
	"strings"
)

// FieldError is one problem with one field, formatted like Kubernetes'
// field.Error so that messages read the same as the API server's.
type FieldError struct {
	Path   string // e.g. spec.containers[0].image
	Kind   string // e.g. "Required value", "Invalid value"
	Value  string // quoted into the message when HasVal
	HasVal bool
	Raw    bool // Value is printed as is: a number, a boolean or JSON
	Detail string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	b.WriteString(": ")
	b.WriteString(e.Kind)
	switch {
	case e.HasVal && e.Raw:
		b.WriteString(": ")
		b.WriteString(e.Value)
	case e.HasVal:
		fmt.Fprintf(&b, ": %q", e.Value)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

func required(path, detail string) *FieldError {
	return &FieldError{Path: path, Kind: "Required value", Detail: detail}
}

func invalid(path, value, detail string) *FieldError {
	return &FieldError{Path: path, Kind: "Invalid value", Value: value, HasVal: true, Detail: detail}
}

// invalidRaw is invalid for a value the API server prints unquoted: a
// number (-1), a boolean (true) or an object as JSON.
func invalidRaw(path, value, detail string) *FieldError {
	e := invalid(path, value, detail)
	e.Raw = true
	return e
}

func duplicate(path, value string) *FieldError {
	return &FieldError{Path: path, Kind: "Duplicate value", Value: value, HasVal: true}
}

func notFound(path, value string) *FieldError {
	return &FieldError{Path: path, Kind: "Not found", Value: value, HasVal: true}
}

// tooLong is the API server's field.TooLong, whose message keeps its
// value out and says "bytes" even of a list's items (Kubernetes 1.35).
func tooLong(path string, most int) *FieldError {
	return &FieldError{Path: path, Kind: "Too long", Detail: fmt.Sprintf("may not be more than %d bytes", most)}
}

func forbidden(path, detail string) *FieldError {
	return &FieldError{Path: path, Kind: "Forbidden", Detail: detail}
}

func unsupported(path, value string, supported ...string) *FieldError {
	quoted := make([]string, len(supported))
	for i, s := range supported {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return &FieldError{Path: path, Kind: "Unsupported value", Value: value, HasVal: true,
		Detail: "supported values: " + strings.Join(quoted, ", ")}
}

// notSupported reports a Kubernetes field minipod does not implement; it has
// no Kind so the message is exactly "<path>: not supported".
func notSupported(path, detail string) *FieldError {
	return &FieldError{Path: path, Kind: detail}
}

// rejected is notSupported with an optional reason: "<path>: not
// supported[: why]".
func rejected(path, why string) *FieldError {
	return &FieldError{Path: path, Kind: "not supported", Detail: why}
}

// errList collects field errors; nil entries are skipped so checks can
// return optional errors without ceremony.
type errList []error

func (l *errList) add(errs ...error) {
	for _, e := range errs {
		if e != nil && !isNilFieldError(e) {
			*l = append(*l, e)
		}
	}
}

// isNilFieldError catches a typed nil *FieldError stored in an error.
func isNilFieldError(e error) bool {
	fe, ok := e.(*FieldError)
	return ok && fe == nil
}

func (l errList) err() error {
	return errors.Join(l...)
}

// prefixed wraps every error in err with a document or pod label, so that a
// multi-document file says which object is wrong.
func prefixed(prefix string, errs []error) []error {
	if prefix == "" {
		return errs
	}
	out := make([]error, len(errs))
	for i, e := range errs {
		out[i] = fmt.Errorf("%s: %w", prefix, e)
	}
	return out
}
