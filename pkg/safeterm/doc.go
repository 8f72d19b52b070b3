// Package safeterm keeps text that containers and manifests wrote from
// acting on the terminal it is printed to. A container decides its
// termination message and its probes' output, which `describe` shows; a
// manifest decides an image name; escape sequences in them could retitle
// the operator's window, rewrite what the screen shows, or on some
// terminals answer with input of their own. Printed through safeterm,
// every control character but newline and tab arrives as an escape
// (\u001b), which is also how JSON and YAML double-quoted strings write
// it: their output keeps its meaning.
package safeterm
