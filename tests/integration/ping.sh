#!/bin/bash
# The Linux kernel peer pings synfin: small, 1400-byte and a 1,000-ping
# flood, each with zero loss; synfin's echo-reply counter must equal the
# replies the kernel saw.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

sf_test_init
sf_synfin_start
sf_synfin_wait_ready

sf_ping "10 pings of 56 bytes" 10 -c 10 -i 0.1 -W 2 -w 20
sf_ping "10 pings of 1400 bytes" 10 -c 10 -i 0.1 -W 2 -w 20 -s 1400
sf_ping "1000-ping flood" 1000 -f -c 1000 -W 2 -w 60

sf_synfin_stop
sf_check_eq "icmp_tx_echo_reply (kernel saw $SF_PING_REPLIES replies)" \
	"$(sf_ctr icmp_tx_echo_reply)" "$SF_PING_REPLIES"
sf_check_eq "icmp_rx_echo (kernel sent $SF_PING_SENT requests)" \
	"$(sf_ctr icmp_rx_echo)" "$SF_PING_SENT"
for c in ip_drop_csum icmp_drop_csum tx_drop_full mbuf_alloc_fail; do
	sf_check_eq "$c" "$(sf_ctr "$c")" 0
done
pass "$SF_PING_REPLIES echo replies, zero loss"
