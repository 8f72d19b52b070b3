package leanjson

import (
	"strings"
	"unicode/utf8"
)

// appendQuoted appends s as a JSON string the way encoding/json writes
// one: control characters, quotes and backslashes escaped, and also <, >
// and & (HTML), U+2028 and U+2029 (JavaScript), with each byte of invalid
// UTF-8 replaced by U+FFFD.
func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for len(s) > 0 {
		n := plainPrefix(s)
		dst = append(dst, s[:n]...)
		if s = s[n:]; s == "" {
			break
		}
		r, size := utf8.DecodeRuneInString(s)
		dst = appendEscape(dst, r, size)
		s = s[size:]
	}
	return append(dst, '"')
}

// plainPrefix is how many leading bytes of s need no escape.
func plainPrefix(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || strings.IndexByte(`"\<>&`, c) >= 0 {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return i
		}
		i += size
	}
	return len(s)
}

// appendEscape writes the escape of the rune r, size bytes long in its
// string (an invalid byte is RuneError of size 1).
func appendEscape(dst []byte, r rune, size int) []byte {
	const hexDigits = "0123456789abcdef"
	switch {
	case r == utf8.RuneError && size == 1:
		return append(dst, `\ufffd`...)
	case r == '"' || r == '\\':
		return append(dst, '\\', byte(r))
	}
	if short := strings.IndexRune("\b\f\n\r\t", r); short >= 0 {
		return append(dst, '\\', "bfnrt"[short])
	}
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
