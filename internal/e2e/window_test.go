//go:build linux

package e2e

import (
	"bytes"
	endian "encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDesktopWindow opens the real production window (the webkit2_41
// build named by HEARTH_TEST_DESKTOP_BINARY) on the X display in DISPLAY
// (Xvfb in scripts/test.sh), in a fresh data directory:
//
//   - the embedded PDS answers /xrpc/_health on the port settings.toml names
//     (so the keychain opened the master key without a prompt: this needs
//     an unlocked Secret Service, gnome-keyring inside dbus-run-session);
//   - `xdotool search --name Hearth` finds the window;
//   - a screenshot of the screen (`import -window root`) shows a drawn page:
//     at least 5% of the window's pixels differ from its most common colour;
//   - closing the window as a window manager's close button does (the
//     WM_DELETE_WINDOW message) makes the app stop the PDS and exit by itself
//     with status 0 within 15 s, leaving no process of its group behind.
//
// Unset HEARTH_TEST_DESKTOP_BINARY skips the test, except under CI=true.
func TestDesktopWindow(t *testing.T) {
	desktopBin := os.Getenv("HEARTH_TEST_DESKTOP_BINARY")
	if desktopBin == "" {
		msg := "HEARTH_TEST_DESKTOP_BINARY is not set: build the window with `make desktop` and point it at build/bin/hearth (scripts/test.sh does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if os.Getenv("DISPLAY") == "" {
		t.Fatal("HEARTH_TEST_DESKTOP_BINARY is set but DISPLAY is not: run under xvfb-run -a -s '-screen 0 1280x900x24' (scripts/test.sh does)")
	}
	for _, tool := range []string{"xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (apt-get install xdotool imagemagick)", tool)
		}
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Fatal("no D-Bus session: run inside dbus-run-session with an unlocked gnome-keyring (scripts/test.sh does), or the window waits for a passphrase")
	}

	dataDir := t.TempDir()
	addr := quietAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	if err := os.WriteFile(filepath.Join(dataDir, "settings.toml"), []byte("port = "+port+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	shots, err := os.MkdirTemp("", "hearth-window-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots and the app's log: %s", shots)
	logPath := filepath.Join(shots, "hearth.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	appLog := func() string { b, _ := os.ReadFile(logPath); return string(b) }

	cmd := exec.Command(desktopBin, "--data-dir", dataDir)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so whatever it starts (WebKit's web and
	// network processes) can be found and, on failure, killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
		}
	}()

	url := "http://" + addr
	// Wait for the PDS, but stop at once if the app says it could not start.
	healthy := make(chan error, 1)
	go func() { healthy <- waitHealthy(url, 60*time.Second) }()
	err = nil
	for waiting := true; waiting; {
		select {
		case err = <-healthy:
			waiting = false
		case <-time.After(250 * time.Millisecond):
			if strings.Contains(appLog(), "server did not start") {
				err, waiting = errors.New("the app logged that its server did not start"), false
			}
		}
	}
	if err != nil {
		t.Fatalf("the window's PDS did not answer (is the Secret Service unlocked? without one the app waits for a passphrase): %v\napp log:\n%s", err, appLog())
	}
	t.Logf("PDS healthy at %s after %s", url, time.Since(start).Round(time.Millisecond))

	win, err := findWindow("Hearth", 30*time.Second)
	if err != nil {
		t.Fatalf("%v\napp log:\n%s", err, appLog())
	}
	geo, err := windowGeometry(win)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("window %d %v", win, geo)

	// The page is drawn a little after the window maps: take screenshots
	// until it shows, for up to 30 s.
	var shot string
	var inWindow, onScreen float64
	deadline := time.Now().Add(30 * time.Second)
	for i := 1; ; i++ {
		shot = filepath.Join(shots, fmt.Sprintf("window-%d.png", i))
		if out, err := exec.Command("import", "-window", "root", shot).CombinedOutput(); err != nil {
			t.Fatalf("import -window root: %v\n%s", err, out)
		}
		img, err := readPNG(shot)
		if err != nil {
			t.Fatal(err)
		}
		onScreen = differing(img, img.Bounds())
		inWindow = differing(img, geo.Intersect(img.Bounds()))
		if inWindow >= 0.05 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Second)
	}
	t.Logf("screenshot %s: %.1f%% of the window's pixels and %.1f%% of the screen's differ from the most common colour", shot, 100*inWindow, 100*onScreen)
	if inWindow < 0.05 {
		t.Fatalf("the window looks blank: only %.2f%% of its pixels differ from the most common colour (need 5%%); see %s\napp log:\n%s", 100*inWindow, shot, appLog())
	}

	// Close it as a person would (the close button: WM_DELETE_WINDOW).
	if err := closeWindow(os.Getenv("DISPLAY"), win); err != nil {
		t.Fatalf("sending WM_DELETE_WINDOW: %v", err)
	}
	closed := time.Now()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("the app exited with %v after its window was closed\napp log:\n%s", err, appLog())
		}
		t.Logf("exited with status 0 %s after the close", time.Since(closed).Round(time.Millisecond))
	case <-time.After(15 * time.Second):
		t.Fatalf("the app is still running 15 s after its window was closed\napp log:\n%s", appLog())
	}
	// Nothing of its process group is left (WebKit's helper processes
	// end with it), and the PDS is gone.
	var left error
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if left = syscall.Kill(-pgid, 0); errors.Is(left, syscall.ESRCH) {
			break
		}
	}
	if !errors.Is(left, syscall.ESRCH) {
		out, _ := exec.Command("ps", "-o", "pid,ppid,pgid,args", "-g", strconv.Itoa(pgid)).CombinedOutput()
		t.Fatalf("processes of the app's group are left after it exited:\n%s", out)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("the PDS port %s still accepts connections after the app exited", addr)
	}
	if log := appLog(); !strings.Contains(log, "server stopped") {
		t.Logf("note: the app's log does not say the server stopped:\n%s", log)
	}
}

// findWindow waits for a visible window whose title is name (xdotool
// search also lists GTK's unmapped client-leader window, named the same).
func findWindow(name string, limit time.Duration) (uint32, error) {
	deadline := time.Now().Add(limit)
	for {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", "^"+name+"$").Output()
		if err == nil {
			if f := strings.Fields(string(out)); len(f) > 0 {
				id, err := strconv.ParseUint(f[0], 10, 32)
				if err != nil {
					return 0, fmt.Errorf("xdotool search: %q: %v", out, err)
				}
				return uint32(id), nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("xdotool search --name %s found no visible window in %s", name, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// windowGeometry is the window's rectangle on the screen.
func windowGeometry(win uint32) (image.Rectangle, error) {
	out, err := exec.Command("xdotool", "getwindowgeometry", "--shell", strconv.FormatUint(uint64(win), 10)).Output()
	if err != nil {
		return image.Rectangle{}, fmt.Errorf("xdotool getwindowgeometry: %v", err)
	}
	v := map[string]int{}
	for _, line := range strings.Fields(string(out)) {
		k, val, ok := strings.Cut(line, "=")
		if n, err := strconv.Atoi(val); ok && err == nil {
			v[k] = n
		}
	}
	r := image.Rect(v["X"], v["Y"], v["X"]+v["WIDTH"], v["Y"]+v["HEIGHT"])
	if r.Empty() {
		return r, fmt.Errorf("xdotool getwindowgeometry: %q", out)
	}
	return r, nil
}

func readPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// differing is the share of r's pixels that differ from r's most common
// colour (its background).
func differing(img image.Image, r image.Rectangle) float64 {
	if r.Empty() {
		return 0
	}
	counts := map[color.RGBA]int{}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, ca := img.At(x, y).RGBA()
			counts[color.RGBA{uint8(cr >> 8), uint8(cg >> 8), uint8(cb >> 8), uint8(ca >> 8)}]++
		}
	}
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	total := r.Dx() * r.Dy()
	return float64(total-most) / float64(total)
}

// closeWindow sends win the WM_DELETE_WINDOW client message (ICCCM
// 4.1.2.7), which is what a window manager does when its close button is
// clicked; GTK turns it into the window's delete-event, on which Wails
// quits (running OnShutdown). Xvfb has no window manager, and Debian 12's
// xdotool has no command for it (windowclose destroys the window, which
// Wails does not notice), so this speaks the X11 protocol itself: a
// local display (":N"), authenticated with the MIT-MAGIC-COOKIE-1 from
// XAUTHORITY when there is one (xvfb-run makes one).
func closeWindow(display string, win uint32) error {
	num, ok := strings.CutPrefix(display, ":")
	if !ok {
		return fmt.Errorf("DISPLAY %q: only local displays (:N) are supported", display)
	}
	num, _, _ = strings.Cut(num, ".")
	conn, err := net.DialTimeout("unix", "/tmp/.X11-unix/X"+num, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))

	authName, authData := xauthCookie(num)
	le := endian.LittleEndian
	var req bytes.Buffer
	req.Write([]byte{'l', 0})
	_ = endian.Write(&req, le, [4]uint16{11, 0, uint16(len(authName)), uint16(len(authData))})
	req.Write([]byte{0, 0})
	req.Write(pad4([]byte(authName)))
	req.Write(pad4(authData))
	if _, err := conn.Write(req.Bytes()); err != nil {
		return err
	}
	head := make([]byte, 8)
	if _, err := io.ReadFull(conn, head); err != nil {
		return fmt.Errorf("X11 connection setup: %w", err)
	}
	rest := make([]byte, int(le.Uint16(head[6:]))*4)
	if _, err := io.ReadFull(conn, rest); err != nil {
		return fmt.Errorf("X11 connection setup: %w", err)
	}
	if head[0] != 1 {
		return fmt.Errorf("X11 connection refused: %q", rest[:min(int(head[1]), len(rest))])
	}

	internAtom := func(name string) (uint32, error) {
		var b bytes.Buffer
		p := pad4([]byte(name))
		b.Write([]byte{16, 0}) // InternAtom, only-if-exists false
		_ = endian.Write(&b, le, [3]uint16{uint16(2 + len(p)/4), uint16(len(name)), 0})
		b.Write(p)
		if _, err := conn.Write(b.Bytes()); err != nil {
			return 0, err
		}
		reply := make([]byte, 32)
		if _, err := io.ReadFull(conn, reply); err != nil {
			return 0, err
		}
		if reply[0] != 1 {
			return 0, fmt.Errorf("InternAtom %s: X11 error %d", name, reply[1])
		}
		return le.Uint32(reply[8:]), nil
	}
	protocols, err := internAtom("WM_PROTOCOLS")
	if err != nil {
		return err
	}
	deleteWindow, err := internAtom("WM_DELETE_WINDOW")
	if err != nil {
		return err
	}

	var b bytes.Buffer
	b.Write([]byte{25, 0}) // SendEvent, propagate false
	_ = endian.Write(&b, le, struct {
		Length      uint16
		Destination uint32
		EventMask   uint32 // none: to the client that made the window
	}{11, win, 0})
	b.Write([]byte{33, 32, 0, 0}) // ClientMessage, format 32
	_ = endian.Write(&b, le, [7]uint32{win, protocols, deleteWindow, 0 /* CurrentTime */, 0, 0, 0})
	b.Write([]byte{43, 0, 1, 0}) // GetInputFocus: a round trip, so an error for SendEvent shows
	if _, err := conn.Write(b.Bytes()); err != nil {
		return err
	}
	reply := make([]byte, 32)
	if _, err := io.ReadFull(conn, reply); err != nil {
		return err
	}
	if reply[0] != 1 {
		return fmt.Errorf("SendEvent to window %d: X11 error %d", win, reply[1])
	}
	return nil
}

// xauthCookie is the MIT-MAGIC-COOKIE-1 for display number num in the
// XAUTHORITY file (or ~/.Xauthority); none if there is none.
func xauthCookie(num string) (string, []byte) {
	path := os.Getenv("XAUTHORITY")
	if path == "" {
		home, _ := os.UserHomeDir()
		path = filepath.Join(home, ".Xauthority")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", nil
	}
	field := func() ([]byte, bool) {
		if len(raw) < 2 {
			return nil, false
		}
		n := int(endian.BigEndian.Uint16(raw))
		if len(raw) < 2+n {
			return nil, false
		}
		f := raw[2 : 2+n]
		raw = raw[2+n:]
		return f, true
	}
	for len(raw) >= 2 {
		raw = raw[2:] // family
		_, ok1 := field()
		number, ok2 := field()
		name, ok3 := field()
		data, ok4 := field()
		if !ok1 || !ok2 || !ok3 || !ok4 {
			break
		}
		if string(number) == num && string(name) == "MIT-MAGIC-COOKIE-1" {
			return string(name), data
		}
	}
	return "", nil
}

func pad4(b []byte) []byte {
	return append(b, make([]byte, (4-len(b)%4)%4)...)
}
