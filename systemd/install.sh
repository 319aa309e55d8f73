#!/usr/bin/env bash
# Install crib-kiosk on Raspberry Pi OS Bookworm. Safe to run again: it creates what is
# missing, replaces only files whose content changed, and never overwrites the config.
#
#   sudo systemd/install.sh            # console UI on tty1 (kiosk.service)
#   sudo systemd/install.sh --touch    # touch screen: cage + foot (kiosk-cage.service)
#   sudo systemd/install.sh --now      # also (re)start the services
#
# For tests and packaging: KIOSK_INSTALL_ROOT=/some/dir installs the files below that folder
# and KIOSK_INSTALL_SYSTEM=no prints the system commands (apt, useradd, systemctl, udevadm,
# pip) instead of running them; KIOSK_BIN then names the kiosk command used to write rules.
set -euo pipefail

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="${KIOSK_INSTALL_ROOT:-}"
SYSTEM="${KIOSK_INSTALL_SYSTEM:-yes}"
USER_NAME=crib-kiosk
PREFIX=/opt/crib-kiosk
DATA=/var/lib/crib-kiosk
CONF_DIR=/etc/crib-kiosk
UNITS=(kiosk.service kiosk-cage.service kiosk-publish.service kiosk-backup.service
       kiosk-backup.timer)
TOUCH=no
NOW=no
CHANGED_UNITS=no
CHANGED_RULES=no
CHANGED_JOURNALD=no

for arg in "$@"; do
  case "$arg" in
    --touch) TOUCH=yes ;;
    --now) NOW=yes ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { printf '%s\n' "$*"; }

# Run a system command, or only show it when KIOSK_INSTALL_SYSTEM=no.
sys() {
  if [ "$SYSTEM" = yes ]; then "$@"; else say "would run: $*"; fi
}

# install_file SOURCE TARGET MODE: copy only when the content differs; report what happened.
install_file() {
  local source="$1" target="$ROOT$2" mode="$3"
  mkdir -p "$(dirname "$target")"
  if [ -f "$target" ] && cmp -s "$source" "$target"; then
    say "unchanged: $2"
    return 1
  fi
  install -m "$mode" "$source" "$target"
  say "installed: $2"
  return 0
}

ensure_dir() {  # ensure_dir PATH MODE [OWNER]
  local path="$ROOT$1"
  if [ -d "$path" ]; then say "exists:    $1/"; else mkdir -p "$path"; say "created:   $1/"; fi
  chmod "$2" "$path"
  if [ -n "${3:-}" ]; then sys chown "$3:$3" "$path"; fi
}

need_root() {
  if [ "$SYSTEM" = yes ] && [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (sudo $0)" >&2
    exit 1
  fi
}

packages() {
  local wanted=(python3-venv python3-lgpio)
  if [ "$TOUCH" = yes ]; then wanted+=(cage foot fonts-dejavu-core); fi
  sys apt-get install -y --no-install-recommends "${wanted[@]}"
}

service_user() {
  if [ "$SYSTEM" = yes ]; then
    getent group "$USER_NAME" >/dev/null || groupadd --system "$USER_NAME"
    getent group gpio >/dev/null || groupadd --system gpio
    id -u "$USER_NAME" >/dev/null 2>&1 || useradd --system --gid "$USER_NAME" \
      --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
    # gpio for the GPIO chip; video/render only matter for the cage variant. Never `input`:
    # the udev rule hands over the configured scanners only.
    usermod -a -G gpio,video,render "$USER_NAME"
  else
    say "would run: create system user $USER_NAME (groups gpio video render)"
  fi
}

directories() {
  ensure_dir "$PREFIX" 0755
  ensure_dir "$PREFIX/docs" 0755
  ensure_dir "$CONF_DIR" 0750
  ensure_dir "$DATA" 0750 "$USER_NAME"
  ensure_dir "$DATA/backups" 0750 "$USER_NAME"
}

code_and_venv() {
  install_file "$SRC/docs/pi.md" "$PREFIX/docs/pi.md" 0644 || true
  if [ ! -x "$ROOT$PREFIX/venv/bin/python" ]; then
    # System site packages: python3-lgpio comes from apt, not PyPI (GPIO-02).
    sys python3 -m venv --system-site-packages "$ROOT$PREFIX/venv"
  fi
  # pip leaves an up-to-date install alone, so this is cheap on a second run.
  sys "$ROOT$PREFIX/venv/bin/pip" install --quiet --disable-pip-version-check "$SRC"
}

configuration() {
  if [ -f "$ROOT$CONF_DIR/kiosk.toml" ]; then
    say "kept:      $CONF_DIR/kiosk.toml (never overwritten)"
  else
    install -m 0640 "$SRC/config/kiosk.example.toml" "$ROOT$CONF_DIR/kiosk.toml"
    sys chgrp "$USER_NAME" "$ROOT$CONF_DIR/kiosk.toml"
    say "installed: $CONF_DIR/kiosk.toml (edit it, then run this script again)"
  fi
}

units() {
  local unit
  for unit in "${UNITS[@]}"; do
    if install_file "$SRC/systemd/$unit" "/etc/systemd/system/$unit" 0644; then
      CHANGED_UNITS=yes
    fi
  done
  if install_file "$SRC/systemd/journald-crib-kiosk.conf" \
      /etc/systemd/journald.conf.d/crib-kiosk.conf 0644; then
    CHANGED_JOURNALD=yes
  fi
}

udev_rules() {
  local kiosk="${KIOSK_BIN:-$ROOT$PREFIX/venv/bin/kiosk}" rules
  rules="$(mktemp)"
  trap 'rm -f "$rules"' RETURN
  if [ -x "$kiosk" ] || command -v "$kiosk" >/dev/null 2>&1; then
    "$kiosk" --config "$ROOT$CONF_DIR/kiosk.toml" udev-rules > "$rules"
  else
    cp "$SRC/systemd/99-crib-kiosk.rules" "$rules"
  fi
  if install_file "$rules" /etc/udev/rules.d/99-crib-kiosk.rules 0644; then
    CHANGED_RULES=yes
  fi
}

activate() {
  local ui=kiosk.service other=kiosk-cage.service
  if [ "$TOUCH" = yes ]; then ui=kiosk-cage.service; other=kiosk.service; fi
  if [ "$CHANGED_RULES" = yes ]; then
    sys udevadm control --reload
    sys udevadm trigger --subsystem-match=input --subsystem-match=usb \
      --subsystem-match=usbmisc --subsystem-match=gpio
  fi
  if [ "$CHANGED_JOURNALD" = yes ]; then sys systemctl restart systemd-journald; fi
  if [ "$CHANGED_UNITS" = yes ]; then sys systemctl daemon-reload; fi
  # tty1 belongs to the kiosk; the other VTs keep their login prompts.
  sys systemctl disable getty@tty1.service
  sys systemctl disable "$other"
  sys systemctl enable "$ui" kiosk-publish.service kiosk-backup.timer
  sys runuser -u "$USER_NAME" -- "$ROOT$PREFIX/venv/bin/kiosk" --config "$ROOT$CONF_DIR/kiosk.toml" \
    init || say "kiosk init failed: check $CONF_DIR/kiosk.toml, then run this script again"
  if [ "$NOW" = yes ]; then
    sys systemctl stop "$other" getty@tty1.service
    sys systemctl restart "$ui" kiosk-publish.service kiosk-backup.timer
  fi
  sys runuser -u "$USER_NAME" -- "$ROOT$PREFIX/venv/bin/kiosk" --config "$ROOT$CONF_DIR/kiosk.toml" \
    doctor || say "kiosk doctor found problems: fix them, then run this script again"
}

need_root
packages
service_user
directories
code_and_venv
configuration
units
udev_rules
activate
say "done"
