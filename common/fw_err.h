/* common/fw_err.h: how library calls fail, in every layer: a return code and, where a person
 * needs the why, a message in a caller's buffer of FW_ERRLEN bytes (the libpcap way). Plain
 * definitions only, so that capture/ and analyze/ can both include it and stay independent. */
#ifndef FW_ERR_H
#define FW_ERR_H

/* Size of the error buffers that library calls fill, the libpcap way. */
#define FW_ERRLEN 512

/* Return codes: 0 or one of these (negative). */
enum {
    FW_EIO = -1,          /* read or write failed (errno-level trouble) */
    FW_EFORMAT = -2,      /* the bytes are not what they claim to be */
    FW_ETRUNC = -3,       /* input ended in the middle of a record */
    FW_ENOMEM = -4,       /* an allocation failed */
    FW_EUNSUPPORTED = -5, /* valid input we do not handle (e.g. a link type) */
    FW_EUSAGE = -6,       /* the caller asked for something impossible */
};

#endif
