package keys

// Tests of OSKeychain against a real Secret Service (gnome-keyring) and real
// D-Bus failures. The Secret Service tests run when HEARTH_TEST_KEYRING is
// set, normally through scripts/keyring-test.sh, which starts a private
// session bus with an unlocked gnome-keyring; they then fail, not skip, if
// the keychain does not work. Without HEARTH_TEST_KEYRING they skip, except
// under CI=true, where they fail so that CI cannot pass without them.
//
// godbus keeps one shared session bus connection per process, so tests that
// need a different bus (none, a dead one, one without a Secret Service, one
// with a locked keyring) probe from a child process: this test binary run
// again with HEARTH_KEYS_PROBE_CHILD=1, which TestMain turns into a single
// ProbeKeychain call.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if os.Getenv("HEARTH_KEYS_PROBE_CHILD") == "1" {
		probeChild()
		return
	}
	os.Exit(m.Run())
}

// probeChild prints the outcome of one ProbeKeychain(OSKeychain{}) call:
// "probe: ok" or "probe: unavailable: <reason>", then the error.
func probeChild() {
	start := time.Now()
	err := ProbeKeychain(OSKeychain{})
	var ue *KeychainUnavailableError
	switch {
	case err == nil:
		fmt.Println("probe: ok")
	case errors.As(err, &ue):
		fmt.Printf("probe: unavailable: %s\nerror: %v\n", ue.Reason, err)
	default:
		fmt.Printf("probe: other error: %v\n", err)
	}
	fmt.Printf("elapsed: %s\n", time.Since(start))
}

// probeInChild runs probeChild in a new process whose environment is this
// one's without the D-Bus and display variables, plus env.
func probeInChild(t *testing.T, env ...string) (out string, elapsed time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "HEARTH_TEST_KEYRING":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "HEARTH_KEYS_PROBE_CHILD=1")
	cmd.Env = append(cmd.Env, env...)
	start := time.Now()
	b, err := cmd.CombinedOutput()
	elapsed = time.Since(start)
	if err != nil {
		t.Fatalf("probe child: %v\n%s", err, b)
	}
	t.Logf("probe child (%s):\n%s", elapsed.Round(time.Millisecond), b)
	return string(b), elapsed
}

// requireKeyring skips or fails a test that needs the real Secret Service,
// as the file comment says, and checks that the keychain works.
func requireKeyring(t *testing.T) {
	t.Helper()
	switch {
	case os.Getenv("HEARTH_TEST_KEYRING") != "":
		if err := ProbeKeychain(OSKeychain{}); err != nil {
			t.Fatalf("HEARTH_TEST_KEYRING is set but the keychain is unusable: %v", err)
		}
	case os.Getenv("CI") == "true":
		t.Fatal("CI=true but HEARTH_TEST_KEYRING is not set: the real keychain tests must run; run them through scripts/keyring-test.sh")
	default:
		t.Skip("real Secret Service test: run scripts/keyring-test.sh (or set HEARTH_TEST_KEYRING=1 in a session with an unlocked keyring)")
	}
}

// requireTool returns the path of a program a real-D-Bus test needs: it
// fails when HEARTH_TEST_KEYRING is set (the test environment promises
// it) and skips otherwise.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("D-Bus tests run on Linux")
	}
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("HEARTH_TEST_KEYRING") != "" {
			t.Fatalf("HEARTH_TEST_KEYRING is set but %s is missing: apt-get install dbus-daemon gnome-keyring libsecret-tools", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

// uniqueService returns a keychain service name no other test run uses,
// and deletes its items at the end.
func uniqueService(t *testing.T, users ...string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	svc := "hearth-test-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		for _, u := range users {
			_ = OSKeychain{}.Delete(svc, u)
		}
	})
	return svc
}

// secretToolLookup reads an item with libsecret's secret-tool, a client
// independent of go-keyring, so a test sees what the Secret Service holds.
func secretToolLookup(t *testing.T, service, user string) (string, bool) {
	t.Helper()
	tool := requireTool(t, "secret-tool")
	out, err := exec.Command(tool, "lookup", "service", service, "username", user).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(out) == 0 {
		return "", false // secret-tool exits 1 when nothing matches
	}
	if err != nil {
		t.Fatalf("secret-tool lookup: %v", err)
	}
	return string(out), true
}

func TestOSKeychainRoundTrip(t *testing.T) {
	requireKeyring(t)
	kc := OSKeychain{}
	svc := uniqueService(t, "alice")
	if _, err := kc.Get(svc, "alice"); !errors.Is(err, ErrKeychainNotFound) {
		t.Fatalf("Get before Set: %v, want ErrKeychainNotFound", err)
	}
	if err := kc.Delete(svc, "alice"); !errors.Is(err, ErrKeychainNotFound) {
		t.Fatalf("Delete before Set: %v, want ErrKeychainNotFound", err)
	}
	if err := kc.Set(svc, "alice", "first"); err != nil {
		t.Fatal(err)
	}
	if err := kc.Set(svc, "alice", "second value"); err != nil {
		t.Fatal(err)
	}
	if got, err := kc.Get(svc, "alice"); err != nil || got != "second value" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if got, ok := secretToolLookup(t, svc, "alice"); !ok || got != "second value" {
		t.Fatalf("secret-tool sees %q (found %v), want the stored value", got, ok)
	}
	if err := kc.Delete(svc, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, ok := secretToolLookup(t, svc, "alice"); ok {
		t.Fatal("secret-tool still finds the deleted item")
	}
	if _, err := kc.Get(svc, "alice"); !errors.Is(err, ErrKeychainNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
}

func TestOSKeychainProbe(t *testing.T) {
	requireKeyring(t)
	start := time.Now()
	if err := ProbeKeychain(OSKeychain{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("probe round trip: %s", time.Since(start).Round(time.Millisecond))
	if _, ok := secretToolLookup(t, ProbeService, ProbeUser); ok {
		t.Fatal("the probe item was left in the keyring")
	}
}

func TestOSKeychainMasterKey(t *testing.T) {
	requireKeyring(t)
	kc := OSKeychain{}
	svc := uniqueService(t, "master-key", "bad")
	key, created, err := LoadOrCreateKeychainMasterKey(kc, svc, "master-key")
	if err != nil || !created || len(key) != MasterKeySize {
		t.Fatalf("create: %d bytes, created %v, %v", len(key), created, err)
	}
	if got, ok := secretToolLookup(t, svc, "master-key"); !ok || got != base64.StdEncoding.EncodeToString(key) {
		t.Fatal("the Secret Service does not hold the key as base64")
	}
	again, created, err := LoadOrCreateKeychainMasterKey(kc, svc, "master-key")
	if err != nil || created || !bytes.Equal(again, key) {
		t.Fatalf("reload: created %v, same %v, %v", created, bytes.Equal(again, key), err)
	}
	if err := kc.Set(svc, "bad", base64.StdEncoding.EncodeToString(make([]byte, 16))); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeychainMasterKey(kc, svc, "bad"); !errors.Is(err, ErrKeychainValueInvalid) {
		t.Fatalf("16-byte value: %v, want ErrKeychainValueInvalid", err)
	}
}

func TestOSKeychainDesktopUnlock(t *testing.T) {
	requireKeyring(t)
	svc := uniqueService(t, DefaultKeychainUser)
	opts := DesktopKeyOptions{Keychain: OSKeychain{}, Service: svc, PassphraseFile: filepath.Join(t.TempDir(), "master.key.locked")}
	if st := DesktopKeyState(opts); st != (DesktopKeyStatus{Location: KeyInKeychain}) {
		t.Fatalf("status %+v", st)
	}
	key, loc, err := UnlockDesktopMasterKey(opts, nil)
	if err != nil || loc != KeyInKeychain {
		t.Fatalf("unlock: %s, %v", loc, err)
	}
	opts.HaveData = true // the next start: data exists now
	again, loc, err := UnlockDesktopMasterKey(opts, nil)
	if err != nil || loc != KeyInKeychain || !bytes.Equal(again, key) {
		t.Fatalf("second unlock: %s, same %v, %v", loc, bytes.Equal(again, key), err)
	}
	if _, err := os.Stat(opts.PassphraseFile); !os.IsNotExist(err) {
		t.Fatalf("a passphrase file was written: %v", err)
	}
}

// TestOSKeychainDeadBus: a session bus address that leads nowhere makes the
// probe fail at once, saying it cannot connect.
func TestOSKeychainDeadBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("D-Bus tests run on Linux")
	}
	out, elapsed := probeInChild(t, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/hearth-test-bus")
	if !strings.Contains(out, "probe: unavailable: cannot connect to the D-Bus session bus") {
		t.Fatalf("probe output:\n%s", out)
	}
	if elapsed > 3*time.Second {
		t.Fatalf("probe took %s", elapsed)
	}
}

// TestOSKeychainNoBus: with no session bus advertised, the probe fails at
// once and does not run dbus-launch (which would leave a bus and a keyring
// daemon running): a dbus-launch placed first on PATH records any call.
func TestOSKeychainNoBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("D-Bus tests run on Linux")
	}
	for _, name := range []string{"bus", "dbus-session"} {
		if p := fmt.Sprintf("/run/user/%d/%s", os.Getuid(), name); fileExists(p) {
			t.Skipf("%s exists, so this machine advertises a session bus without DBUS_SESSION_BUS_ADDRESS", p)
		}
	}
	bin := t.TempDir()
	marker := filepath.Join(bin, "dbus-launch-was-run")
	script := "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	out, elapsed := probeInChild(t, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if !strings.Contains(out, "probe: unavailable: there is no D-Bus session bus") {
		t.Fatalf("probe output:\n%s", out)
	}
	if fileExists(marker) {
		t.Fatal("the probe ran dbus-launch")
	}
	if elapsed > 3*time.Second {
		t.Fatalf("probe took %s", elapsed)
	}
}

// startBus starts a private dbus-daemon with the given configuration body
// (inside <busconfig>) and environment, and returns its address. It is
// stopped when the test ends.
func startBus(t *testing.T, config string, env ...string) string {
	t.Helper()
	daemon := requireTool(t, "dbus-daemon")
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	xml := `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=` + filepath.Join(dir, "bus") + `</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
` + config + `
</busconfig>
`
	if err := os.WriteFile(conf, []byte(xml), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(daemon, "--config-file="+conf, "--nofork", "--print-address=1")
	for _, kv := range os.Environ() {
		switch name, _, _ := strings.Cut(kv, "="); name {
		case "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(line)
}

// TestOSKeychainNoSecretService: a session bus on which no Secret Service
// runs or can be activated.
func TestOSKeychainNoSecretService(t *testing.T) {
	addr := startBus(t, "") // no <servicedir>: nothing can be activated
	out, elapsed := probeInChild(t, "DBUS_SESSION_BUS_ADDRESS="+addr)
	if !strings.Contains(out, "probe: unavailable: there is no Secret Service on the D-Bus session bus") {
		t.Fatalf("probe output:\n%s", out)
	}
	if elapsed > 3*time.Second {
		t.Fatalf("probe took %s", elapsed)
	}
}

// TestOSKeychainLockedKeyring: a session bus where gnome-keyring is
// activated on demand, as on a desktop, but nobody unlocked it (no login
// password, no display for a prompt).
func TestOSKeychainLockedKeyring(t *testing.T) {
	requireKeyring(t)
	requireTool(t, "gnome-keyring-daemon")
	data, run := t.TempDir(), t.TempDir()
	addr := startBus(t, "<standard_session_servicedirs/>", "XDG_DATA_HOME="+data, "XDG_RUNTIME_DIR="+run)
	out, _ := probeInChild(t, "DBUS_SESSION_BUS_ADDRESS="+addr, "XDG_DATA_HOME="+data, "XDG_RUNTIME_DIR="+run)
	if !strings.Contains(out, "probe: unavailable: the Secret Service's default keyring is locked") {
		t.Fatalf("probe output:\n%s", out)
	}
}
