/* fdt.c: placeholder, being written. */
