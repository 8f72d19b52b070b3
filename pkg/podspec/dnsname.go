package podspec

import "strings"

// The DNS name rules are checked by hand, not by regular expressions: a
// pod's monitor checks names while it starts the pod (the namespaces of
// the store, every pod's record on a Services sync), and compiling the
// expression and its backtracker's state cost it ~80 KB of heap.

// IsDNS1123Label reports whether s is a lowercase RFC 1123 label:
// [a-z0-9]([-a-z0-9]*[a-z0-9])?, of any length.
func IsDNS1123Label(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !lowerAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

// IsDNS1123Subdomain reports whether s is RFC 1123 labels joined by dots,
// of any length.
func IsDNS1123Subdomain(s string) bool {
	for label := range strings.SplitSeq(s, ".") {
		if !IsDNS1123Label(label) {
			return false
		}
	}
	return true
}

// isDNS1035Label reports whether s is an RFC 1035 label:
// [a-z]([-a-z0-9]*[a-z0-9])?, of any length.
func isDNS1035Label(s string) bool {
	return IsDNS1123Label(s) && s[0] >= 'a' && s[0] <= 'z'
}

func lowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
