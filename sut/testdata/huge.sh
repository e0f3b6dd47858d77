# Writes more than the adapter reads (4 MiB) to standard output.
cat >/dev/null
head -c 5000000 /dev/zero | tr '\0' 'x'
