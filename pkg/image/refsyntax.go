package image

// The reference grammar of docker's distribution/reference, checked by
// hand. As regular expressions (refsyntax_test.go holds them, and checks
// these functions against them) they cost a fresh process 1-3 ms to
// compile and run the first time, and every `up` and every pod monitor
// parses references on its way to starting containers.

// validTag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
func validTag(s string) bool {
	if s == "" || len(s) > 128 || !isAlnum(s[0]) && s[0] != '_' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// validDigest: sha256:[a-f0-9]{64}
func validDigest(s string) bool {
	const prefix = "sha256:"
	if len(s) != len(prefix)+64 || s[:len(prefix)] != prefix {
		return false
	}
	for i := len(prefix); i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validDomain: a host name (dot-separated labels of letters and digits,
// hyphens inside a label) or a bracketed IPv6 address ([0-9a-fA-F:.]+),
// then an optional :port of digits.
func validDomain(s string) bool {
	host := s
	if i := lastColonOutsideBrackets(s); i >= 0 {
		port := s[i+1:]
		if port == "" || !allDigits(port) {
			return false
		}
		host = s[:i]
	}
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		inner := host[1 : len(host)-1]
		if inner == "" {
			return false
		}
		for i := 0; i < len(inner); i++ {
			if c := inner[i]; !isHex(c) && c != ':' && c != '.' {
				return false
			}
		}
		return true
	}
	return host != "" && every(splitByte(host, '.'), validLabel)
}

// validLabel: [a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?
func validLabel(l string) bool {
	if l == "" || !isAlnum(l[0]) || !isAlnum(l[len(l)-1]) {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// validPath: components separated by '/', each runs of [a-z0-9] joined by
// exactly one of ".", "_", "__" or a run of "-".
func validPath(s string) bool {
	return s != "" && every(splitByte(s, '/'), validComponent)
}

func validComponent(c string) bool {
	if c == "" || !isLowerAlnum(c[0]) || !isLowerAlnum(c[len(c)-1]) {
		return false
	}
	for i := 0; i < len(c); {
		if isLowerAlnum(c[i]) {
			i++
			continue
		}
		// A separator: where it ends, a run of [a-z0-9] must follow
		// (the last byte is one, so there is always a next byte).
		j := i
		switch c[i] {
		case '.':
			j++
		case '_':
			j++
			if c[j] == '_' {
				j++
			}
		case '-':
			for c[j] == '-' {
				j++
			}
		default:
			return false
		}
		if !isLowerAlnum(c[j]) {
			return false
		}
		i = j
	}
	return true
}

// lastColonOutsideBrackets is the index of the port's colon, or -1.
func lastColonOutsideBrackets(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ':':
			return i
		case ']':
			return -1
		}
	}
	return -1
}

// every reports whether ok holds for each of parts.
func every(parts []string, ok func(string) bool) bool {
	for _, p := range parts {
		if !ok(p) {
			return false
		}
	}
	return true
}

func splitByte(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }
func isAlnum(c byte) bool      { return isLowerAlnum(c) || 'A' <= c && c <= 'Z' }
func isHex(c byte) bool        { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
