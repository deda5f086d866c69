/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Kafka cluster for the stream tests: librdkafka's mock cluster of 3 brokers on loopback,
 * with the topics named on the command line (NAME:PARTITIONS). Prints "bootstraps
 * HOST:PORT,..." on standard output, then reads commands on standard input, one a line,
 * answering "ok" or "error ..." to each, and exits when standard input closes:
 *
 *   errors BROKER APIKEY ERR N   the next N requests of APIKEY (a number) to BROKER (1-3) fail
 *                                with error code ERR
 *   cerrors APIKEY ERR N         the next N requests of APIKEY to any broker fail
 *   down BROKER / up BROKER      the broker stops / starts answering
 *   topic NAME PARTITIONS        another topic
 *
 * The mock brokers' sockets get TCP_NODELAY, as a Kafka broker's have: without it, a small
 * response written while the client's acknowledgement of the last one is delayed waits for
 * it (Nagle's algorithm against delayed ACKs), some 40 ms, and a worker waiting for its
 * sightings' acknowledgements waits that long again and again.
 */
#include <dirent.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* TCP_NODELAY on every TCP socket of this process: the mock brokers' listening sockets (the
 * connections they accept inherit it) and the connections open now. */
static void nodelay(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;

    while (d != NULL && (e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name), type = 0, proto = 0, on = 1;
        socklen_t len = sizeof(type);
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d) ||
            getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM)
            continue;
        len = sizeof(proto);
        if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == 0 && proto == IPPROTO_TCP)
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    }
    if (d != NULL)
        closedir(d);
}

int main(int argc, char **argv)
{
    char errstr[512], line[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;

    /* the mock cluster lives in a client handle of its own */
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
    if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr))) == NULL) {
        fprintf(stderr, "kmock: %s\n", errstr);
        return 2;
    }
    if ((mc = rd_kafka_mock_cluster_new(rk, 3)) == NULL) {
        fprintf(stderr, "kmock: no mock cluster\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        char *colon = strchr(argv[i], ':');
        int parts = colon != NULL ? atoi(colon + 1) : 1;
        if (colon != NULL)
            *colon = '\0';
        if (rd_kafka_mock_topic_create(mc, argv[i], parts > 0 ? parts : 1, 3) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            fprintf(stderr, "kmock: cannot create topic %s\n", argv[i]);
            return 2;
        }
    }
    nodelay();
    printf("bootstraps %s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    while (fgets(line, sizeof(line), stdin) != NULL) {
        char cmd[32], name[256];
        int a = 0, b = 0, c = 0, n;
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
        bool bad = false;
        if (sscanf(line, "%31s", cmd) != 1)
            continue;
        if (strcmp(cmd, "errors") == 0 && sscanf(line, "%*s %d %d %d %d", &a, &b, &c, &n) == 4) {
            for (int k = 0; k < n && err == RD_KAFKA_RESP_ERR_NO_ERROR; k++)
                err = rd_kafka_mock_broker_push_request_error_rtts(mc, a, (int16_t)b, 1,
                                                                   (rd_kafka_resp_err_t)c, 0);
        } else if (strcmp(cmd, "cerrors") == 0 && sscanf(line, "%*s %d %d %d", &a, &b, &c) == 3) {
            rd_kafka_resp_err_t *errs = calloc((size_t)(c > 0 ? c : 1), sizeof(*errs));
            for (int k = 0; k < c; k++)
                errs[k] = (rd_kafka_resp_err_t)b;
            rd_kafka_mock_push_request_errors_array(mc, (int16_t)a, (size_t)c, errs);
            free(errs);
        } else if (strcmp(cmd, "down") == 0 && sscanf(line, "%*s %d", &a) == 1) {
            err = rd_kafka_mock_broker_set_down(mc, a);
        } else if (strcmp(cmd, "up") == 0 && sscanf(line, "%*s %d", &a) == 1) {
            err = rd_kafka_mock_broker_set_up(mc, a);
        } else if (strcmp(cmd, "topic") == 0 && sscanf(line, "%*s %255s %d", name, &a) == 2) {
            err = rd_kafka_mock_topic_create(mc, name, a, 3);
        } else {
            bad = true;
        }
        nodelay(); /* a broker up again listens anew */
        if (bad)
            printf("error unknown command\n");
        else if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
            printf("error %s\n", rd_kafka_err2str(err));
        else
            printf("ok\n");
        fflush(stdout);
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
