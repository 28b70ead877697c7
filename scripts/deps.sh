#!/bin/bash
# synfin dependencies and DPDK memory: idempotent.
#
# Run it (as root) to install what is missing and reserve hugepages:
#     scripts/deps.sh
# or source it to get the functions without doing anything:
#     . scripts/deps.sh
#     sf_deps_setup          # install + hugepages (root)
#     sf_eal_mem_args        # prints the EAL memory arguments to use
#
# EAL memory: with 2 MiB hugepages reserved and hugetlbfs mounted, synfin uses
# them (--huge-unlink, so a killed process leaves no page behind); otherwise it
# runs with "--no-huge -m 512". The choice is exported in SF_EAL_MEM; set
# SF_EAL_MEM yourself to force one (e.g. SF_EAL_MEM="--no-huge -m 512").

SF_DEPS_PACKAGES=(
	dpdk-dev libdpdk-dev libnuma-dev libcmocka-dev
	meson ninja-build pkg-config gcc clang libclang-rt-dev
	iproute2 iputils-ping iputils-arping tcpdump ethtool nftables
	python3-scapy python3-pexpect netcat-openbsd socat curl nginx-light
	wrk hping3
	bison flex			# tests/packetdrill: packetdrill's parser
	gnuplot-nox jq linux-perf valgrind	# scripts/bench/ (dpdk-testpmd:
						# dpdk-dev)
)
SF_HUGEPAGES_WANT=${SF_HUGEPAGES_WANT:-512}	# 2 MiB pages to reserve
SF_HUGEPAGES_MIN=${SF_HUGEPAGES_MIN:-128}	# free pages needed to use them
SF_HUGE_DIR=/dev/hugepages
SF_HUGE_SYSFS=/sys/kernel/mm/hugepages/hugepages-2048kB
SF_NOHUGE_ARGS="--no-huge -m 512"

# Print the Debian packages of SF_DEPS_PACKAGES that are not installed.
sf_deps_missing()
{
	local p st
	for p in "${SF_DEPS_PACKAGES[@]}"; do
		st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || st=
		[ "$st" = installed ] || echo "$p"
	done
}

# Install missing packages (apt-get update only when something is missing).
sf_deps_install()
{
	local missing
	mapfile -t missing < <(sf_deps_missing)
	if [ "${#missing[@]}" -eq 0 ]; then
		echo "deps: all ${#SF_DEPS_PACKAGES[@]} packages present"
		return 0
	fi
	echo "deps: missing: ${missing[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: run as root to install them" >&2
		return 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" || return 1
	echo "deps: installed ${missing[*]}"
}

# Free 2 MiB hugepages (0 when there is no hugetlb support).
sf_hugepages_free()
{
	cat "$SF_HUGE_SYSFS/free_hugepages" 2>/dev/null || echo 0
}

sf_hugetlbfs_mounted()
{
	# fstype of the mount point, not of some mount below it
	[ "$(findmnt -n -o FSTYPE --target "$SF_HUGE_DIR" 2>/dev/null)" = \
		hugetlbfs ]
}

# Probe the live system: print the EAL memory args that will work now.
sf_eal_mem_probe()
{
	if [ "$(id -u)" -eq 0 ] && sf_hugetlbfs_mounted &&
	   [ "$(sf_hugepages_free)" -ge "$SF_HUGEPAGES_MIN" ]; then
		echo "--huge-dir $SF_HUGE_DIR --huge-unlink"
	else
		echo "$SF_NOHUGE_ARGS"
	fi
}

# Print the EAL memory arguments: SF_EAL_MEM if set, else probe.
sf_eal_mem_args()
{
	if [ -n "${SF_EAL_MEM:-}" ]; then
		echo "$SF_EAL_MEM"
	else
		sf_eal_mem_probe
	fi
}

# Reserve hugepages and mount hugetlbfs; export SF_EAL_MEM either way.
sf_hugepages_setup()
{
	local have
	if [ -n "${SF_EAL_MEM:-}" ]; then
		echo "hugepages: SF_EAL_MEM set by the caller: $SF_EAL_MEM"
		export SF_EAL_MEM
		return 0
	fi
	if [ "$(id -u)" -eq 0 ] && [ -d "$SF_HUGE_SYSFS" ]; then
		have=$(cat "$SF_HUGE_SYSFS/nr_hugepages")
		if [ "$have" -lt "$SF_HUGEPAGES_WANT" ]; then
			echo "$SF_HUGEPAGES_WANT" > "$SF_HUGE_SYSFS/nr_hugepages" \
				2>/dev/null || true
			have=$(cat "$SF_HUGE_SYSFS/nr_hugepages")
			echo "hugepages: reserved $have of $SF_HUGEPAGES_WANT"
		fi
		if ! sf_hugetlbfs_mounted; then
			mkdir -p "$SF_HUGE_DIR" &&
			mount -t hugetlbfs -o pagesize=2M nodev "$SF_HUGE_DIR" \
				2>/dev/null &&
			echo "hugepages: mounted hugetlbfs at $SF_HUGE_DIR" ||
			echo "hugepages: cannot mount hugetlbfs at $SF_HUGE_DIR"
		fi
	fi
	SF_EAL_MEM=$(sf_eal_mem_probe)
	export SF_EAL_MEM
	if [ "$SF_EAL_MEM" = "$SF_NOHUGE_ARGS" ]; then
		echo "hugepages: not usable (free: $(sf_hugepages_free));" \
			"runs use: $SF_EAL_MEM"
	else
		echo "hugepages: $(sf_hugepages_free) free 2 MiB pages;" \
			"runs use: $SF_EAL_MEM"
	fi
}

sf_deps_setup()
{
	sf_deps_install || return 1
	sf_hugepages_setup
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	sf_deps_setup
fi
