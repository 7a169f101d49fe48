#!/bin/bash
# The raw-wire conformance program (xs_wire_conform.c) over the socket.
exec "$1" "$XENSTORED_PATH"
