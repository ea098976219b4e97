#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

/* Process-wide by nature (one terminal line); only the main thread calls. */
static int enabled, shown;
static struct timespec started, last;

static double since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

void progress_start(int on)
{
	enabled = on;
	shown = 0;
	clock_gettime(CLOCK_MONOTONIC, &started);
	last = started;
}

void progress(const char *fmt, ...)
{
	va_list ap;
	if (!enabled || since(&started) < 1.0 || (shown && since(&last) < 0.1))
		return;
	clock_gettime(CLOCK_MONOTONIC, &last);
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	shown = 1;
}

void progress_done(void)
{
	if (shown)
		fputs("\r\033[K", stderr);
	shown = 0;
	enabled = 0;
}
