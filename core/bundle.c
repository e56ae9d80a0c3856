/* bundle.c: placeholder, being written. */
