/* err.h: the error numbers umbra's functions return, negated (-ERR_NOMEM). */
#ifndef UMBRA_ERR_H
#define UMBRA_ERR_H

#define ERR_NOMEM 12 /* out of memory */
#define ERR_INVAL 22 /* invalid argument */
#define ERR_RANGE 34 /* address or size out of range */
#define ERR_PERM 1   /* operation not allowed on this object */

#endif
