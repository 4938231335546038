/*
 * Feed benchmark publisher in C, as marketstream is a native program: publishes a file of marketstream
 * messages (one `socket\ttopic\tpayload` line each) on two PUB sockets (trades, books), as fast as
 * libzmq takes them or at a fixed rate, without taking a core from the subscriber it measures.
 * Same stdio protocol as bench/feed-publisher.ts: prints `ready` once bound, waits for `go`, prints
 * `sent N FIRST_NS LAST_NS` (epoch ns of the first and last send) when done, exits when stdin closes.
 *
 * usage: marketstream-pub FILE TRADES_PORT BOOKS_PORT [MSGS_PER_S]   (0 or absent: as fast as possible)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

typedef struct {
  int books;
  const char *topic;
  size_t topic_len;
  const char *payload;
  size_t payload_len;
} message;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    return NULL;
  }
  fclose(f);
  buf[n] = '\n';
  *size = (size_t)n + 1;
  return buf;
}

/* Splits the file in place into messages; returns how many. */
static size_t parse_messages(char *buf, size_t size, message **out) {
  size_t cap = 1024, count = 0;
  message *msgs = malloc(cap * sizeof(message));
  char *line = buf, *end = buf + size;
  while (line < end) {
    char *nl = memchr(line, '\n', (size_t)(end - line));
    if (!nl) break;
    char *tab1 = memchr(line, '\t', (size_t)(nl - line));
    char *tab2 = tab1 ? memchr(tab1 + 1, '\t', (size_t)(nl - tab1 - 1)) : NULL;
    if (tab2) {
      if (count == cap) msgs = realloc(msgs, (cap *= 2) * sizeof(message));
      msgs[count].books = (tab1 - line == 5 && memcmp(line, "books", 5) == 0);
      msgs[count].topic = tab1 + 1;
      msgs[count].topic_len = (size_t)(tab2 - tab1 - 1);
      msgs[count].payload = tab2 + 1;
      msgs[count].payload_len = (size_t)(nl - tab2 - 1);
      count++;
    }
    line = nl + 1;
  }
  *out = msgs;
  return count;
}

static void *bound_publisher(void *ctx, int port) {
  void *socket = zmq_socket(ctx, ZMQ_PUB);
  int unbounded = 0, linger = 0;
  zmq_setsockopt(socket, ZMQ_SNDHWM, &unbounded, sizeof unbounded);
  zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger);
  char endpoint[64];
  snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
  if (zmq_bind(socket, endpoint) != 0) {
    fprintf(stderr, "marketstream-pub: cannot bind %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
    exit(1);
  }
  return socket;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s FILE TRADES_PORT BOOKS_PORT [MSGS_PER_S]\n", argv[0]);
    return 2;
  }
  size_t size;
  char *buf = read_file(argv[1], &size);
  if (!buf) {
    fprintf(stderr, "marketstream-pub: cannot read %s\n", argv[1]);
    return 1;
  }
  message *msgs;
  size_t count = parse_messages(buf, size, &msgs);
  double rate = argc > 4 ? atof(argv[4]) : 0;

  void *ctx = zmq_ctx_new();
  void *trades = bound_publisher(ctx, atoi(argv[2]));
  void *books = bound_publisher(ctx, atoi(argv[3]));
  printf("ready\n");
  fflush(stdout);

  char line[64];
  while (fgets(line, sizeof line, stdin) && strncmp(line, "go", 2) != 0) {
  }
  int64_t first = now_ns();
  for (size_t i = 0; i < count; i++) {
    if (rate > 0) {
      /* Paced: message i leaves no earlier than first + i / rate. Sleeping, not spinning, so the publisher
         leaves the cores to the subscriber; messages go out in the bursts the sleep granularity makes. */
      int64_t due = first + (int64_t)((double)i * 1e9 / rate);
      if (now_ns() < due) {
        struct timespec at = {(time_t)(due / 1000000000LL), (long)(due % 1000000000LL)};
        clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL);
      }
    }
    void *socket = msgs[i].books ? books : trades;
    zmq_send(socket, msgs[i].topic, msgs[i].topic_len, ZMQ_SNDMORE);
    zmq_send(socket, msgs[i].payload, msgs[i].payload_len, 0);
  }
  int64_t last = now_ns();
  printf("sent %zu %lld %lld\n", count, (long long)first, (long long)last);
  fflush(stdout);

  while (fgets(line, sizeof line, stdin)) {
  }
  zmq_close(trades);
  zmq_close(books);
  zmq_ctx_term(ctx);
  free(msgs);
  free(buf);
  return 0;
}
