package leanjson

import (
	"encoding/json"
	"reflect"
	"strings"
)

// The document is checked once (json.Valid) before it is walked, so the
// values in it can be told apart by their quotes and brackets alone.

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd is the index past the string that starts (with its quote) at i.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd is the index past the value that starts at i.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// members calls each with an object's members in order, values raw.
func members(raw []byte, t reflect.Type, each func(key string, val []byte) error) error {
	if raw[0] != '{' {
		return &json.UnmarshalTypeError{Value: kindOf(raw), Type: t}
	}
	i := skipSpace(raw, 1)
	for i < len(raw) && raw[i] != '}' {
		end := stringEnd(raw, i)
		key, err := unquote(raw[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(raw, skipSpace(raw, end)+1) // past the colon
		end = valueEnd(raw, i)
		if err := each(key, raw[i:end]); err != nil {
			return err
		}
		if i = skipSpace(raw, end); i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return nil
}

// elements are an array's elements, raw.
func elements(raw []byte, t reflect.Type) ([][]byte, error) {
	if raw[0] != '[' {
		return nil, &json.UnmarshalTypeError{Value: kindOf(raw), Type: t}
	}
	var out [][]byte
	i := skipSpace(raw, 1)
	for i < len(raw) && raw[i] != ']' {
		end := valueEnd(raw, i)
		out = append(out, raw[i:end])
		if i = skipSpace(raw, end); i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	return out, nil
}

// unquote is a JSON string's text; only one with escapes or other than
// printable ASCII goes through encoding/json.
func unquote(q []byte) (string, error) {
	if s, ok := plainString(q); ok {
		return s, nil
	}
	var s string
	err := json.Unmarshal(q, &s)
	return s, err
}

// plainString is q's text if q is a quoted string of printable ASCII
// without escapes, whose text is what is between the quotes.
func plainString(q []byte) (string, bool) {
	if !plainQuoted(q, "") {
		return "", false
	}
	return string(q[1 : len(q)-1]), true
}

// plainQuoted reports whether q is a quoted string of printable ASCII
// with no quote, backslash or byte of also between its quotes.
func plainQuoted(q []byte, also string) bool {
	if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
		return false
	}
	for _, c := range q[1 : len(q)-1] {
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' || strings.IndexByte(also, c) >= 0 {
			return false
		}
	}
	return true
}
