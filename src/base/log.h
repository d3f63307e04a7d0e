/*
 * log — one line per event on stderr: time, level, message.
 *
 * Invariant kept by every caller: no personal data and no special-category
 * data (names, contact details, country of origin, background) is ever
 * passed to these functions. Log ids and counts, never field values.
 */
#ifndef MN_LOG_H
#define MN_LOG_H

enum mn_log_level { MN_LOG_DEBUG, MN_LOG_INFO, MN_LOG_WARN, MN_LOG_ERROR };

/* Set the lowest level that is printed (default MN_LOG_INFO). */
void mn_log_set_level(enum mn_log_level level);

/* Print one line at level; printf-style format. Thread-safe. */
void mn_log(enum mn_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define mn_debug(...) mn_log(MN_LOG_DEBUG, __VA_ARGS__)
#define mn_info(...) mn_log(MN_LOG_INFO, __VA_ARGS__)
#define mn_warn(...) mn_log(MN_LOG_WARN, __VA_ARGS__)
#define mn_error(...) mn_log(MN_LOG_ERROR, __VA_ARGS__)

#endif
