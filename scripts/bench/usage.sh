# shellcheck shell=bash
# The benchmarks' command line. They take their settings from the
# environment (SF_BENCH_*), so the one option is -h/--help: it prints the
# script's header comment, which says what it measures and what it reads,
# and, for the scripts built on lib.sh, the settings they all share. Any
# other argument is refused rather than silently ignored by a long run.

# bench_usage SHARED [OPERANDS]: the calling script's header comment; with
# SHARED "shared", lib.sh's settings after it. OPERANDS go on the usage
# line.
bench_usage()
{
	local dir

	dir=$(dirname "$0")
	echo "usage: $0 [-h|--help]${2:+ $2}"
	echo "  settings are environment variables, as below"
	echo
	awk 'NR == 1 { next } !/^#/ { exit } { sub(/^# ?/, ""); print }' "$0"
	[ "$1" = shared ] || return 0
	echo
	echo "Settings every benchmark built on $dir/lib.sh reads:"
	awk '/^# Environment \(all optional\):/ { on = 1; next }
	     on && !/^#/ { exit }
	     on { sub(/^# ?/, ""); print }' "$dir/lib.sh"
}

# bench_cmdline SHARED ARGS...: print the usage and exit 0 on -h/--help;
# exit 2 on any other argument; return on none.
bench_cmdline()
{
	local shared=$1

	shift
	[ "$#" -gt 0 ] || return 0
	case "$1" in
	-h|--help)
		bench_usage "$shared"
		exit 0 ;;
	esac
	echo "$(basename "$0"): unknown argument '$1': settings are" \
		"environment variables (see $0 --help)" >&2
	exit 2
}
