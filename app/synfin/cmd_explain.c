/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Why a console line did not parse, in words. rte_cmdline says only
 * "Command not found" or "Bad arguments"; this walks the same commands
 * (their tokens' own parse and completion functions) to name the word
 * that failed, what the commands allow there, and, for an unknown first
 * word, the nearest command.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cmdline_parse.h>
#include <rte_common.h>

#include "cmds.h"

#define EXPLAIN_WORDS 32	/* words of a line looked at */
#define EXPLAIN_CHOICES 24	/* alternatives named */
#define EXPLAIN_WORD_MAX 64

/* How far one command took the line: @depth words matched; then
 * @why: 0 the next word failed, 1 the line ended early, 2 words left. */
struct explain_try {
	unsigned int depth;
	int why;
	cmdline_parse_token_hdr_t *tk;	/* the token at depth (why 0, 1) */
};

static const char *
skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool
line_end(const char *p)
{
	return *p == '\0' || *p == '\n' || *p == '\r' || *p == '#';
}

/* Match @inst's tokens against @line as rte_cmdline does: each token
 * parses a word that ends at a blank or the end of the line. */
static struct explain_try
explain_inst(cmdline_parse_inst_t *inst, const char *line)
{
	struct explain_try t = { 0, 2, NULL };
	const char *p = line;
	int n;

	for (;; t.depth++) {
		cmdline_parse_token_hdr_t *tk = inst->tokens[t.depth];

		p = skip_blank(p);
		if (tk == NULL) {
			t.why = line_end(p) ? -1 : 2;	/* -1: it parses */
			return t;
		}
		t.tk = tk;
		if (line_end(p)) {
			t.why = 1;
			return t;
		}
		n = tk->ops->parse(tk, p, NULL, 0);
		if (n <= 0 || !(line_end(p + n) || p[n] == ' ' ||
				p[n] == '\t')) {
			t.why = 0;
			return t;
		}
		p += n;
	}
}

/* Levenshtein distance, for words up to EXPLAIN_WORD_MAX bytes. */
static unsigned int
edit_distance(const char *a, const char *b)
{
	unsigned int row[EXPLAIN_WORD_MAX + 1], i, j, prev, cur;
	size_t la = RTE_MIN(strlen(a), (size_t)EXPLAIN_WORD_MAX);
	size_t lb = RTE_MIN(strlen(b), (size_t)EXPLAIN_WORD_MAX);

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned int ins = RTE_MIN(row[j] + 1, row[j - 1] + 1);

			cur = row[j];
			row[j] = RTE_MIN(ins, prev + (a[i - 1] != b[j - 1]));
			prev = cur;
		}
	}
	return row[lb];
}

/* Add @s to @list (@n entries) unless there. */
static void
choice_add(char list[][EXPLAIN_WORD_MAX], unsigned int *n, const char *s)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (strcmp(list[i], s) == 0)
			return;
	if (*n < EXPLAIN_CHOICES)
		snprintf(list[(*n)++], EXPLAIN_WORD_MAX, "%s", s);
}

/* What @tk takes: its words, or its own help ("NUMBER" and the like). */
static void
token_choices(cmdline_parse_token_hdr_t *tk,
	      char list[][EXPLAIN_WORD_MAX], unsigned int *n)
{
	char buf[EXPLAIN_WORD_MAX];
	int i, nb = 0;

	if (tk->ops->complete_get_nb != NULL)
		nb = tk->ops->complete_get_nb(tk);
	for (i = 0; i < nb; i++)
		if (tk->ops->complete_get_elt(tk, i, buf, sizeof(buf)) == 0)
			choice_add(list, n, buf);
	if (nb <= 0 && tk->ops->get_help != NULL &&
	    tk->ops->get_help(tk, buf, sizeof(buf)) == 0)
		choice_add(list, n, buf);
}

/* The @i-th word of @line (from 0) into @w. */
static void
line_word(const char *line, unsigned int i, char *w, size_t len)
{
	const char *p = skip_blank(line);
	size_t k;

	while (i-- > 0 && !line_end(p)) {
		while (!line_end(p) && *p != ' ' && *p != '\t')
			p++;
		p = skip_blank(p);
	}
	for (k = 0; k + 1 < len && !line_end(p) && *p != ' ' && *p != '\t';
	     k++)
		w[k] = *p++;
	w[k] = '\0';
}

/* The first @n words of @line, one blank between. */
static void
line_head(const char *line, unsigned int n, char *out, size_t len)
{
	char w[EXPLAIN_WORD_MAX];
	size_t used = 0;
	unsigned int i;

	out[0] = '\0';
	for (i = 0; i < n && used + 1 < len; i++) {
		line_word(line, i, w, sizeof(w));
		used += (size_t)snprintf(out + used, len - used, "%s%s",
					 i ? " " : "", w);
	}
}

int
sf_con_explain(cmdline_parse_ctx_t *ctx, const char *line, char *out,
	       size_t len)
{
	char choices[EXPLAIN_CHOICES][EXPLAIN_WORD_MAX];
	char word[EXPLAIN_WORD_MAX], head[256], best_word[EXPLAIN_WORD_MAX];
	unsigned int depth = 0, nc = 0, i, d, best = UINT32_MAX;
	struct explain_try t;
	int why = 1, used;
	bool any = false;

	/* The deepest any command got, and how it stopped there. */
	for (i = 0; ctx[i] != NULL; i++) {
		t = explain_inst(ctx[i], line);
		if (t.why < 0)
			return 0;		/* it parses */
		if (!any || t.depth > depth ||
		    (t.depth == depth && t.why < why)) {
			depth = t.depth;
			why = t.why;
			any = true;
		}
	}
	if (!any)
		return 0;
	/* What the commands that got as far allow there. */
	for (i = 0; ctx[i] != NULL; i++) {
		t = explain_inst(ctx[i], line);
		if (t.depth == depth && t.why != 2 && t.tk != NULL)
			token_choices(t.tk, choices, &nc);
	}
	line_word(line, depth, word, sizeof(word));
	line_head(line, depth, head, sizeof(head));
	if (depth == 0 && why == 0) {
		best_word[0] = '\0';
		for (i = 0; i < nc; i++) {
			d = edit_distance(word, choices[i]);
			if (d < best && d <= 2) {
				best = d;
				snprintf(best_word, sizeof(best_word), "%s",
					 choices[i]);
			}
		}
		if (best_word[0] != '\0')
			return snprintf(out, len, "unknown command '%s': did "
					"you mean '%s'? ('help' lists them)",
					word, best_word);
		return snprintf(out, len, "unknown command '%s' ('help' "
				"lists them)", word);
	}
	if (why == 2)
		return snprintf(out, len, "'%s' is more than '%s' takes",
				word, head);
	if (why == 1)
		used = snprintf(out, len, "'%s' needs more: ", head);
	else if (depth == 0)
		used = snprintf(out, len, "'%s' is not valid here: ", word);
	else
		used = snprintf(out, len, "'%s' is not valid after '%s': ",
				word, head);
	for (i = 0; i < nc && used > 0 && (size_t)used < len; i++)
		used += snprintf(out + used, len - (size_t)used, "%s%s",
				 i == 0 ? "expected " : i + 1 == nc ? " or " :
				 ", ", choices[i]);
	return used;
}
