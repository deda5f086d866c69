/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libpq, loaded when the register first opens a PostgreSQL database (base/dynlib.h): the
 * functions rdb_pg.c calls, by their own names, through a table filled at that moment.
 * ruru_pq_load() must have succeeded before any of them is called.
 */
#ifndef RURU_CASES_PQ_LIB_H
#define RURU_CASES_PQ_LIB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#define RURU_PQ_FNS(X)      \
    X(PQclear)              \
    X(PQcmdTuples)          \
    X(PQconnectdb)          \
    X(PQerrorMessage)       \
    X(PQexec)               \
    X(PQexecParams)         \
    X(PQfinish)             \
    X(PQgetisnull)          \
    X(PQgetvalue)           \
    X(PQnfields)            \
    X(PQntuples)            \
    X(PQresultErrorField)   \
    X(PQresultStatus)       \
    X(PQsetClientEncoding)  \
    X(PQsetNoticeProcessor) \
    X(PQstatus)             \
    X(PQtransactionStatus)

#define RURU_PQ_FIELD(f) __typeof__(f) *f;
struct ruru_pq_fns {
    RURU_PQ_FNS(RURU_PQ_FIELD)
};
#undef RURU_PQ_FIELD

extern struct ruru_pq_fns ruru_pq;

/* Loads libpq once (any thread); false with the reason in why when it cannot be loaded. */
bool ruru_pq_load(char *why, size_t cap);

#ifndef RURU_PQ_LOADER
#define PQclear              ruru_pq.PQclear
#define PQcmdTuples          ruru_pq.PQcmdTuples
#define PQconnectdb          ruru_pq.PQconnectdb
#define PQerrorMessage       ruru_pq.PQerrorMessage
#define PQexec               ruru_pq.PQexec
#define PQexecParams         ruru_pq.PQexecParams
#define PQfinish             ruru_pq.PQfinish
#define PQgetisnull          ruru_pq.PQgetisnull
#define PQgetvalue           ruru_pq.PQgetvalue
#define PQnfields            ruru_pq.PQnfields
#define PQntuples            ruru_pq.PQntuples
#define PQresultErrorField   ruru_pq.PQresultErrorField
#define PQresultStatus       ruru_pq.PQresultStatus
#define PQsetClientEncoding  ruru_pq.PQsetClientEncoding
#define PQsetNoticeProcessor ruru_pq.PQsetNoticeProcessor
#define PQstatus             ruru_pq.PQstatus
#define PQtransactionStatus  ruru_pq.PQtransactionStatus
#endif

#endif
