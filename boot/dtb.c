/* dtb.c: placeholder, being written. */
