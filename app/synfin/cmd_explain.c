/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The console's words, from the commands' own tokens (their parse and
 * completion functions), where rte_cmdline's are terse:
 * - why a line did not parse (rte_cmdline says only "Command not found"
 *   or "Bad arguments"): the word that failed, what the commands allow
 *   there, and for an unknown first word the nearest command;
 * - what may follow a partial line ('?' and TAB): each word once, with
 *   a short help, where rte_cmdline lists a word once per command that
 *   has it, with its token's internal type ("[Fixed STRING]").
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

/* The short help of @inst: its help string after "usage: " (up to 60
 * characters), or the whole string. */
static void
inst_short_help(const cmdline_parse_inst_t *inst, char *out, size_t len)
{
	const char *h = inst->help_str != NULL ? inst->help_str : "";
	const char *colon = strstr(h, ": ");

	snprintf(out, len, "%.60s%s", colon != NULL ? colon + 2 : h,
		 strlen(colon != NULL ? colon + 2 : h) > 60 ? "..." : "");
}

static int next_words(cmdline_parse_ctx_t *ctx, const char *partial,
		      struct sf_con_word *w, unsigned int max,
		      unsigned int nested);

/* "then a, b, c" into @out: the words that may follow @line + @word. */
static void
words_after(cmdline_parse_ctx_t *ctx, const char *line, const char *word,
	    char *out, size_t len)
{
	struct sf_con_word next[16];
	char l[512];
	size_t used;
	int n, i;

	snprintf(l, sizeof(l), "%.440s%.63s ", line, word);
	n = next_words(ctx, l, next, RTE_DIM(next), 1);
	used = (size_t)snprintf(out, len, "then");
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s%s%s",
					 i ? "," : "", " ",
					 next[i].literal ? "" : "<",
					 next[i].word);
	if (n == 0)
		snprintf(out, len, "a command");
}

int
sf_con_next_words(cmdline_parse_ctx_t *ctx, const char *partial,
		  struct sf_con_word *w, unsigned int max)
{
	return next_words(ctx, partial, w, max, 0);
}

static int
next_words(cmdline_parse_ctx_t *ctx, const char *partial,
	   struct sf_con_word *w, unsigned int max, unsigned int nested)
{
	char line[512], prefix[EXPLAIN_WORD_MAX], buf[EXPLAIN_WORD_MAX];
	unsigned int n = 0, i, k, depth, words = 0;
	cmdline_parse_token_hdr_t *tk;
	const char *p;
	size_t plen;
	int nb, e;

	/* The complete words, and the one being typed (may be empty). */
	snprintf(line, sizeof(line), "%s", partial);
	plen = strcspn(line, "\r\n");
	line[plen] = '\0';
	p = line + plen;
	while (p > line && p[-1] != ' ' && p[-1] != '\t')
		p--;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)sizeof(prefix) - 1, p);
	line[p - line] = '\0';		/* the complete words */
	for (p = skip_blank(line); !line_end(p); words++) {
		while (!line_end(p) && *p != ' ' && *p != '\t')
			p++;
		p = skip_blank(p);
	}

	for (i = 0; ctx[i] != NULL && n < max; i++) {
		struct explain_try t = explain_inst(ctx[i], line);

		depth = t.depth;
		if (t.why != 1 || depth != words || t.tk == NULL)
			continue;
		tk = t.tk;
		nb = tk->ops->complete_get_nb != NULL ?
			tk->ops->complete_get_nb(tk) : 0;
		for (e = 0; e < RTE_MAX(nb, 1) && n < max; e++) {
			if (nb > 0) {
				if (tk->ops->complete_get_elt(tk, e, buf,
							      sizeof(buf)))
					continue;
				if (strncmp(buf, prefix, strlen(prefix)) != 0)
					continue;
			} else if (tk->ops->get_help == NULL ||
				   tk->ops->get_help(tk, buf, sizeof(buf))) {
				continue;
			}
			for (k = 0; k < n; k++)
				if (strcmp(w[k].word, buf) == 0)
					break;
			if (k < n) {
				w[k].shared = true;
				continue;
			}
			snprintf(w[n].word, sizeof(w[n].word), "%s", buf);
			w[n].literal = nb > 0;
			w[n].shared = false;
			inst_short_help(ctx[i], w[n].help, sizeof(w[n].help));
			n++;
		}
	}
	/* A word several commands begin with: what may follow it says
	 * more than one command's help. */
	for (k = 0; k < n && nested == 0; k++)
		if (w[k].shared && w[k].literal)
			words_after(ctx, line, w[k].word, w[k].help,
				    sizeof(w[k].help));
	return (int)n;
}
