/* vpl011.c: placeholder, being written. */
