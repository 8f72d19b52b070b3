//go:build !amd64

package main

import "errors"

func ptraceKeyctl([]string) error {
	return errors.New("ptrace-keyctl is written for amd64 only")
}

func seizeNew([]string) error {
	return errors.New("seize-new is written for amd64 only")
}
