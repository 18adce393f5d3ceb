/* capture/cap_foreign.h: recognises the capture formats of Windows servers that fwsight does
 * not read (an ETL event trace, as pktmon and netsh trace write; a Microsoft Network Monitor
 * .cap) from their first bytes, so that the error says what the file is and how to convert
 * it. Reading pcap and pcapng is cap_file.c's; the wording of the file's name is its caller's. */
#ifndef FW_CAP_FOREIGN_H
#define FW_CAP_FOREIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The bytes cap_foreign_explain() wants to see, when the file has them. */
#define CAP_FOREIGN_PEEK 0x70u

/* When the n bytes at p (the file's first) are a format named above, or path ends in ".etl"
 * and they are no capture, fills msg with what it is and the command that converts it (path
 * is used in the command, "-" becomes FILE) and returns true; false otherwise. */
bool cap_foreign_explain(const char *path, const uint8_t *p, size_t n, char *msg, size_t len);

#endif
