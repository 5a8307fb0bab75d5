package bench

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ProcMem is a process's memory as Linux reports it in /proc/<pid>/status.
type ProcMem struct {
	RSS int64 // VmRSS: resident now, in bytes
	HWM int64 // VmHWM: peak resident, in bytes
}

// ReadProcMem reads VmRSS and VmHWM of process pid (Linux only).
func ReadProcMem(pid int) (ProcMem, error) {
	return readProcStatus(filepath.Join("/proc", strconv.Itoa(pid), "status"))
}

func readProcStatus(path string) (ProcMem, error) {
	f, err := os.Open(path)
	if err != nil {
		return ProcMem{}, fmt.Errorf("read server memory: %w", err)
	}
	defer f.Close()
	var m ProcMem
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return ProcMem{}, fmt.Errorf("read server memory: %s: %w", name, err)
		}
		if name == "VmRSS" {
			m.RSS = kb << 10
		} else {
			m.HWM = kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		return ProcMem{}, fmt.Errorf("read server memory: %w", err)
	}
	if m.RSS == 0 {
		return ProcMem{}, fmt.Errorf("read server memory: no VmRSS in %s", path)
	}
	return m, nil
}

// DirSize sums the sizes of the regular files under dir (the database and
// its WAL, blobs, keys: everything the server keeps there).
func DirSize(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", dir, err)
	}
	return total, nil
}
