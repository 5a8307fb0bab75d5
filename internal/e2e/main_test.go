package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// binary is the hearth executable under test.
var binary string

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	if b := os.Getenv("HEARTH_TEST_BINARY"); b != "" {
		binary = b
		return m.Run(), nil
	}
	dir, err := os.MkdirTemp("", "hearth-e2e-bin")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "hearth")
	build := exec.Command("go", "build", "-o", binary, "github.com/hearthpds/hearth")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("build hearth: %w", err)
	}
	return m.Run(), nil
}

// proc is a running hearth serve.
type proc struct {
	cmd *exec.Cmd
	url string
	log string
}

// startServer runs `hearth serve` with env and waits until it is healthy.
func startServer(t *testing.T, addr string, env []string) *proc {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "hearth.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = logFile.Close()
	p := &proc{cmd: cmd, url: "http://" + addr, log: logPath}
	t.Cleanup(func() { p.kill() })
	if err := waitHealthy(p.url, 30*time.Second); err != nil {
		out, _ := os.ReadFile(logPath)
		t.Fatalf("server not healthy: %v\n%s", err, out)
	}
	return p
}

// kill sends SIGKILL and reaps the process.
func (p *proc) kill() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	_ = p.cmd.Wait()
}

func waitHealthy(url string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/xrpc/_health", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s/xrpc/_health: %v", url, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// quietAddr returns a free loopback port below the kernel's ephemeral range
// (32768–60999 on Linux). A port picked with ":0" and closed again can be
// handed to any other process's next outgoing connection or ":0" listener
// before the program under test binds it (seen in CI: the window's PDS
// failed with "address already in use"); ports below that range are only
// ever taken on purpose.
func quietAddr(t *testing.T) string {
	t.Helper()
	for i := 0; i < 200; i++ {
		port := 20000 + rand.IntN(12000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		ln.Close()
		return ln.Addr().String()
	}
	t.Fatal("no free loopback port between 20000 and 32000")
	return ""
}

// freeAddr returns a loopback address with a free port.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
