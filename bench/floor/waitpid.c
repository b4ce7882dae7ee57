/* The physical floor of exit detection: fork/exec the target with its stdout on a pipe, wait for
 * its "ready" line, wait DELAY_MS (the same pause the harness leaves between ready and strike),
 * then time kill(SIGTERM) -> waitpid() return with CLOCK_MONOTONIC.
 * Usage: waitpid TARGET N [DELAY_MS]  -> N lines, each one sample in milliseconds (6 decimals). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  if (argc != 3 && argc != 4) {
    fprintf(stderr, "usage: %s TARGET N [DELAY_MS]\n", argv[0]);
    return 2;
  }
  int n = atoi(argv[2]);
  double delay = argc == 4 ? atof(argv[3]) : 0;
  struct timespec pause_ts = { (time_t)(delay / 1000), (long)((delay - (time_t)(delay / 1000) * 1000) * 1e6) };
  for (int i = 0; i < n; i++) {
    int fds[2];
    if (pipe(fds) != 0) { perror("pipe"); return 1; }
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      execl(argv[1], argv[1], (char *)NULL);
      _exit(127);
    }
    close(fds[1]);
    char c;
    ssize_t r;
    /* The handshake: read up to the end of the "ready" line. */
    while ((r = read(fds[0], &c, 1)) == 1 && c != '\n') {}
    if (r != 1) { fprintf(stderr, "target did not print ready\n"); return 1; }
    if (delay > 0) nanosleep(&pause_ts, NULL);
    double t0 = now_ms();
    kill(pid, SIGTERM);
    int status;
    waitpid(pid, &status, 0);
    double t1 = now_ms();
    close(fds[0]);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { fprintf(stderr, "target status %d\n", status); return 1; }
    printf("%.6f\n", t1 - t0);
  }
  return 0;
}
