package main

import (
	"os"
	"testing"
)

func TestStatFaults(t *testing.T) {
	// A command name with a space and a parenthesis: only the last ")"
	// ends it.
	line := "4242 (sh -c) x) S 1 4242 4242 0 -1 4194560 713 0 0 0 12 3 0 0 20 0 1 0\n"
	got, err := statFaults(line)
	if err != nil || got != 713 {
		t.Fatalf("statFaults = %d, %v; want 713", got, err)
	}
	if _, err := statFaults("4242 (sh) S 1 2"); err == nil {
		t.Fatal("a short line was read")
	}
}

func TestProcessWork(t *testing.T) {
	w, err := processWork(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// A Go test binary has faulted in its runtime and spent CPU by now.
	if w.faults <= 0 || w.cpu <= 0 {
		t.Fatalf("processWork of this process = %+v", w)
	}
}
