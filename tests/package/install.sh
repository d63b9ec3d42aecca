#!/usr/bin/env bash
# The Debian package as a user meets it: built by `make package`, installed with apt-get,
# every subcommand run from the PATH, the installed app started on a fresh home directory
# (installed.test.mjs), then removed: none of its files stay, the user's data does.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
fail() {
  echo "package test: $*" >&2
  exit 1
}
installed() {
  dpkg-query -W -f='${Status}' headtail 2>/dev/null | grep -q "install ok installed"
}

# The test installs and removes the package; a Headtail installed by hand is not its to remove.
if installed; then
  fail "headtail is installed on this machine; remove it first (sudo apt-get remove headtail)"
fi

start=$(date +%s)
make package
built=$(date +%s)

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
deb="$PWD/target/release/bundle/deb/Headtail_${version}_amd64.deb"
[ -f "$deb" ] || fail "$deb was not built"

# What the package declares: its name and version, the runtime libraries (the bundler adds
# WebKitGTK and GTK itself; SQLCipher needs OpenSSL's libcrypto) and a CJK font, nothing
# needed only to build.
control=$(dpkg-deb --field "$deb")
echo "$control"
grep -qx "Package: headtail" <<<"$control" || fail "the package is not called headtail"
grep -qx "Version: $version" <<<"$control" || fail "the package's version is not $version"
depends=$(dpkg-deb --field "$deb" Depends)
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libssl3 fonts-wqy-microhei; do
  grep -qw -- "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
if grep -q -- "-dev\b" <<<"$depends"; then fail "Depends pulls in a build-time package: $depends"; fi

# What it holds: the binary on the PATH, the desktop entry and its icons.
contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
for file in usr/bin/headtail usr/share/applications/Headtail.desktop \
  usr/share/icons/hicolor/{32x32,48x48,64x64,128x128,256x256,512x512}/apps/headtail.png; do
  grep -qx -- "$file" <<<"$contents" || fail "the package lacks $file"
done
work=$(mktemp -d)
home=$(mktemp -d)
cleanup() {
  if installed; then as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq headtail >/dev/null; fi
  rm -rf "$work" "$home"
}
trap cleanup EXIT

dpkg-deb --extract "$deb" "$work/unpacked"
entry="$work/unpacked/usr/share/applications/Headtail.desktop"
cat "$entry"
desktop-file-validate "$entry" || fail "the desktop entry is not valid"
for line in "Name=Headtail" "Name\[zh_CN\]=.*[^ -~].*" "Comment=.\+" "Comment\[zh_CN\]=.*[^ -~].*" \
  "Categories=Office;" "Exec=headtail" "Icon=headtail"; do
  grep -qx -- "$line" "$entry" || fail "the desktop entry lacks $line"
done

as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
installed || fail "apt-get did not install headtail"
[ "$(command -v headtail)" = /usr/bin/headtail ] || fail "headtail on the PATH is $(command -v headtail || echo nothing)"
[ "$(headtail --version)" = "headtail $version" ] || fail "headtail --version says $(headtail --version)"
help=$(headtail --help)
for command in info demo import evaluate clv-fit charts report export; do
  grep -q "^  $command " <<<"$help" || fail "headtail --help does not list $command"
done

# Every subcommand of the installed binary, on files of its own.
run() {
  echo "+ headtail $*"
  env -u HEADTAIL_DB HOME="$home" headtail "$@"
}
run demo --db "$work/demo.sqlite" --customers 300 --seed 5 --until 2026-06-30
run info --db "$work/demo.sqlite"
run evaluate --db "$work/demo.sqlite" --as-of 2026-06-30 --lang zh-CN --out "$work/members.csv"
run charts --db "$work/demo.sqlite" --out "$work/charts" --lang en
run report --db "$work/demo.sqlite" --out "$work/report"
run export --db "$work/demo.sqlite" --out "$work/export"
printf '订单号,客户编号,下单日期,金额\nSO1,C1,2026-01-05,120.00\nSO2,C1,2026-03-05,80.50\nSO3,C2,2026-02-10,300.00\nSO4,C2,2026-05-20,45.00\n' >"$work/orders.csv"
run import --db "$work/shop.sqlite" --kind orders "$work/orders.csv"
# Eighty buyers with one to six purchases each in the first half of 2026.
awk 'BEGIN { print "customer_id,date,amount"
  for (c = 1; c <= 80; c++) for (k = 0; k <= (c * 7) % 6; k++) {
    d = 1 + (c * 13 + k * 47) % 170
    printf "C%d,2026-%02d-%02d,%d.%02d\n", c, 1 + int(d / 30), 1 + d % 28, 20 + (c * k * 31) % 400, (c + k) % 100 } }' >"$work/transactions.csv"
run clv-fit --orders "$work/transactions.csv" --calibration-end 2026-06-30 >"$work/clv.json"
run bindings "$work/bindings.ts"
for file in members.csv charts/summary.json report/report.pdf report/report.xlsx export/customers.csv clv.json bindings.ts; do
  [ -s "$work/$file" ] || fail "a subcommand did not write $file"
done

HEADTAIL_BIN=/usr/bin/headtail HEADTAIL_HOME="$home" HEADTAIL_VERSION="$version" node --test tests/package/
database="$home/.local/share/headtail/headtail.sqlite"
[ -f "$database" ] || fail "the app did not create $database"
info=$(run info)
echo "$info"
grep -qF "$database" <<<"$info" || fail "info does not name the database the app created"
tested=$(date +%s)

files=$(dpkg-query -L headtail)
as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq headtail >/dev/null
if installed; then fail "apt-get did not remove headtail"; fi
left=()
while IFS= read -r path; do
  if [ -e "$path" ] && [ ! -d "$path" ]; then left+=("$path"); fi
done <<<"$files"
[ ${#left[@]} -eq 0 ] || fail "removing the package left ${left[*]}"
if command -v headtail >/dev/null; then fail "headtail is still on the PATH"; fi
[ -f "$database" ] || fail "removing the package took the user's database $database"
[ -f "$home/.local/share/headtail/headtail-demo.sqlite" ] || fail "removing the package took the demo database"

echo "package test: $(basename "$deb") $(du -k "$deb" | cut -f1) KiB, installed $(dpkg-deb --field "$deb" Installed-Size) KiB;" \
  "make package $((built - start)) s, install, run and remove $(($(date +%s) - built)) s" \
  "(of which the installed app's checks $((tested - built)) s)"
