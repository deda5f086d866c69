/* SPDX-License-Identifier: Apache-2.0 */
/* Shared pieces of the command-line front end. Only cli/ knows about argv, TTYs and exit
 * codes; everything it prints comes from the library's JSON documents. */
#ifndef RURU_CLI_H
#define RURU_CLI_H

#include <jansson.h>
#include <ruru.h>
#include <stdbool.h>
#include <stdio.h>

/* Exit codes, grep-like: 0 nothing found / success, 1 findings, 2 error. */
#define EXIT_CLEAN    0
#define EXIT_FINDINGS 1
#define EXIT_ERROR    2

enum out_format { OUT_TABLE, OUT_JSON };

struct cli {
    const char *home;         /* store directory */
    const char *register_url; /* --register URL (NULL: none given) */
    enum out_format format;
    bool format_set;
    FILE *out;
};

/* Parses "--format X" style options common to all commands. Returns the number of argv
 * entries consumed (0 if argv[0] is not a common option), or -1 after printing an error. */
int cli_common_option(struct cli *c, int argc, char **argv);
/* Parses the common options and at most one positional argument (*arg, NULL when absent).
 * Returns 0 to go on, 1 after printing `usage` for --help, -1 after printing an error. */
int cli_one_arg(struct cli *c, int argc, char **argv, const char *usage, const char **arg);
/* Opens the store, printing the error on failure. */
ruru_store *cli_open_store(const struct cli *c);
/* Reads the settings: `config`, else $RURU_HOME/ruru.yaml when there is one, into buf (at most
 * cap - 1 bytes), *path naming it. 1 when read, 0 when there is none, -1 after printing why it
 * cannot be read. */
int cli_read_config(const struct cli *c,
                    const char *config,
                    char *buf,
                    size_t cap,
                    size_t *n,
                    const char **path);
/* Where the register is, first found: --register, $RURU_REGISTER, `register:` of the settings
 * (`yaml`, n bytes, from `file`; may be NULL), else NULL (HOME/register.db). Into buf (cap
 * bytes). -1 after printing why the settings' value is bad, else 0. */
int cli_register_url(const struct cli *c,
                     const char *yaml,
                     size_t n,
                     const char *file,
                     char *buf,
                     size_t cap,
                     const char **url);
/* The register of c->home with the settings of `config`, else of $RURU_HOME/ruru.yaml when there
 * is one; NULL after printing why it cannot be opened. */
ruru_register *cli_open_register(const struct cli *c, const char *config);
/* Prints "ruru: SOURCE:LINE:COL: message" for a library error. */
void cli_error(enum ruru_err err, const struct ruru_diag *d, const char *fallback_source);
/* Prints a JSON document (pretty) to c->out. */
void cli_print_json(const struct cli *c, json_t *doc);
/* Writes s to f with control characters replaced by '?': log and intel text is
 * attacker-controlled, and escape sequences must not reach a terminal. */
void cli_put_safe(FILE *f, const char *s);
/* The columns cli_put_safe takes to write s, one a character (wide characters aside). */
size_t cli_safe_width(const char *s);
/* json_string_value or "" / a number as text into buf. */
const char *cli_str(json_t *v);
const char *cli_num(json_t *v, char *buf, size_t cap);

int cmd_intel(struct cli *c, int argc, char **argv);
int cmd_register(struct cli *c, int argc, char **argv);
/* The logsource ties of --config FILE, else of $RURU_HOME/ruru.yaml when there is one, into
 * *out (a JSON array of "LOGSOURCE=PATTERN"); false after printing why they cannot be read
 * (scan, stream). */
bool cli_config_logsources(const struct cli *c, const char *config, json_t **out);

int cmd_actors(struct cli *c, int argc, char **argv);
int cmd_scan(struct cli *c, int argc, char **argv);
int cmd_rules(struct cli *c, int argc, char **argv);
int cmd_verify(struct cli *c, int argc, char **argv);
int cmd_report(struct cli *c, int argc, char **argv);
int cmd_stats(struct cli *c, int argc, char **argv);
int cmd_orgs(struct cli *c, int argc, char **argv);
int cmd_tokens(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);
int cmd_stream(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);

#endif
