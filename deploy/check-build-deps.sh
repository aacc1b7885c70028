#!/usr/bin/env bash
# check-build-deps.sh [MODULE...]: before compiling, names in one line the Debian packages that are
# missing for the build (compiler, pkg-config, libfcgi, the pkg-config MODULEs), instead of a
# compiler error about a header. Exit 0 when everything is there.
set -u
# pkg-config module -> the Debian package that ships its .pc file and headers.
declare -A package=(
	[libpq]=libpq-dev [hiredis]=libhiredis-dev [libcurl]=libcurl4-openssl-dev
	[json-c]=libjson-c-dev [libargon2]=libargon2-dev [zlib]=zlib1g-dev
	[libutf8proc]=libutf8proc-dev [openssl]=libssl-dev [libcrypt]=libcrypt-dev
	[cmocka]=libcmocka-dev
)
missing=()
command -v "${CC:-cc}" >/dev/null 2>&1 || missing+=(build-essential)
if ! command -v pkg-config >/dev/null 2>&1; then
	missing+=(pkg-config)
	for m in "$@"; do missing+=("${package[$m]:-$m}"); done
else
	for m in "$@"; do
		pkg-config --exists "$m" 2>/dev/null || missing+=("${package[$m]:-$m}")
	done
fi
# libfcgi has no pkg-config file on Debian: look for its header.
[ -f /usr/include/fcgiapp.h ] || missing+=(libfcgi-dev)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "missing build packages: ${missing[*]} (run 'make deps' to install everything, or apt-get install ${missing[*]})" >&2
exit 1
