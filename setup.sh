#!/usr/bin/env bash
# Installs whatever Headtail needs to build, run and test on Debian 12, and nothing that is already there.
# Safe to run again: each step checks first.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  build-essential pkg-config
  libssl-dev              # OpenSSL's libcrypto, the cipher of the SQLCipher build of SQLite
  libwebkit2gtk-4.1-dev   # the webview Tauri renders into (pulls GTK 3, libsoup 3)
  fonts-wqy-microhei      # Chinese text in the UI and in charts
  xvfb xauth              # a display for end-to-end tests and headless machines
  webkit2gtk-driver       # WebKitWebDriver, driven by tauri-driver in end-to-end tests
  chromium                # UI tests in a real browser
  dunst dbus-daemon dbus-bin  # a notification server on a private session bus for the reminders' end-to-end test
  sqlite3                 # seeds that test's database with a follow-up falling due
  xdotool scrot           # the charts' end-to-end test answers GTK's save dialog and photographs it
  desktop-file-utils      # validates the desktop entry of the Debian package in its test,
  libgtk-3-bin x11-utils  # which opens the entry with gtk-launch and finds its window (xwininfo, xprop)
  time                    # /usr/bin/time: evaluate_bench reads each timed process's peak memory from it
  nodejs npm
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  # nodejs/npm may come from elsewhere (e.g. NodeSource); a working node is enough.
  case "$pkg" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "setup: Rust is missing; install it from https://rustup.rs and run this again" >&2
  exit 1
fi

export PATH="$HOME/.cargo/bin:$PATH"
# The lint gate of the test command needs rustfmt and clippy beside cargo.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  echo "setup: adding rustfmt and clippy to the Rust toolchain"
  rustup component add rustfmt clippy
fi
if ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi

# Reinstall the UI's packages when the lock file changed since the last install.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "setup: installing UI packages"
  (cd ui && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "setup: everything is installed"
