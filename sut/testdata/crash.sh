# Fails with a message on standard error and exit status 3.
cat >/dev/null
echo "starting" >&2
echo "fatal: database connection refused" >&2
exit 3
