/*
 * progress: one status line on stderr while a long audit runs, only on a
 * terminal and only once the run has taken about a second (a quick run
 * prints nothing; a pipe or a CI log never sees it). The line is erased
 * before the report is written.
 */
#ifndef MCA_PROGRESS_H
#define MCA_PROGRESS_H

/* Start the clock; `on` = stderr is a terminal (the caller decides). */
void progress_start(int on);
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Erase the line, if one was shown. */
void progress_done(void);

#endif
