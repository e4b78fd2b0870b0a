# Host firmware for tests: no frozen modules (micropython-lib is absent from
# the Debian source tarball).
FROZEN_MANIFEST =
