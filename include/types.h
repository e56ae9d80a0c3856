/* types.h: fixed-width integers and the three distinct address types. */
#ifndef UMBRA_TYPES_H
#define UMBRA_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

/*
 * Host-physical, guest-physical and guest-virtual addresses are one-member
 * structs, so passing one where another is expected does not compile.
 * Convert only through the helpers below.
 */
typedef struct {
	u64 val;
} hpa_t;
typedef struct {
	u64 val;
} gpa_t;
typedef struct {
	u64 val;
} gva_t;

static inline hpa_t hpa(u64 v)
{
	return (hpa_t){ v };
}
static inline gpa_t gpa(u64 v)
{
	return (gpa_t){ v };
}
static inline gva_t gva(u64 v)
{
	return (gva_t){ v };
}

#endif
