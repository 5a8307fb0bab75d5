package bench

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestReadProcStatus(t *testing.T) {
	m, err := readProcStatus(filepath.Join("testdata", "proc-status.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS != 30720<<10 || m.HWM != 61440<<10 {
		t.Fatalf("got %+v, want RSS 30 MiB, HWM 60 MiB", m)
	}
	if _, err := readProcStatus(filepath.Join("testdata", "missing")); err == nil {
		t.Fatal("a missing file gave no error")
	}
}

func TestReadProcMemOfThisProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/<pid>/status is Linux's")
	}
	m, err := ReadProcMem(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS <= 0 || m.HWM < m.RSS {
		t.Fatalf("implausible memory %+v", m)
	}
}

func TestDirSize(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.db"), make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "blobs", "x", "b"), make([]byte, 24), 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := DirSize(dir)
	if err != nil || n != 1024 {
		t.Fatalf("DirSize = %d, %v; want 1024", n, err)
	}
	if _, err := DirSize(filepath.Join(dir, "nope")); err == nil {
		t.Fatal("a missing directory gave no error")
	}
}
