package main

// userNSEntry is the program's entry point, in entry_amd64.s; Go code
// never calls it.
func userNSEntry()

// entryResult is what userNSEntry left: see ctrinit.Enter.
func entryResult() (user, mount, userns int64)

// spawnEntry is the entry point's spawn role, in spawn_amd64.s; Go code
// never calls it.
func spawnEntry()

// isRole and report are helpers of the entry points; Go code never calls
// them.
func isRole()
func report()
