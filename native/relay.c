/*
 * svcbench's native L4 relay: moves the bytes of established proxy connections in a thread of
 * its own (epoll, read, write), so that after its balancing decision a connection costs the
 * proxy no JavaScript per message. The sockets stay owned by Node (net.Socket): the relay only
 * reads and writes their file descriptors and shuts their write sides; Node closes them when the
 * relay reports a pair done.
 *
 * Per pair and direction: one 16 KiB buffer. A read is written to the other socket at once; what
 * the kernel does not take waits in the buffer (reading that direction stops, EPOLLOUT on the
 * other socket) — the same backpressure as the JavaScript relay. End of stream: once its data is
 * written, the other socket's write side is shut (half-close passes through). A read or write
 * error ends the pair at once and says which side failed, so that Node can reset the other.
 *
 * Events for Node (a thread-safe function, called with kind, id, side, errno):
 *   1 FIRST  the client sent its first bytes at or after the epoch (setEpoch)
 *   2 DONE   both directions ended; side = -1, errno = 0
 *   3 FAILED side 0 (client) or 1 (upstream) failed with errno
 * The pair's descriptors are out of the relay's epoll set before the event is sent. Until then
 * Node must not close either socket: the relay would go on using the descriptor numbers, which
 * the kernel may already have given to a new connection.
 *
 * One relay (epoll set, thread, callback) per Node environment, so a worker thread loading the
 * addon gets its own; it stops when its environment goes away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_BYTES (16 * 1024)
#define MAX_EVENTS 256

enum { EV_FIRST = 1, EV_DONE = 2, EV_FAILED = 3 };

typedef struct pair pair_t;
typedef struct relay relay_t;

typedef struct {
  pair_t *pair;
  int index; /* 0 client, 1 upstream */
} side_t;

struct pair {
  relay_t *r;
  uint32_t id;
  int fd[2];
  side_t side[2];
  /* dir d: bytes read from fd[d], written to fd[1 - d], through buf[d] */
  char *buf[2];
  size_t off[2], len[2];
  int eof[2];      /* fd[d] read its end of stream */
  int shut[2];     /* fd[d]'s write side is shut */
  int in_epoll[2]; /* fd[d] is in the epoll set */
  uint32_t events[2];
  double counted_epoch;
  int dead; /* ended in the current batch of events */
};

typedef struct {
  int kind;
  uint32_t id;
  int side;
  int err;
} event_t;

/* One relay per Node environment (main thread or worker): its epoll set, thread and callback. */
struct relay {
  int epfd;
  int stopfd; /* an eventfd in the set: written when the environment goes away */
  /* Held by the relay thread over a batch of events and by add(): a pair is in the set whole. */
  pthread_mutex_t lock;
  napi_threadsafe_function tsfn;
  volatile double epoch_ms; /* written by Node's thread, read by the relay's */
  /* Pairs ended in the current batch of events, freed after it (later events may name them). */
  pair_t *ended[MAX_EVENTS];
  int n_ended;
};

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void post(relay_t *r, int kind, uint32_t id, int side, int err) {
  event_t *e = malloc(sizeof *e);
  if (e == NULL) return;
  e->kind = kind;
  e->id = id;
  e->side = side;
  e->err = err;
  if (napi_call_threadsafe_function(r->tsfn, e, napi_tsfn_nonblocking) != napi_ok) free(e);
}

static int pending(pair_t *p, int d) { return p->len[d] > p->off[d]; }

/* The interest of fd[i]: reading for direction i, writing for direction 1 - i. */
static uint32_t wanted(pair_t *p, int i) {
  uint32_t ev = 0;
  if (!p->eof[i] && !pending(p, i)) ev |= EPOLLIN;
  if (pending(p, 1 - i)) ev |= EPOLLOUT;
  return ev;
}

static void update(pair_t *p, int i) {
  uint32_t ev = wanted(p, i);
  struct epoll_event e = {.events = ev, .data.ptr = &p->side[i]};
  if (ev == 0) {
    /* Nothing to wait for on this socket (a hang-up would be reported over and over). */
    if (p->in_epoll[i]) epoll_ctl(p->r->epfd, EPOLL_CTL_DEL, p->fd[i], NULL);
    p->in_epoll[i] = 0;
  } else if (!p->in_epoll[i]) {
    if (epoll_ctl(p->r->epfd, EPOLL_CTL_ADD, p->fd[i], &e) == 0) p->in_epoll[i] = 1;
  } else if (ev != p->events[i]) {
    epoll_ctl(p->r->epfd, EPOLL_CTL_MOD, p->fd[i], &e);
  }
  p->events[i] = ev;
}

static void free_pair(pair_t *p) {
  free(p->buf[0]);
  free(p->buf[1]);
  free(p);
}

static void finish(pair_t *p, int kind, int side, int err) {
  for (int i = 0; i < 2; i++)
    if (p->in_epoll[i]) epoll_ctl(p->r->epfd, EPOLL_CTL_DEL, p->fd[i], NULL);
  p->in_epoll[0] = p->in_epoll[1] = 0;
  p->dead = 1;
  p->r->ended[p->r->n_ended++] = p;
  post(p->r, kind, p->id, side, err);
}

/* Direction d's data all written and its end seen: shut the other socket's write side. */
static void maybe_shut(pair_t *p, int d) {
  if (p->eof[d] && !pending(p, d) && !p->shut[1 - d]) {
    shutdown(p->fd[1 - d], SHUT_WR);
    p->shut[1 - d] = 1;
  }
}

/* Write direction d's pending bytes to fd[1 - d]. An errno (fd[1 - d] failed), or 0. */
static int flush(pair_t *p, int d) {
  while (pending(p, d)) {
    ssize_t w = send(p->fd[1 - d], p->buf[d] + p->off[d], p->len[d] - p->off[d], MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return errno;
    }
    p->off[d] += (size_t)w;
  }
  p->off[d] = p->len[d] = 0;
  maybe_shut(p, d);
  return 0;
}

/* Read direction d once and pass it on. An errno with the failed side in *side, or 0. */
static int pump(pair_t *p, int d, int *side) {
  ssize_t n = recv(p->fd[d], p->buf[d], BUF_BYTES, MSG_DONTWAIT);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) return 0;
    *side = d;
    return errno;
  }
  if (n == 0) {
    p->eof[d] = 1;
    maybe_shut(p, d);
    return 0;
  }
  if (d == 0) {
    double epoch = p->r->epoch_ms;
    if (epoch >= 0 && p->counted_epoch != epoch && now_ms() >= epoch) {
      p->counted_epoch = epoch;
      post(p->r, EV_FIRST, p->id, 0, 0);
    }
  }
  p->off[d] = 0;
  p->len[d] = (size_t)n;
  *side = 1 - d;
  return flush(p, d);
}

static void *loop(void *arg) {
  relay_t *r = arg;
  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(r->epfd, events, MAX_EVENTS, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return NULL;
    }
    pthread_mutex_lock(&r->lock);
    int stop = 0;
    for (int k = 0; k < n; k++) {
      side_t *s = events[k].data.ptr;
      if (s == NULL) {
        stop = 1;
        continue;
      }
      pair_t *p = s->pair;
      if (p->dead) continue;
      int i = s->index;
      uint32_t ev = events[k].events;
      int err = 0, side = i;
      if (ev & EPOLLERR) {
        socklen_t len = sizeof err;
        if (getsockopt(p->fd[i], SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err == 0) err = ECONNRESET;
      }
      if (err == 0 && (ev & EPOLLOUT)) err = flush(p, 1 - i); /* writes fd[i]: side i */
      if (err == 0 && (ev & (EPOLLIN | EPOLLHUP)) && !p->eof[i] && !pending(p, i)) err = pump(p, i, &side);
      if (err != 0) {
        finish(p, EV_FAILED, side, err);
      } else if (p->eof[0] && p->eof[1] && !pending(p, 0) && !pending(p, 1)) {
        finish(p, EV_DONE, -1, 0);
      } else {
        update(p, 0);
        update(p, 1);
      }
    }
    for (int k = 0; k < r->n_ended; k++) free_pair(r->ended[k]);
    r->n_ended = 0;
    pthread_mutex_unlock(&r->lock);
    /* The environment is gone: its sockets are closed with it; the relay's memory stays (once). */
    if (stop) return NULL;
  }
  return NULL;
}

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  event_t *e = data;
  if (env != NULL && cb != NULL) {
    napi_value argv[4], undefined;
    napi_create_int32(env, e->kind, &argv[0]);
    napi_create_uint32(env, e->id, &argv[1]);
    napi_create_int32(env, e->side, &argv[2]);
    napi_create_int32(env, e->err, &argv[3]);
    napi_get_undefined(env, &undefined);
    napi_call_function(env, undefined, cb, 4, argv, NULL);
  }
  free(e);
}

static void stop_relay(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  relay_t *r = data;
  uint64_t one = 1;
  if (write(r->stopfd, &one, sizeof one) < 0) return;
}

static relay_t *get_relay(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok) return NULL;
  return data;
}

/* start(callback): this environment's relay thread, once. */
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], name;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (get_relay(env) != NULL) return NULL;
  relay_t *r = calloc(1, sizeof *r);
  if (r == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  r->epoch_ms = -1;
  pthread_mutex_init(&r->lock, NULL);
  r->epfd = epoll_create1(EPOLL_CLOEXEC);
  r->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  struct epoll_event se = {.events = EPOLLIN, .data.ptr = NULL};
  if (r->epfd < 0 || r->stopfd < 0 || epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->stopfd, &se) != 0) {
    napi_throw_error(env, NULL, "cannot set up the relay's epoll set");
    return NULL;
  }
  napi_create_string_utf8(env, "svcbench relay", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, NULL, call_js, &r->tsfn) != napi_ok) {
    napi_throw_error(env, NULL, "cannot create the relay's callback");
    return NULL;
  }
  napi_unref_threadsafe_function(env, r->tsfn);
  pthread_t t;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  int failed = pthread_create(&t, &attr, loop, r);
  pthread_attr_destroy(&attr);
  if (failed) {
    napi_throw_error(env, NULL, "cannot start the relay thread");
    return NULL;
  }
  napi_set_instance_data(env, r, stop_relay, NULL);
  return NULL;
}

/* add(id, clientFd, upstreamFd): relay the pair from now on. */
static napi_value add(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  uint32_t id;
  int32_t fd0, fd1;
  relay_t *r = get_relay(env);
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3 || napi_get_value_uint32(env, argv[0], &id) != napi_ok || napi_get_value_int32(env, argv[1], &fd0) != napi_ok ||
      napi_get_value_int32(env, argv[2], &fd1) != napi_ok || r == NULL) {
    napi_throw_type_error(env, NULL, "add(id, clientFd, upstreamFd) after start()");
    return NULL;
  }
  pair_t *p = calloc(1, sizeof *p);
  char *b0 = malloc(BUF_BYTES), *b1 = malloc(BUF_BYTES);
  if (p == NULL || b0 == NULL || b1 == NULL) {
    free(p);
    free(b0);
    free(b1);
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  p->r = r;
  p->id = id;
  p->fd[0] = fd0;
  p->fd[1] = fd1;
  p->buf[0] = b0;
  p->buf[1] = b1;
  p->counted_epoch = -1;
  for (int i = 0; i < 2; i++) {
    p->side[i].pair = p;
    p->side[i].index = i;
  }
  pthread_mutex_lock(&r->lock);
  update(p, 0);
  update(p, 1);
  int ok = p->in_epoll[0] && p->in_epoll[1];
  int err = errno;
  if (!ok) {
    for (int i = 0; i < 2; i++)
      if (p->in_epoll[i]) epoll_ctl(p->r->epfd, EPOLL_CTL_DEL, p->fd[i], NULL);
  }
  pthread_mutex_unlock(&r->lock);
  if (!ok) {
    free_pair(p);
    napi_throw_error(env, NULL, strerror(err));
  }
  return NULL;
}

/* setEpoch(ms): connections count (FIRST) on their first client bytes at or after it. */
static napi_value set_epoch(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  double ms;
  relay_t *r = get_relay(env);
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1 || napi_get_value_double(env, argv[0], &ms) != napi_ok || r == NULL) {
    napi_throw_type_error(env, NULL, "setEpoch(ms) after start()");
    return NULL;
  }
  r->epoch_ms = ms;
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"add", NULL, add, NULL, NULL, NULL, napi_default, NULL},
      {"setEpoch", NULL, set_epoch, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
