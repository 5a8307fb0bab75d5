//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

// The build constraint is go-keyring's own for its Secret Service backend.

package keys

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/godbus/dbus/v5"
)

// sessionBusPresent returns an ErrKeychainUnavailable error when no D-Bus
// session bus is advertised: DBUS_SESSION_BUS_ADDRESS is unset (or
// "autolaunch:") and neither /run/user/<uid>/bus nor
// /run/user/<uid>/dbus-session exists. These are the places godbus looks
// before it falls back to running dbus-launch, which starts a bus (and, by
// D-Bus activation, a keyring daemon) that outlives the app.
func sessionBusPresent() error {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return nil
	}
	run := fmt.Sprintf("/run/user/%d", os.Getuid())
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(run + "/" + name); err == nil {
			return nil
		}
	}
	return &KeychainUnavailableError{
		Reason: "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service to keep the key; " +
			"this is usual over SSH or on a machine without a desktop session",
	}
}

// platformKeychainReason explains a Secret Service failure in plain words,
// or returns "" when it does not recognise the error.
func platformKeychainReason(err error) string {
	var derr *dbus.Error
	if !errors.As(err, &derr) {
		var v dbus.Error
		if errors.As(err, &v) {
			derr = &v
		}
	}
	if derr != nil {
		switch derr.Name {
		case "org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner":
			return "there is no Secret Service on the D-Bus session bus (no gnome-keyring, KeePassXC or similar is running or installed)"
		case "org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout":
			return "the Secret Service did not reply"
		case "org.freedesktop.DBus.Error.AccessDenied":
			return "the Secret Service refused access"
		}
		return "the Secret Service returned an error"
	}
	var nerr *net.OpError
	if errors.As(err, &nerr) {
		return "cannot connect to the D-Bus session bus named by DBUS_SESSION_BUS_ADDRESS"
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "failed to unlock correct collection"):
		return "the Secret Service's default keyring is locked (or missing) and was not unlocked; " +
			"unlock it (for example by logging in to the desktop session) or use a passphrase"
	case strings.Contains(msg, "dbus:"):
		return "cannot talk to the D-Bus session bus"
	}
	return ""
}
