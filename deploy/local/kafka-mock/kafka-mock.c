/*
 * kafka-mock: a tiny long-running host process around librdkafka's built-in
 * mock Kafka cluster (rdkafka_mock.h), used by risk-monitor's integration
 * tests and `deploy/local/services.sh up kafka` on machines without Docker.
 *
 *   kafka-mock [--brokers N] [--topics name:partitions[:rf][,...]]
 *              [--bootstrap-file PATH] [--quiet]
 *
 * When ready it prints `BOOTSTRAP=<host:port,...>` on stdout and (optionally)
 * writes the same bootstrap string, without the prefix, to --bootstrap-file
 * (atomically: PATH.tmp.<pid> then rename). The file is removed on clean exit.
 *
 * Control protocol: one command per line on stdin, one reply line per command
 * on stdout, starting with `ok` or `error`. See `help`. EOF on stdin (or
 * stdin=/dev/null) does NOT stop the process; only SIGTERM/SIGINT/SIGQUIT or
 * the `quit` command do (exit status 0). SIGHUP and SIGPIPE are ignored.
 *
 * The mock cluster's listeners are bound to 127.0.0.1 on kernel-chosen
 * (random) ports; librdkafka 2.0.2 offers no way to pick them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define DEFAULT_TOPICS                                                         \
    "market.ticks:6,news.sentiment:6,macro.indicators:1,"                      \
    "risk.features.market:6,risk.features.sentiment:6,risk.features.macro:1,"  \
    "risk.scores:6,risk.alerts:6,anomaly.alerts:6,risk.dlq:3,"                 \
    "risk.model-updates:1"

static rd_kafka_mock_cluster_t *mcluster;
static int broker_cnt = 1;
static int quiet;

static void reply(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

static void logmsg(const char *fmt, ...) {
    va_list ap;
    if (quiet)
        return;
    fputs("kafka-mock: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void usage(FILE *fp) {
    fprintf(fp,
            "usage: kafka-mock [--brokers N] [--topics name:parts[:rf][,...]]\n"
            "                  [--bootstrap-file PATH] [--quiet]\n"
            "  --brokers N          number of mock brokers (ids 1..N), default 1\n"
            "  --topics SPEC        topics to pre-create (default: the\n"
            "                       risk-monitor topics); '' creates none.\n"
            "                       rf defaults to min(N,3)\n"
            "  --bootstrap-file P   write bootstrap servers to P when ready\n"
            "  --quiet              no informational logging on stderr\n"
            "stdin commands: see 'help'\n");
}

static int rf_default(void) {
    return broker_cnt < 3 ? broker_cnt : 3;
}

static int parse_int(const char *s, long min, long max, long *out) {
    char *end;
    long v;
    if (!s || !*s)
        return -1;
    errno = 0;
    v     = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Creates a topic; returns 0 on success, else prints a reason into errbuf. */
static int create_topic(const char *name, long parts, long rf, char *errbuf,
                        size_t errsize) {
    rd_kafka_resp_err_t err;
    if (!*name) {
        snprintf(errbuf, errsize, "empty topic name");
        return -1;
    }
    if (rf > broker_cnt) {
        snprintf(errbuf, errsize,
                 "replication factor %ld exceeds broker count %d", rf,
                 broker_cnt);
        return -1;
    }
    err = rd_kafka_mock_topic_create(mcluster, name, (int)parts, (int)rf);
    if (err) {
        snprintf(errbuf, errsize, "%s: %s", rd_kafka_err2name(err),
                 rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

/* Parses "a:6,b:1:3" and creates the topics. Returns 0 or -1. */
static int create_topics(const char *spec) {
    char *dup = strdup(spec), *save = NULL, *tok;
    int rc    = 0;
    for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *c1 = strchr(tok, ':'), *c2 = NULL, errbuf[256];
        long parts = 1, rf = rf_default();
        while (*tok == ' ')
            tok++;
        if (!*tok)
            continue;
        if (c1) {
            *c1 = '\0';
            c2  = strchr(c1 + 1, ':');
            if (c2)
                *c2 = '\0';
            if (parse_int(c1 + 1, 1, 100000, &parts) ||
                (c2 && parse_int(c2 + 1, 1, 100, &rf))) {
                fprintf(stderr, "kafka-mock: bad topic spec for '%s'\n", tok);
                rc = -1;
                break;
            }
        }
        if (create_topic(tok, parts, rf, errbuf, sizeof(errbuf))) {
            fprintf(stderr, "kafka-mock: cannot create topic %s: %s\n", tok,
                    errbuf);
            rc = -1;
            break;
        }
        logmsg("created topic %s partitions=%ld rf=%ld", tok, parts, rf);
    }
    free(dup);
    return rc;
}

static int write_bootstrap_file(const char *path, const char *bootstraps) {
    char tmp[4096];
    FILE *fp;
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    if (!(fp = fopen(tmp, "w"))) {
        fprintf(stderr, "kafka-mock: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    fprintf(fp, "%s\n", bootstraps);
    if (fflush(fp) || fsync(fileno(fp)) || fclose(fp)) {
        fprintf(stderr, "kafka-mock: %s: %s\n", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path)) {
        fprintf(stderr, "kafka-mock: rename %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void reply_err(const char *cmd, rd_kafka_resp_err_t err) {
    if (err)
        reply("error %s %s: %s", cmd, rd_kafka_err2name(err),
              rd_kafka_err2str(err));
}

static int broker_arg(const char *s, long *id) {
    /* -1 means "all brokers" */
    if (parse_int(s, -1, broker_cnt, id) || *id == 0)
        return -1;
    return 0;
}

/* Handles one command line. Returns 1 if the process should quit. */
static int handle_line(char *line) {
    char *argv[8], *save = NULL, *tok;
    int argc = 0;
    long a, b, c;
    rd_kafka_resp_err_t err;
    size_t n = strlen(line);

    while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = '\0';
    for (tok = strtok_r(line, " \t", &save); tok && argc < 8;
         tok = strtok_r(NULL, " \t", &save))
        argv[argc++] = tok;
    if (argc == 0 || argv[0][0] == '#')
        return 0;

    if (!strcmp(argv[0], "quit") || !strcmp(argv[0], "exit")) {
        reply("ok quit");
        return 1;
    } else if (!strcmp(argv[0], "ping")) {
        reply("ok pong");
    } else if (!strcmp(argv[0], "bootstrap")) {
        reply("ok %s", rd_kafka_mock_cluster_bootstraps(mcluster));
    } else if (!strcmp(argv[0], "down") || !strcmp(argv[0], "up")) {
        int down = argv[0][0] == 'd';
        if (argc != 2 || broker_arg(argv[1], &a)) {
            reply("error %s usage: %s <brokerId 1..%d|-1>", argv[0], argv[0],
                  broker_cnt);
            return 0;
        }
        err = down ? rd_kafka_mock_broker_set_down(mcluster, (int32_t)a)
                   : rd_kafka_mock_broker_set_up(mcluster, (int32_t)a);
        if (err)
            reply_err(argv[0], err);
        else
            reply("ok %s %ld", argv[0], a);
    } else if (!strcmp(argv[0], "topic")) {
        char errbuf[256];
        c = rf_default();
        if (argc < 3 || argc > 4 || parse_int(argv[2], 1, 100000, &b) ||
            (argc == 4 && parse_int(argv[3], 1, 100, &c))) {
            reply("error topic usage: topic <name> <partitions> [rf]");
            return 0;
        }
        if (create_topic(argv[1], b, c, errbuf, sizeof(errbuf)))
            reply("error topic %s", errbuf);
        else
            reply("ok topic %s %ld %ld", argv[1], b, c);
    } else if (!strcmp(argv[0], "leader")) {
        if (argc != 4 || parse_int(argv[2], 0, 100000, &a) ||
            parse_int(argv[3], -1, broker_cnt, &b) || b == 0) {
            reply("error leader usage: leader <topic> <partition> "
                  "<brokerId|-1>");
            return 0;
        }
        err = rd_kafka_mock_partition_set_leader(mcluster, argv[1], (int32_t)a,
                                                 (int32_t)b);
        if (err)
            reply_err("leader", err);
        else
            reply("ok leader %s %ld %ld", argv[1], a, b);
    } else if (!strcmp(argv[0], "coordinator")) {
        if (argc != 4 ||
            (strcmp(argv[1], "group") && strcmp(argv[1], "transaction")) ||
            parse_int(argv[3], 1, broker_cnt, &a)) {
            reply("error coordinator usage: coordinator <group|transaction> "
                  "<id> <brokerId>");
            return 0;
        }
        err = rd_kafka_mock_coordinator_set(mcluster, argv[1], argv[2],
                                            (int32_t)a);
        if (err)
            reply_err("coordinator", err);
        else
            reply("ok coordinator %s %s %ld", argv[1], argv[2], a);
    } else if (!strcmp(argv[0], "rtt")) {
        if (argc != 3 || broker_arg(argv[1], &a) ||
            parse_int(argv[2], 0, 3600000, &b)) {
            reply("error rtt usage: rtt <brokerId|-1> <ms>");
            return 0;
        }
        err = rd_kafka_mock_broker_set_rtt(mcluster, (int32_t)a, (int)b);
        if (err)
            reply_err("rtt", err);
        else
            reply("ok rtt %ld %ld", a, b);
    } else if (!strcmp(argv[0], "error")) {
        /* error <apiKey> <errCode> [count]: the next <count> requests of
         * that ApiKey (cluster-wide) fail with errCode. */
        rd_kafka_resp_err_t *errs;
        long i;
        c = 1;
        if (argc < 3 || argc > 4 || parse_int(argv[1], 0, 32767, &a) ||
            parse_int(argv[2], -1000, 32767, &b) ||
            (argc == 4 && parse_int(argv[3], 1, 10000, &c))) {
            reply("error error usage: error <apiKey> <errCode> [count]");
            return 0;
        }
        errs = calloc((size_t)c, sizeof(*errs));
        for (i = 0; i < c; i++)
            errs[i] = (rd_kafka_resp_err_t)b;
        rd_kafka_mock_push_request_errors_array(mcluster, (int16_t)a,
                                                (size_t)c, errs);
        free(errs);
        reply("ok error %ld %ld %ld", a, b, c);
    } else if (!strcmp(argv[0], "clear-errors")) {
        if (argc != 2 || parse_int(argv[1], 0, 32767, &a)) {
            reply("error clear-errors usage: clear-errors <apiKey>");
            return 0;
        }
        rd_kafka_mock_clear_request_errors(mcluster, (int16_t)a);
        reply("ok clear-errors %ld", a);
    } else if (!strcmp(argv[0], "help")) {
        reply("ok commands: ping | bootstrap | down <id|-1> | up <id|-1> | "
              "topic <name> <partitions> [rf] | "
              "leader <topic> <partition> <id|-1> | "
              "coordinator <group|transaction> <id> <brokerId> | "
              "rtt <id|-1> <ms> | "
              "error <apiKey> <errCode> [count] | clear-errors <apiKey> | "
              "quit");
    } else {
        reply("error unknown command '%s' (try help)", argv[0]);
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *topics = DEFAULT_TOPICS, *bootstrap_file = NULL;
    char errstr[512], buf[8192];
    size_t buflen = 0;
    rd_kafka_conf_t *conf;
    rd_kafka_t *rk;
    sigset_t mask;
    int sfd, stdin_open = 1, done = 0, i;
    long v;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strcmp(a, "--brokers") && val) {
            if (parse_int(val, 1, 64, &v)) {
                fprintf(stderr, "kafka-mock: bad --brokers '%s'\n", val);
                return 2;
            }
            broker_cnt = (int)v;
            i++;
        } else if (!strcmp(a, "--topics") && val) {
            topics = val;
            i++;
        } else if (!strcmp(a, "--bootstrap-file") && val) {
            bootstrap_file = val;
            i++;
        } else {
            fprintf(stderr, "kafka-mock: unknown or incomplete option '%s'\n",
                    a);
            usage(stderr);
            return 2;
        }
    }

    /* Block the termination signals in every thread (librdkafka's threads
     * inherit this mask) and receive them synchronously via signalfd. */
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGQUIT);
    if (pthread_sigmask(SIG_BLOCK, &mask, NULL)) {
        perror("kafka-mock: sigmask");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    if ((sfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
        perror("kafka-mock: signalfd");
        return 1;
    }

    conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "client.id", "kafka-mock", errstr,
                          sizeof(errstr)) != RD_KAFKA_CONF_OK ||
        /* the host handle never connects anywhere; keep it silent */
        rd_kafka_conf_set(conf, "log_level", quiet ? "3" : "4", errstr,
                          sizeof(errstr)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kafka-mock: conf: %s\n", errstr);
        return 1;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    if (!rk) {
        fprintf(stderr, "kafka-mock: rd_kafka_new: %s\n", errstr);
        return 1;
    }
    mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
    if (!mcluster) {
        fprintf(stderr, "kafka-mock: failed to create mock cluster\n");
        rd_kafka_destroy(rk);
        return 1;
    }
    if (*topics && create_topics(topics)) {
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 1;
    }

    const char *bootstraps = rd_kafka_mock_cluster_bootstraps(mcluster);
    if (bootstrap_file && write_bootstrap_file(bootstrap_file, bootstraps)) {
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 1;
    }
    logmsg("librdkafka %s, %d broker(s), pid %ld", rd_kafka_version_str(),
           broker_cnt, (long)getpid());
    reply("BOOTSTRAP=%s", bootstraps);

    while (!done) {
        struct pollfd pfd[2];
        int nfds = 0, r;
        pfd[nfds].fd       = sfd;
        pfd[nfds++].events = POLLIN;
        if (stdin_open) {
            pfd[nfds].fd       = STDIN_FILENO;
            pfd[nfds++].events = POLLIN;
        }
        r = poll(pfd, (nfds_t)nfds, -1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            perror("kafka-mock: poll");
            break;
        }
        if (pfd[0].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                logmsg("received signal %u, shutting down", si.ssi_signo);
                done = 1;
                continue;
            }
        }
        if (stdin_open && pfd[1].revents) {
            ssize_t n = read(STDIN_FILENO, buf + buflen,
                             sizeof(buf) - 1 - buflen);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {
                /* EOF/closed/error: stop reading, keep serving. */
                if (buflen) {
                    buf[buflen] = '\0';
                    done   = handle_line(buf);
                    buflen = 0;
                }
                stdin_open = 0;
                logmsg("stdin closed; running until SIGTERM/SIGINT");
                continue;
            }
            buflen += (size_t)n;
            buf[buflen] = '\0';
            char *start = buf, *nl;
            while (!done && (nl = memchr(start, '\n',
                                         buflen - (size_t)(start - buf)))) {
                *nl  = '\0';
                done = handle_line(start);
                start = nl + 1;
            }
            buflen -= (size_t)(start - buf);
            memmove(buf, start, buflen);
            if (buflen >= sizeof(buf) - 1) {
                reply("error line too long");
                buflen = 0;
            }
        }
    }

    if (bootstrap_file)
        unlink(bootstrap_file);
    rd_kafka_mock_cluster_destroy(mcluster);
    rd_kafka_destroy(rk);
    logmsg("stopped");
    return 0;
}
