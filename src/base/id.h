/*
 * id — entity ids and times. An id is 128 bits, time-ordered like UUIDv7:
 * 48-bit milliseconds since the epoch, the version nibble 7, the variant
 * bits, and random bits from the kernel. Ids of one node sort by creation,
 * so LMDB inserts land at the right edge of the tree; no id is a counter.
 */
#ifndef MN_ID_H
#define MN_ID_H

#include <stdint.h>

#define MN_ID_BYTES 16

/* A new time-ordered id for now_ms. */
void mn_id_new(uint64_t now_ms, uint8_t id[MN_ID_BYTES]);
/* The creation time in ms, from the id's time-ordered prefix. */
uint64_t mn_id_time_ms(const uint8_t id[MN_ID_BYTES]);

/* Format ms since the epoch as RFC 3339 UTC with ms
 * ("2026-12-03T17:53:35.000Z"); times past the year 9999 print as its last
 * ms. out must hold MN_TIME_TEXT bytes. */
#define MN_TIME_TEXT 32
void mn_time_format(uint64_t ms, char *out);

#endif
