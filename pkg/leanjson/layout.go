package leanjson

import (
	"bytes"
	"encoding/json"
	"strings"
)

// item starts member or element i of an object or array: a comma after
// the one before it, and in indented output a line of its own (the first
// one a level deeper).
func (e *encoder) item(i int) {
	if i > 0 {
		e.buf = append(e.buf, ',')
	} else {
		e.level++
	}
	e.newline()
}

// key writes a member's name and the colon after it.
func (e *encoder) key(name string) {
	e.buf = appendQuoted(e.buf, name)
	e.buf = append(e.buf, ':')
	if e.indented {
		e.buf = append(e.buf, ' ')
	}
}

// end closes an object or array of n members or elements: an empty one
// stays on its line ({} or []), as encoding/json writes it.
func (e *encoder) end(n int, c byte) {
	if n > 0 {
		e.level--
		e.newline()
	}
	e.buf = append(e.buf, c)
}

func (e *encoder) newline() {
	if !e.indented {
		return
	}
	e.buf = append(e.buf, '\n')
	e.buf = append(e.buf, e.prefix...)
	for range e.level {
		e.buf = append(e.buf, e.indent...)
	}
}

// raw appends JSON that encoding/json wrote compact, indented to where it
// lands.
func (e *encoder) raw(b []byte) {
	if !e.indented || len(b) == 0 || b[0] != '{' && b[0] != '[' {
		e.buf = append(e.buf, b...)
		return
	}
	var out bytes.Buffer
	if json.Indent(&out, b, e.prefix+strings.Repeat(e.indent, e.level), e.indent) != nil {
		e.buf = append(e.buf, b...) // cannot happen: encoding/json wrote it
		return
	}
	e.buf = append(e.buf, out.Bytes()...)
}
