/*
 * id — entity ids and times. An id is 128 bits, time-ordered like UUIDv7
 * (RFC 9562), and names the division that created it:
 *
 *   bytes 0-5   48-bit milliseconds since the epoch, big-endian
 *   byte  6     version nibble 7, then 4 random bits
 *   byte  7     random
 *   byte  8     variant bits 10, then 6 random bits
 *   byte  9     the creating division (MN_ID_DIVISION_BYTE)
 *   bytes 10-15 random
 *
 * 66 random bits are left, from the kernel: two ids made in the same ms by
 * the same division collide with odds of 2^-66. Ids of one node sort by
 * creation, so LMDB inserts land at the right edge of the tree; no id is
 * a counter.
 *
 * Why the division is in the id: an entity's home division (its owner) is
 * then a function of the id alone, and every node decides who may write
 * it from the change itself, whatever else it has applied (state/kind.h).
 * A participant created elsewhere cannot be claimed by another division:
 * its id says where it was made.
 */
#ifndef MN_ID_H
#define MN_ID_H

#include <stdint.h>

#define MN_ID_BYTES 16
/* The byte of the id that holds the creating division (see above). */
#define MN_ID_DIVISION_BYTE 9

/* A new time-ordered id for now_ms, made by division (1..255; the division
 * part of an origin, mn_origin_division). OUT: id. */
void mn_id_new(uint64_t now_ms, uint32_t division, uint8_t id[MN_ID_BYTES]);
/* The division that made id (0 for none: no division has id 0). */
uint32_t mn_id_division(const uint8_t id[MN_ID_BYTES]);
/* The creation time in ms, from the id's time-ordered prefix. */
uint64_t mn_id_time_ms(const uint8_t id[MN_ID_BYTES]);

/* An id as text: 32 lower-case hex digits, and back. mn_id_parse returns
 * MN_OK, or MN_EINVAL for anything else (NULL, upper case, other length),
 * so one entity has one spelling. */
#define MN_ID_TEXT (2 * MN_ID_BYTES + 1)
int mn_id_parse(const char *z, uint8_t id[MN_ID_BYTES]);
void mn_id_format(const uint8_t id[MN_ID_BYTES], char out[MN_ID_TEXT]);

/* Format ms since the epoch as RFC 3339 UTC with ms
 * ("2026-12-03T17:53:35.000Z"); times past the year 9999 print as its last
 * ms. out must hold MN_TIME_TEXT bytes. */
#define MN_TIME_TEXT 32
void mn_time_format(uint64_t ms, char *out);

#endif
