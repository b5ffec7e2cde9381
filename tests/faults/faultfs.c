// faultfs: an LD_PRELOAD library that makes file syncs (and, on request, writes) fail with EIO, for the
// fault-injection tests (tests/integration/test_fsync_failure.py, docs/reliability.md).
//
//   OMENDB_FAULT_CONTROL=/path/control  the rules, read again whenever the file changes (absent or empty:
//                                       no faults). One rule per line:  <ops> <glob> [<count>]
//     ops    comma-separated: fsync, fdatasync, sync_file_range, write (write, pwrite, writev, pwritev),
//            or "sync" for the three sync calls
//     glob   fnmatch(3) pattern for the file's base name: *.log (RocksDB's WAL), MANIFEST-*, *.sst, *
//     count  fail only the first <count> matching calls after the rule appeared, then succeed again
//            (Linux reports a writeback error to fsync once, then the next fsync succeeds although the
//            pages are gone: the fsyncgate trap). Default: fail every matching call.
//   OMENDB_FAULT_LOG=/path/log          each injected fault appends "<op> <path>\n" here.
//
// Lines starting with # are comments. The library is C so it has no C++ runtime of its own to initialise.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { OP_FSYNC = 1, OP_FDATASYNC = 2, OP_SYNC_FILE_RANGE = 4, OP_WRITE = 8 };

#define MAX_RULES 16
struct rule {
  int ops;
  char glob[256];
  long remaining;  // < 0: unlimited
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct rule rules[MAX_RULES];
static int nrules;
static int any_write_rule;
static struct timespec loaded_mtime;
static off_t loaded_size = -1;
static ino_t loaded_ino;

static int parse_ops(char* s) {
  int ops = 0;
  for (char* save = NULL; (s = strtok_r(s, ",", &save)) != NULL; s = NULL) {
    if (strcmp(s, "fsync") == 0) ops |= OP_FSYNC;
    else if (strcmp(s, "fdatasync") == 0) ops |= OP_FDATASYNC;
    else if (strcmp(s, "sync_file_range") == 0) ops |= OP_SYNC_FILE_RANGE;
    else if (strcmp(s, "sync") == 0) ops |= OP_FSYNC | OP_FDATASYNC | OP_SYNC_FILE_RANGE;
    else if (strcmp(s, "write") == 0) ops |= OP_WRITE;
  }
  return ops;
}

// Reads the control file again if it changed. Called with mu held.
static void reload(void) {
  const char* path = getenv("OMENDB_FAULT_CONTROL");
  struct stat st;
  if (path == NULL || stat(path, &st) != 0) {
    nrules = 0;
    any_write_rule = 0;
    loaded_size = -1;
    return;
  }
  if (st.st_size == loaded_size && st.st_ino == loaded_ino && st.st_mtim.tv_sec == loaded_mtime.tv_sec &&
      st.st_mtim.tv_nsec == loaded_mtime.tv_nsec)
    return;
  loaded_size = st.st_size;
  loaded_ino = st.st_ino;
  loaded_mtime = st.st_mtim;
  nrules = 0;
  any_write_rule = 0;
  int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[4096];
  ssize_t n = syscall(SYS_read, fd, buf, sizeof buf - 1);
  syscall(SYS_close, fd);
  if (n <= 0) return;
  buf[n] = 0;
  for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line != NULL && nrules < MAX_RULES;
       line = strtok_r(NULL, "\n", &save)) {
    if (line[0] == '#') continue;
    char ops[128], glob[256];
    long count = -1;
    int fields = sscanf(line, "%127s %255s %ld", ops, glob, &count);
    if (fields < 2) continue;
    struct rule* r = &rules[nrules];
    r->ops = parse_ops(ops);
    if (r->ops == 0) continue;
    snprintf(r->glob, sizeof r->glob, "%s", glob);
    r->remaining = fields == 3 ? count : -1;
    if (r->ops & OP_WRITE) any_write_rule = 1;
    ++nrules;
  }
}

static void log_fault(const char* op, const char* path) {
  const char* log = getenv("OMENDB_FAULT_LOG");
  if (log == NULL) return;
  int fd = (int)syscall(SYS_openat, AT_FDCWD, log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  char line[4200];
  int n = snprintf(line, sizeof line, "%s %s\n", op, path);
  if (n > 0) syscall(SYS_write, fd, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
  syscall(SYS_close, fd);
}

// Whether this call on fd fails; logs it if so.
static int should_fail(int fd, int op, const char* opname) {
  if (getenv("OMENDB_FAULT_CONTROL") == NULL) return 0;
  int fail = 0;
  char path[4096];
  pthread_mutex_lock(&mu);
  reload();
  if (nrules > 0 && (op != OP_WRITE || any_write_rule)) {
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n > 0) {
      path[n] = 0;
      const char* base = strrchr(path, '/');
      base = base && base[1] ? base + 1 : path;
      for (int i = 0; i < nrules && !fail; ++i) {
        struct rule* r = &rules[i];
        if (!(r->ops & op) || r->remaining == 0 || fnmatch(r->glob, base, 0) != 0) continue;
        if (r->remaining > 0) --r->remaining;
        fail = 1;
      }
    }
  }
  pthread_mutex_unlock(&mu);
  if (fail) log_fault(opname, path);
  return fail;
}

#define REAL(name, ret, ...)                                       \
  static ret (*real_##name)(__VA_ARGS__);                          \
  if (real_##name == NULL) real_##name = dlsym(RTLD_NEXT, #name);

int fsync(int fd) {
  REAL(fsync, int, int);
  if (should_fail(fd, OP_FSYNC, "fsync")) {
    errno = EIO;
    return -1;
  }
  return real_fsync(fd);
}

int fdatasync(int fd) {
  REAL(fdatasync, int, int);
  if (should_fail(fd, OP_FDATASYNC, "fdatasync")) {
    errno = EIO;
    return -1;
  }
  return real_fdatasync(fd);
}

int sync_file_range(int fd, off64_t offset, off64_t nbytes, unsigned int flags) {
  REAL(sync_file_range, int, int, off64_t, off64_t, unsigned int);
  // flags 0 is RocksDB's probe whether the call is supported, not a sync.
  if (flags != 0 && should_fail(fd, OP_SYNC_FILE_RANGE, "sync_file_range")) {
    errno = EIO;
    return -1;
  }
  return real_sync_file_range(fd, offset, nbytes, flags);
}

ssize_t write(int fd, const void* buf, size_t count) {
  REAL(write, ssize_t, int, const void*, size_t);
  if (fd > 2 && should_fail(fd, OP_WRITE, "write")) {
    errno = EIO;
    return -1;
  }
  return real_write(fd, buf, count);
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  REAL(pwrite, ssize_t, int, const void*, size_t, off_t);
  if (should_fail(fd, OP_WRITE, "pwrite")) {
    errno = EIO;
    return -1;
  }
  return real_pwrite(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
  REAL(pwrite64, ssize_t, int, const void*, size_t, off64_t);
  if (should_fail(fd, OP_WRITE, "pwrite")) {
    errno = EIO;
    return -1;
  }
  return real_pwrite64(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  REAL(writev, ssize_t, int, const struct iovec*, int);
  if (fd > 2 && should_fail(fd, OP_WRITE, "writev")) {
    errno = EIO;
    return -1;
  }
  return real_writev(fd, iov, iovcnt);
}

ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  REAL(pwritev, ssize_t, int, const struct iovec*, int, off_t);
  if (should_fail(fd, OP_WRITE, "pwritev")) {
    errno = EIO;
    return -1;
  }
  return real_pwritev(fd, iov, iovcnt, offset);
}
