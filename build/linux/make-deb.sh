#!/bin/sh
# make-deb.sh VERSION BINARY OUT.deb: packs the desktop build of hearth
# (the webkit2_41 binary, `make desktop`) into a Debian package with
# dpkg-deb: /usr/bin/hearth, the menu entry and the icon. `make
# package-linux` runs it. VERSION is a Debian version (digits first, no
# '-'); the Makefile derives it from git describe.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 VERSION BINARY OUT.deb" >&2; exit 2; }
version=$1 binary=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
for tool in dpkg-deb convert; do
	command -v "$tool" >/dev/null || { echo "make-deb.sh: $tool is missing (apt-get install dpkg imagemagick)" >&2; exit 1; }
done
case $version in [0-9]*) ;; *) echo "make-deb.sh: version $version must start with a digit" >&2; exit 1 ;; esac

root=$(mktemp -d /tmp/hearth-deb.XXXXXX)
chmod 0755 "$root"
trap 'rm -rf "$root"' EXIT INT TERM
umask 022
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/applications" \
	"$root/usr/share/icons/hicolor/256x256/apps" "$root/usr/share/doc/hearth"
install -m 0755 "$binary" "$root/usr/bin/hearth"
install -m 0644 "$here/hearth.desktop" "$root/usr/share/applications/hearth.desktop"
convert "$here/../appicon.png" -resize 256x256 -strip \
	"PNG32:$root/usr/share/icons/hicolor/256x256/apps/hearth.png"
cat >"$root/usr/share/doc/hearth/copyright" <<'COPYRIGHT'
Hearth: a personal atproto PDS that is also a desktop app.
Copyright: Hearth contributors. See the project's repository for its license.
COPYRIGHT
chmod 0644 "$root/usr/share/doc/hearth/copyright"

cat >"$root/DEBIAN/control" <<CONTROL
Package: hearth
Version: $version
Architecture: amd64
Maintainer: Hearth maintainers <maintainers@hearthpds.invalid>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: libgtk-3-0, libwebkit2gtk-4.1-0
Section: net
Priority: optional
Description: personal atproto data server (PDS) with a desktop window
 Hearth runs your own atproto personal data server on your computer: your
 account, repository and blobs in a local SQLite database, the signing keys
 wrapped under a master key kept in the desktop's keychain (Secret Service)
 or, without one, behind a passphrase.
 .
 Run "hearth" for the window, "hearth serve" for the headless server.
CONTROL

mkdir -p "$(dirname "$out")"
dpkg-deb --root-owner-group --build "$root" "$out"
