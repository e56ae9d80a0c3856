/* cpio.c: placeholder, being written. */
