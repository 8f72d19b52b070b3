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
// <root>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log, in
// directories only root can enter (0700; files 0600).
//
// With a size limit the file is rotated as the kubelet rotates it: renamed
// to <restartCount>.log.<YYYYMMDD-hhmmss> (UTC; ".<n>" added for more than
// one rotation in a second) before a record would take it over the limit,
// so no record spans two files, and replaced by a new file. At most
// MaxFiles files per instance remain; rotated files but the newest are
// gzipped in the background (".gz"). Readers take an instance's rotated
// files, oldest first, then its current file; followers move on to the new
// file when the one they read is renamed away.
//
// It is a leaf package: it imports no other minipod package.
package logs
