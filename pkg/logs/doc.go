// Package logs stores container output the way kubelet and containerd do and
// reads it back for `logs`, `logs --tail`, `logs -f` and `logs -p`.
//
// Each file holds one container instance. Every record is one line:
//
//	<RFC3339Nano timestamp> <stdout|stderr> <P|F> <content>\n
//
// A line longer than MaxLineSize is split into P (partial) records and a
// final F record; content left without a newline when the stream closes is
// written as an F record. Files live at
// <root>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log.
//
// It is a leaf package: it imports no other minipod package.
package logs
