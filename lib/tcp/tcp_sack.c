/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SACK (RFC 2018): the blocks we report for data held out of order, and
 * a small scoreboard of what the peer reports, so retransmissions skip
 * bytes that already arrived (RFC 6675's idea, kept simple: a go-back-N
 * that jumps over SACKed ranges). Both live in the connection's loss
 * recovery record (struct sf_tcb_ext), taken when first needed.
 */
#include "tcp_priv.h"

/* Our blocks from the out-of-order queue, merged: the block holding the
 * newest arrival first (RFC 2018 §4: it MUST), then those of the next
 * newest arrivals ("repeating the most recently reported SACK blocks"),
 * then the lowest others. The walk goes as far as the newest arrivals'
 * blocks (with many holes they may be far above the first few) and
 * stops once every block to report is known. */
unsigned int
tcp_sack_blocks(const struct sf_worker *w, const struct sf_tcb *c,
		struct sf_tcp_sack_block *b, unsigned int max)
{
	const struct sf_tcb_ext *e = tcp_ext(w, c);
	struct sf_tcp_sack_block cur = { 0, 0 };
	struct sf_tcp_sack_block low[SF_TCP_MAX_SACK], rec[SF_TCP_MAX_SACK];
	const struct rte_mbuf *m;
	unsigned int nlow = 0, nrec, nfound = 0, n = 0, i, k;
	bool have = false, got[SF_TCP_MAX_SACK] = { false }, recent;
	uint32_t l = 0, r = 0, top;

	if (e == NULL || max == 0)
		return 0;
	max = RTE_MIN(max, (unsigned int)SF_TCP_MAX_SACK);
	nrec = e->ooo_nrecent;
	top = c->rcv_nxt;
	for (i = 0; i < nrec; i++) {
		/* taken in order since: nothing to find */
		if (!SF_SEQ_GT(e->ooo_recent[i].right, c->rcv_nxt)) {
			got[i] = true;
			nfound++;
			continue;
		}
		if (SF_SEQ_GT(e->ooo_recent[i].left, top))
			top = e->ooo_recent[i].left;
	}
	for (m = e->ooo; ; m = m->next) {
		if (m != NULL) {
			if (m->pkt_len == 0)
				continue;	/* a FIN alone: no block */
			l = m->hash.usr;
			r = l + m->pkt_len;
			if (have && SF_SEQ_LEQ(l, cur.right)) {
				if (SF_SEQ_GT(r, cur.right))
					cur.right = r;
				continue;
			}
		}
		if (have) {		/* a merged block is complete */
			recent = false;
			for (i = 0; i < nrec; i++) {
				if (got[i] ||
				    SF_SEQ_LT(e->ooo_recent[i].left,
					      cur.left) ||
				    !SF_SEQ_LT(e->ooo_recent[i].left,
					       cur.right))
					continue;
				rec[i] = cur;
				got[i] = true;
				nfound++;
				recent = true;
			}
			if (!recent && nlow < max)
				low[nlow++] = cur;
			/* Enough lower blocks, and every newest arrival's
			 * found or passed (blocks are in order). */
			if (nlow >= max &&
			    (nfound == nrec || SF_SEQ_GT(cur.left, top)))
				break;
		}
		if (m == NULL)
			break;
		cur.left = l;
		cur.right = r;
		have = true;
	}
	for (i = 0; i < nrec && n < max; i++) {
		if (!got[i] || !SF_SEQ_GT(e->ooo_recent[i].right, c->rcv_nxt))
			continue;
		for (k = 0; k < n && b[k].left != rec[i].left; k++)
			;
		if (k == n)		/* two arrivals in one block */
			b[n++] = rec[i];
	}
	for (i = 0; i < nlow && n < max; i++)
		b[n++] = low[i];
	return n;
}

/* [@l, @r) arrived again (RFC 2883 §4): the next segment to @c reports
 * it in a D-SACK block. The first duplicate of a segment keeps the
 * slot; one that continues it grows it. */
void
tcp_dsack_note(struct sf_worker *w, const struct sf_tcb *c, uint32_t l,
	       uint32_t r)
{
	struct sf_tcp *tcp = w->tcp;

	if (!(c->flags & TF_SACK) || !SF_SEQ_LT(l, r))
		return;
	/* The callers ack a duplicate at once (RFC 5681 §4.2), the slot
	 * emptied before the next segment of the burst may want it; an
	 * unacceptable one only within the ACK rate limit (RFC 5961 §7),
	 * its D-SACK going with the next ACK of the burst, if any. */
	if (tcp->dsack_c == c) {
		if (l == tcp->dsack_r)
			tcp->dsack_r = r;
		return;
	}
	tcp->dsack_c = (struct sf_tcb *)(uintptr_t)c;
	tcp->dsack_l = l;
	tcp->dsack_r = r;
}

/* The SACK blocks of @c's next segment: a D-SACK first if one is owed
 * (RFC 2883 §4), then the out-of-order blocks (tcp_sack_blocks). */
unsigned int
tcp_sack_out(const struct sf_worker *w, const struct sf_tcb *c,
	     struct sf_tcp_sack_block *b, unsigned int max)
{
	unsigned int n = 0;

	if (unlikely(w->tcp->dsack_c == c) && max != 0) {
		b[0].left = w->tcp->dsack_l;
		b[0].right = w->tcp->dsack_r;
		n = 1;
	}
	if (tcp_ooo(w, c) != NULL)
		n += tcp_sack_blocks(w, c, b + n, max - n);
	return n;
}

/* Bytes of [l, r) that the scoreboard @sb (@n blocks) holds. */
static uint32_t
sack_covered(const struct sf_tcp_sack_block *sb, unsigned int n,
	     uint32_t l, uint32_t r)
{
	uint32_t got = 0, a, b;
	unsigned int i;

	for (i = 0; i < n; i++) {
		a = SF_SEQ_GT(sb[i].left, l) ? sb[i].left : l;
		b = SF_SEQ_LT(sb[i].right, r) ? sb[i].right : r;
		if (SF_SEQ_LT(a, b))
			got += b - a;
	}
	return got;
}

/* Merge the peer's blocks into the scoreboard; blocks outside
 * (snd_una, snd_max] are ignored (they cannot be true), except a first
 * block that is an RFC 2883 D-SACK: below snd_una, or inside the second
 * block: it reports data that arrived twice, which recovery counts
 * (@news->dsack) to undo a spurious retransmission. Returns the number
 * of blocks ignored. What this ACK newly SACKed goes to @news (may be
 * NULL). The first block worth keeping takes the record; without one
 * (pool empty) nothing is kept. @cum is the segment's cumulative ACK
 * (or snd_una, if older): a D-SACK lies below it. */
unsigned int
tcp_sack_update(struct sf_worker *w, struct sf_tcb *c,
		const struct sf_tcp_opts *o, uint32_t cum,
		struct tcp_sack_news *news)
{
	struct sf_tcp_sack_block sb[TCP_SCOREBOARD + SF_TCP_MAX_SACK], t;
	struct sf_tcp_sack_block old[TCP_SCOREBOARD];
	struct sf_tcb_ext *e = tcp_ext(w, c);
	unsigned int n = 0, i, j, bad = 0, nsacked = tcp_nsacked(w, c);
	uint32_t before, after;

	for (i = 0; i < nsacked; i++) {
		old[i] = e->sacked[i];
		if (SF_SEQ_GT(e->sacked[i].right, c->snd_una)) {
			sb[n] = e->sacked[i];
			if (SF_SEQ_LT(sb[n].left, c->snd_una))
				sb[n].left = c->snd_una;
			n++;
		}
	}
	if (o != NULL && (o->present & SF_TCPOPT_SACK))
		for (i = 0; i < o->nb_sack; i++) {
			const struct sf_tcp_sack_block *b = &o->sack[i];

			if (!SF_SEQ_LT(b->left, b->right) ||
			    SF_SEQ_GT(b->right, c->snd_max)) {
				bad++;
				continue;
			}
			/* RFC 2883 §4: a D-SACK is the first block, below
			 * the cumulative ACK or within the second block. */
			if (i == 0 && (SF_SEQ_LEQ(b->right, cum) ||
			    (o->nb_sack > 1 &&
			     SF_SEQ_GEQ(b->left, o->sack[1].left) &&
			     SF_SEQ_LEQ(b->right, o->sack[1].right)))) {
				if (news != NULL)
					news->dsack += b->right - b->left;
				continue;
			}
			if (SF_SEQ_LEQ(b->left, c->snd_una)) {
				bad++;
				continue;
			}
			sb[n++] = *b;
		}
	if (e == NULL) {
		if (n == 0 || (e = tcp_ext_get(w, c)) == NULL)
			return bad;
	}
	/* Sort by left edge, merge overlaps, keep the lowest blocks: the
	 * holes below them are what recovery resends first. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && SF_SEQ_LT(sb[j].left, sb[j - 1].left);
		     j--) {
			t = sb[j];
			sb[j] = sb[j - 1];
			sb[j - 1] = t;
		}
	before = 0;
	for (i = 0; i < nsacked; i++)
		before += old[i].right - old[i].left;
	e->nsacked = 0;
	for (i = 0; i < n; i++) {
		if (e->nsacked > 0 &&
		    SF_SEQ_LEQ(sb[i].left, e->sacked[e->nsacked - 1].right)) {
			if (SF_SEQ_GT(sb[i].right,
				      e->sacked[e->nsacked - 1].right))
				e->sacked[e->nsacked - 1].right = sb[i].right;
			continue;
		}
		if (e->nsacked == TCP_SCOREBOARD)
			break;
		e->sacked[e->nsacked++] = sb[i];
	}
	/* What the kept scoreboard grew by (blocks past its 16 entries
	 * and repeats are no news), less what the prune took. */
	if (news != NULL) {
		after = tcp_sack_bytes(w, c);
		news->newly += after > before ? after - before : 0;
	}
	return bad;
}

/* Bytes of [l, r) that the peer has not SACKed. */
uint32_t
tcp_sack_holes(const struct sf_worker *w, const struct sf_tcb *c,
	       uint32_t l, uint32_t r)
{
	const struct sf_tcb_ext *e = tcp_ext(w, c);

	if (!SF_SEQ_LT(l, r))
		return 0;
	return r - l - (e != NULL ? sack_covered(e->sacked, e->nsacked,
						 l, r) : 0);
}

/* If *seq lies in a SACKed block, move it past the block and return
 * true; else clip *len so the segment stops at the next block. */
bool
tcp_sack_skip(const struct sf_worker *w, const struct sf_tcb *c,
	      uint32_t *seq, uint32_t *len)
{
	const struct sf_tcb_ext *e = tcp_ext(w, c);
	unsigned int i, nsacked = tcp_nsacked(w, c);

	for (i = 0; i < nsacked; i++) {
		if (SF_SEQ_LEQ(e->sacked[i].left, *seq) &&
		    SF_SEQ_LT(*seq, e->sacked[i].right)) {
			*seq = e->sacked[i].right;
			return true;
		}
		if (SF_SEQ_LT(*seq, e->sacked[i].left) &&
		    SF_SEQ_GT(*seq + *len, e->sacked[i].left)) {
			*len = e->sacked[i].left - *seq;
			return false;
		}
	}
	return false;
}

/* Bytes the peer reported holding above snd_una. */
uint32_t
tcp_sack_bytes(const struct sf_worker *w, const struct sf_tcb *c)
{
	const struct sf_tcb_ext *e = tcp_ext(w, c);
	unsigned int i, nsacked = tcp_nsacked(w, c);
	uint32_t n = 0;

	for (i = 0; i < nsacked; i++)
		n += e->sacked[i].right - e->sacked[i].left;
	return n;
}
