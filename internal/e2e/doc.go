// Package e2e holds tests that run the real hearth binary as a child
// process: crash safety (SIGKILL during writes) and start-up. TestMain
// builds the binary once, or uses HEARTH_TEST_BINARY when set.
package e2e
