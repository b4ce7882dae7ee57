/* The instant-exit target: prints "ready" once its handlers are installed, exits 0 the moment it
 * gets SIGTERM, and ignores SIGUSR1/SIGUSR2 (so a signal plan can strike it many times and measure
 * the strike lateness of each step). Every floor, peer and harness figure uses this one program. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void on_term(int sig) { (void)sig; _exit(0); }
static void on_usr(int sig) { (void)sig; }

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sa.sa_handler = on_usr;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGUSR2, &sa, NULL);
  static const char ready[] = "ready\n";
  if (write(STDOUT_FILENO, ready, sizeof ready - 1) < 0) return 2;
  for (;;) pause();
}
