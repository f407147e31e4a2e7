#!/bin/sh
# Wegweiser agent installer for Linux and macOS, served by [[.ServerURL]].
#
#   curl -fsSL [[.ServerURL]]/install.sh | sudo sh -s -- --key KEY
#   curl -fsSL [[.ServerURL]]/uninstall.sh | sudo sh [-s -- --purge]
#
# Installing downloads the agent for this system from the server, checks
# its SHA-256 against the server's SHA256SUMS, enrols the device with the
# enrolment key, sends a first report and starts the agent with the machine
# (systemd, cron where systemd is absent, launchd on macOS).
#
# Options:
#   --key KEY     enrolment key (required to install)
#   --uninstall   remove the agent and its service instead
#   --purge       with --uninstall: also delete the enrolment and spool
#   --root DIR    install below DIR instead of / (the binary in
#                 DIR/usr/local/bin, the state in DIR/var/lib/wegweiser-agent)
#                 and leave the service manager alone; env WEGWEISER_ROOT
set -eu

SERVER='[[.ServerURL]]'
MODE=[[if .Uninstall]]uninstall[[else]]install[[end]]
KEY=""
PURGE=""
ROOT="${WEGWEISER_ROOT:-}"

say() { printf '%s\n' "wegweiser: $*" >&2; }
die() { say "$*"; exit 1; }

while [ $# -gt 0 ]; do
	case "$1" in
	--key) [ $# -ge 2 ] || die "--key needs a value"; KEY="$2"; shift 2 ;;
	--key=*) KEY="${1#--key=}"; shift ;;
	--root) [ $# -ge 2 ] || die "--root needs a directory"; ROOT="$2"; shift 2 ;;
	--root=*) ROOT="${1#--root=}"; shift ;;
	--uninstall) MODE=uninstall; shift ;;
	--purge) PURGE=--purge; shift ;;
	-h|--help) say "options: --key KEY, --uninstall [--purge], --root DIR"; exit 0 ;;
	*) die "unknown option $1 (options: --key KEY, --uninstall, --purge, --root DIR)" ;;
	esac
done

case "$(uname -s)" in
Linux) OS=linux; STATE_DIR=/var/lib/wegweiser-agent ;;
Darwin) OS=darwin; STATE_DIR="/Library/Application Support/Wegweiser" ;;
*) die "this script installs on Linux and macOS; on Windows use install.ps1" ;;
esac
case "$(uname -m)" in
x86_64|amd64) ARCH=amd64 ;;
aarch64|arm64) ARCH=arm64 ;;
*) die "no agent build for the $(uname -m) architecture" ;;
esac

if [ -n "$ROOT" ]; then
	mkdir -p "$ROOT"
	ROOT=$(cd "$ROOT" && pwd)
	STATE_DIR="$ROOT/var/lib/wegweiser-agent"
elif [ "$(id -u)" != 0 ]; then
	die "run as root (e.g. with sudo), or pass --root DIR"
fi
BIN="$ROOT/usr/local/bin/wegweiser-agent"

if [ "$MODE" = uninstall ]; then
	[ -x "$BIN" ] || die "no agent at $BIN"
	if [ -n "$ROOT" ]; then
		rm -f "$BIN"
		[ -z "$PURGE" ] || rm -rf "$STATE_DIR"
		say "removed the agent from $ROOT (the service manager was left alone: --root)"
	else
		"$BIN" uninstall --binary "$BIN" --state-dir "$STATE_DIR" $PURGE
		say "the agent is uninstalled"
	fi
	exit 0
fi

[ -n "$KEY" ] || die "an enrolment key is required: --key KEY (create one on the Enrolment page)"

case "$OS"_"$ARCH" in
[[range $k, $v := .Binaries]]	[[$k]]) FILE='[[$v]]' ;;
[[end]]	*) die "the server offers no agent build for $OS/$ARCH; build them with 'make agents' on the server" ;;
esac

TMP=$(mktemp -d 2>/dev/null || mktemp -d -t wegweiser)
trap 'rm -rf "$TMP"' EXIT INT TERM

fetch() { # fetch URL FILE
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL --retry 3 -o "$2" "$1"
	elif command -v wget >/dev/null 2>&1; then
		wget -q -O "$2" "$1"
	else
		die "neither curl nor wget is installed"
	fi
}

sha256() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | cut -d' ' -f1
	else
		die "neither sha256sum nor shasum is installed; cannot verify the download"
	fi
}

say "downloading $FILE from $SERVER"
fetch "$SERVER/agent/SHA256SUMS" "$TMP/SHA256SUMS" || die "cannot download $SERVER/agent/SHA256SUMS"
fetch "$SERVER/agent/download/$FILE" "$TMP/wegweiser-agent" || die "cannot download $SERVER/agent/download/$FILE"
WANT=$(awk -v f="$FILE" '$2 == f { print $1 }' "$TMP/SHA256SUMS")
[ -n "$WANT" ] || die "$FILE is not in the server's SHA256SUMS"
GOT=$(sha256 "$TMP/wegweiser-agent")
[ "$GOT" = "$WANT" ] || die "checksum mismatch for $FILE: expected $WANT, got $GOT; nothing was installed"
say "checksum verified ($GOT)"

mkdir -p "$(dirname "$BIN")"
cp "$TMP/wegweiser-agent" "$BIN.new"
chmod 0755 "$BIN.new"
mv -f "$BIN.new" "$BIN"
say "installed $BIN"

if "$BIN" enroll --server "$SERVER" --key "$KEY" --state-dir "$STATE_DIR" >"$TMP/enroll.log" 2>&1; then
	say "enrolled with $SERVER"
elif grep -q "already enrolled" "$TMP/enroll.log"; then
	say "already enrolled; keeping the enrolment (run '$BIN enroll --force ...' to enrol again)"
else
	cat "$TMP/enroll.log" >&2
	die "enrolment failed"
fi

if "$BIN" once --state-dir "$STATE_DIR" >/dev/null 2>"$TMP/once.log"; then
	say "sent a first report"
else
	say "the first report failed (the service retries):"
	cat "$TMP/once.log" >&2
fi

if [ -n "$ROOT" ]; then
	say "service step skipped: --root was given, the service manager is left alone"
elif [ "$OS" = linux ] && [ ! -d /run/systemd/system ] && ! command -v crontab >/dev/null 2>&1 && [ ! -d /etc/cron.d ]; then
	say "service step skipped: this system has neither systemd nor cron; start '$BIN run' yourself"
else
	"$BIN" install --binary "$BIN" --state-dir "$STATE_DIR"
	say "the agent starts with the machine"
fi
say "done"
