# deploy/lib.sh: shell helpers shared by deploy/ and tests/ (sourced, not run).
#
# It owns three things: where things live (SHOAL_TOP, SHOAL_OUT), which
# Debian kernel and Xen the images are built from, and installing Debian
# packages idempotently.  Everything that makes images or boots them is in
# its own script beside this one.

SHOAL_TOP=${SHOAL_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SHOAL_OUT=${SHOAL_OUT:-$SHOAL_TOP/out}
SHOAL_XEN_VERSION=4.17
SHOAL_XEN_BIN=/usr/lib/xen-$SHOAL_XEN_VERSION/bin

# Packages each part of Shoal needs; deploy/deps installs them by group.
SHOAL_PKGS_BUILD="build-essential cmake pkg-config clang libclang-rt-14-dev
  libxen-dev libevent-dev libjansson-dev check libknot-dev
  libssl-dev libnghttp2-dev libseccomp-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
  libsqlite3-dev libpq-dev media-types liburing-dev"
# DNS peers and clients for dnsd: NSD and Knot for the differential test
# and the benchmark, dig and kdig as clients, dnsperf for load; web peers
# and clients for httpd, and Chromium to see that the site's pages render;
# PostgreSQL for the scaler's job queue (the tests start their own); fio
# for blkback's tests and benchmarks; nbdcopy and qemu-img as blkfront's
# NBD clients.
SHOAL_PKGS_TOOLS="xenstore-utils nsd knot knot-dnsutils bind9-dnsutils dnsperf
  jq iproute2 procps iputils-ping iperf3 ethtool
  nginx-light lighttpd curl wrk nghttp2-client openssl testssl.sh
  chromium postgresql-15 gnuplot-nox fio libnbd-bin qemu-utils"
# The real-Xen tier: hypervisor, toolstack, a kernel for dom0 and domUs,
# QEMU to boot them and what packs the initramfs images; nbd-client, for
# dom0's kernel to mount a disk blkfront exports.
SHOAL_PKGS_XEN="xen-hypervisor-$SHOAL_XEN_VERSION-amd64 xen-utils-$SHOAL_XEN_VERSION
  linux-image-amd64 qemu-system-x86 busybox-static cpio xz-utils file nbd-client"

shoal_say() { printf '%s: %s\n' "${SHOAL_PROG:-shoal}" "$*"; }
shoal_die() { printf '%s: error: %s\n' "${SHOAL_PROG:-shoal}" "$*" >&2; exit 1; }

# Install what is missing, and nothing when all is there (no apt-get update
# on a machine that already has everything: CI and second runs stay fast).
# Xen packages always go in with --no-install-recommends: the recommends
# pull in grub-xen and qemu-system-xen, which we neither need nor want.
shoal_install() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed$' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || shoal_die "need root to install: ${missing[*]}"
	shoal_say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Servers (NSD, Knot) must not start on install: tests start their
	# own on loopback ports, and port 53 is nobody's here.
	local norc=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		norc=1
	fi
	apt-get update -q >/dev/null ||
		shoal_die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		{ [ -z "$norc" ] || rm -f /usr/sbin/policy-rc.d
		  shoal_die "apt-get install failed: ${missing[*]}"; }
	[ -z "$norc" ] || rm -f /usr/sbin/policy-rc.d
}

# The unprivileged users daemons run as with --user (docs/privilege.md):
# system users with no home and no shell, each also in the group
# shoal-xen, which may open Xen's event-channel and grant-sharing
# devices (a vchan per RPC caller; xensim's socket stands for them).
# Idempotent.
SHOAL_USERS="shoal-dnsd shoal-consoled shoal-httpd shoal-xenstored shoal-scaler"
SHOAL_DEVICE_GROUP=shoal-xen
shoal_users() {
	local u
	if ! getent group "$SHOAL_DEVICE_GROUP" >/dev/null; then
		[ "$(id -u)" -eq 0 ] || shoal_die "need root to add the group $SHOAL_DEVICE_GROUP"
		groupadd --system "$SHOAL_DEVICE_GROUP" ||
			shoal_die "groupadd $SHOAL_DEVICE_GROUP failed"
	fi
	for u in $SHOAL_USERS; do
		if ! getent passwd "$u" >/dev/null; then
			[ "$(id -u)" -eq 0 ] || shoal_die "need root to add the user $u"
			useradd --system --no-create-home --home-dir /nonexistent \
			    --shell /usr/sbin/nologin "$u" ||
				shoal_die "useradd $u failed"
		fi
		id -nG "$u" | grep -qw "$SHOAL_DEVICE_GROUP" ||
			usermod -a -G "$SHOAL_DEVICE_GROUP" "$u" ||
			shoal_die "usermod: $u into $SHOAL_DEVICE_GROUP failed"
	done
}

# On a host with real Xen: the event-channel and grant-sharing devices
# are the group's too (never gntdev or privcmd, which reach other
# domains' memory and the hypervisor).  A udev rule for the next boot,
# and the devices there now.
shoal_xen_devices() {
	local d
	cat >/etc/udev/rules.d/60-shoal-xen.rules <<-EOF
	# Shoal (deploy/lib.sh): dom0 daemons run as users make vchans.
	KERNEL=="xen/evtchn", GROUP="$SHOAL_DEVICE_GROUP", MODE="0660"
	KERNEL=="xen/gntalloc", GROUP="$SHOAL_DEVICE_GROUP", MODE="0660"
	EOF
	for d in /dev/xen/evtchn /dev/xen/gntalloc; do
		[ -c "$d" ] || continue
		chgrp "$SHOAL_DEVICE_GROUP" "$d" && chmod 0660 "$d"
	done
}

# The newest Debian kernel with modules installed: dom0 and stub domains
# both boot it, and its modules go into their initramfs images.
shoal_kernel_version() {
	local v
	for v in $(ls /lib/modules 2>/dev/null | sort -rV); do
		if [ -f "/boot/vmlinuz-$v" ]; then
			echo "$v"
			return 0
		fi
	done
	shoal_die "no Debian kernel found (install linux-image-amd64)"
}

# Xen and xl want an ELF vmlinux, not a bzImage: decompressing under QEMU's
# software emulation costs seconds per boot.  Extracted once and cached.
shoal_vmlinux() {
	local v out
	v=$(shoal_kernel_version) || return 1
	out=$SHOAL_OUT/kernel/vmlinux-$v
	if [ ! -s "$out" ]; then
		mkdir -p "$(dirname "$out")"
		"$SHOAL_TOP/deploy/vmlinux" "/boot/vmlinuz-$v" "$out.tmp" >&2 ||
			return 1
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

# Xen itself, gunzipped: QEMU's -kernel loads a multiboot ELF directly.
shoal_xen_image() {
	local out=$SHOAL_OUT/kernel/xen-$SHOAL_XEN_VERSION.elf
	if [ ! -s "$out" ]; then
		mkdir -p "$(dirname "$out")"
		gzip -dc "/boot/xen-$SHOAL_XEN_VERSION-amd64.gz" >"$out.tmp" ||
			return 1
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}
